#!/usr/bin/env bash
# Automatic placement against the best single device (issue 5 §6), with hetero bench as csv.
# Each automatic session runs interleaved with a cpu session in a process of its own, and
# opencl:0 alone in another: a second OpenCL (PoCL) context in one process slows every run
# of the session that holds it, whatever its placement, which would bias the comparison.
# Usage: bench/scheduler_placement.sh BUILD_DIR [ITERS] [THREADS]
set -euo pipefail
build=${1:?usage: scheduler_placement.sh BUILD_DIR [ITERS] [THREADS]}
iters=${2:-200}
threads=${3:-2}
hetero="$build/bin/hetero"
run() {  # MODEL DEVICES SHAPE
  local shape=()
  if [[ -n "$3" ]]; then shape=(--shape "$3"); fi
  "$hetero" bench "$1" --devices "$2" --threads "$threads" --iters "$iters" \
    --warmup stable --no-profile --format csv "${shape[@]}" | sed "s|^|$1,|"
}
for spec in builtin:gpt2-tiny: builtin:bert-tiny: builtin:minilm-l6:input_ids=1x128; do
  model=${spec%:*}
  shape=${spec##*:}
  run "$model" opencl:0 "$shape"
  run "$model" cpu,cpu+opencl:0 "$shape"
  run "$model" cpu,opencl:0+cpu "$shape"
  run "$model" cpu,npu-sim:rngd+cpu "$shape"
done
