#!/usr/bin/env bash
# Runs one scheduler test binary of the ThreadSanitizer build (preset `tsan`, built by
# `make test`). Exit 77 (ctest: skipped, with this reason printed) when it was not built.
set -u
binary=$1
if [[ ! -x "$binary" ]]; then
  echo "skipped: $binary is not built; run 'make tsan' (cmake --preset tsan) first"
  exit 77
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
exec "$binary"
