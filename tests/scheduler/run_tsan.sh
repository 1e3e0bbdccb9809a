#!/usr/bin/env bash
# Runs one scheduler test binary of the ThreadSanitizer build (preset `tsan`, built by
# `make test` before ctest runs). Exit 77 (ctest: skipped, with this reason printed) when
# that build is absent; any report TSan makes fails the test (exit 66).
set -u
binary=$1
if [[ ! -x "$binary" ]]; then
  echo "skipped: $binary is not built ('make tsan-build' builds it, and 'make test' does"
  echo "so before ctest runs)"
  exit 77
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
exec "$binary"
