#!/usr/bin/env bash
# `make demo`: the devices hetero sees, then the default built-in model on each device
# that can run it, and a comparison of their run times.
set -euo pipefail
hetero=${1:-build/bin/hetero}
model=${HETERO_DEMO_MODEL:-builtin:gpt2-tiny}
lib_dir=$(dirname "$hetero")/../lib

# The device plugins built beside hetero (the CPU plugin is built in; null runs nothing).
plugins=()
for module in "$lib_dir"/libhetero_plugin_*.so; do
  [[ -e "$module" ]] || continue
  case $(basename "$module") in
    libhetero_plugin_cpu.so | libhetero_plugin_null.so) ;;
    *) plugins+=(--plugin "$module") ;;
  esac
done

echo "== hetero devices"
"$hetero" devices "${plugins[@]}"
echo

# npu-sim:2 is the simulated RNGD; it takes static shapes only, so the symbolic-shape
# graph falls back to the cpu there, and the plan says so.
summary=()
for device in cpu opencl:0 npu-sim:2,cpu; do
  echo "== hetero run $model --device $device"
  if out=$("$hetero" run "$model" --device "$device" "${plugins[@]}" 2>&1); then
    echo "$out"
    summary+=("$(printf '%-16s %s' "$device" "$(grep '^time:' <<<"$out")")")
  else
    echo "$out"
    summary+=("$(printf '%-16s %s' "$device" "not available: $(tail -1 <<<"$out")")")
  fi
  echo
done

echo "== comparison ($model, batch 1, seq 16)"
printf '%s\n' "${summary[@]}"
