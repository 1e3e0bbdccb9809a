#!/usr/bin/env bash
# Import speed of builtin:bert-base exported to ONNX: hetero's import+verify against
# onnx.load and onnxruntime session creation, on the same file in one run.
set -euo pipefail
build=${BUILD:-build}
python=${PYTHON:-.venv/bin/python}
work=${WORK:-$build/bench-import}
mkdir -p "$work"
model="$work/bert-base.onnx"
[[ -f "$model" ]] || "$build/bin/hetero" export builtin:bert-base -o "$model"
echo "== hetero import + verify"
"$build/bin/import_bench" "$model" 7
echo "== peers (same file)"
"$python" - "$model" <<'PY'
import resource, statistics, sys, time
import onnx, onnxruntime as ort
path = sys.argv[1]
def median_ms(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)
print(f"onnx.load                 median {median_ms(lambda: onnx.load(path)):.1f} ms")
opts = ort.SessionOptions(); opts.intra_op_num_threads = 1
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
print(f"onnxruntime session (no opt) median {median_ms(lambda: ort.InferenceSession(path, opts, providers=['CPUExecutionProvider']), 3):.1f} ms")
print(f"peak RSS of this python process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.1f} MB")
PY
