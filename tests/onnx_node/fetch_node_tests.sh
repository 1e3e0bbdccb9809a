#!/usr/bin/env bash
# Unpacks ONNX's backend node tests (onnx/backend/test/data/node from the onnx 1.16.2
# wheel, the last one that ships them) into TARGET. Does nothing when TARGET already
# holds tests. Usage: fetch_node_tests.sh TARGET   (e.g. build/onnx-node-tests/node)
# ONNX_WHEEL=path/to/onnx-1.16.2-*.whl uses a wheel already on disk instead of pip.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 TARGET_DIR" >&2
  exit 2
fi
target=$1
if [[ -d "$target" ]] && compgen -G "$target/test_*/model.onnx" >/dev/null; then
  echo "ONNX node tests already in $target"
  exit 0
fi

python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The data is the same in every wheel; when none matches this interpreter (onnx 1.16.2
# has wheels for CPython 3.8-3.12), take the CPython 3.11 x86-64 one.
if [[ -n "${ONNX_WHEEL:-}" ]]; then
  cp "$ONNX_WHEEL" "$tmp/"
elif ! "$python" -m pip download onnx==1.16.2 --no-deps --only-binary=:all: -d "$tmp" >&2; then
  "$python" -m pip download onnx==1.16.2 --no-deps --only-binary=:all: -d "$tmp" \
    --python-version 3.11 --implementation cp --abi cp311 \
    --platform manylinux_2_17_x86_64 >&2
fi
wheel=$(find "$tmp" -maxdepth 1 -name 'onnx-1.16.2-*.whl' | head -n 1)
if [[ -z "$wheel" ]]; then
  echo "pip did not fetch an onnx 1.16.2 wheel" >&2
  exit 1
fi

"$python" - "$wheel" "$tmp/unpacked" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "onnx/backend/test/data/node/"
with zipfile.ZipFile(wheel) as z:
    z.extractall(out, [n for n in z.namelist() if n.startswith(prefix)])
PY
mkdir -p "$(dirname "$target")"
rm -rf "$target"
mv "$tmp/unpacked/onnx/backend/test/data/node" "$target"
echo "ONNX node tests: $(ls "$target" | wc -l) tests in $target"
