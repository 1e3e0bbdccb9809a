#!/usr/bin/env bash
# Runs one scheduler test binary of the ThreadSanitizer build (preset `tsan`, built by
# `make test`). Exit 77 (ctest: skipped, with this reason printed) when it was not built.
set -u
binary=$1
if [[ ! -x "$binary" ]]; then
  echo "skipped: $binary is not built ('make tsan' builds it; not part of 'make test' because"
  echo "Debian's libtbb is not built with ThreadSanitizer, so oneTBB's own work stealing"
  echo "is reported as racing; see docs/scheduler.md)"
  exit 77
fi
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(dirname "$0")/tsan.supp ${TSAN_OPTIONS:-}"
exec "$binary"
