#!/usr/bin/env bash
# `make demo`: the devices hetero sees, then the built-in models run on each of them.
set -euo pipefail
hetero=${1:-build/bin/hetero}
model=${HETERO_DEMO_MODEL:-builtin:gpt2-tiny}

echo "== devices"
"$hetero" devices
echo
for m in "$model" builtin:bert-tiny builtin:llama-tiny; do
  echo "== hetero run $m"
  "$hetero" run "$m" --device cpu
  echo
done
