#!/usr/bin/env python3
"""int8 end to end: a QDQ model from onnxruntime's quantize_static and `--quantize int8`.

1. QDQ: builtin:bert-tiny is exported, quantized by onnxruntime.quantization.quantize_static
   (QDQ format, per_channel=True, MatMul weights and their activations, calibrated on random
   token ids), and run by hetero (which fuses the QDQ MatMuls into QuantMatMul) and by
   onnxruntime. hetero's outputs must agree with onnxruntime on the same QDQ file within
   QDQ_MAX_REL_ERR (max |error| / max |value|) and cosine >= QDQ_MIN_COSINE, and with the
   f32 model at cosine >= F32_MIN_COSINE.
2. --quantize int8: each model of --models runs with and without it (same seeded inputs);
   the outputs' cosine similarity must be >= F32_MIN_COSINE. Max |error| is printed.
3. Export: `hetero export builtin:bert-tiny --quantize int8` writes int8 weights behind
   DequantizeLinear; the file passes onnx's checker, loads in onnxruntime, and its
   outputs agree with `hetero run --quantize int8` within EXPORT_MAX_REL_ERR and at cosine
   >= EXPORT_MIN_COSINE. The file spells the per-row activation quantization in float
   ops, but the two runtimes' f32 layers differ in the last bits, so an activation next
   to a rounding boundary can land one quantization step apart: agreement is to a few
   steps, not bit for bit.
4. A --quantize value other than int8 is a usage error (exit 2, one line naming it) on
   run, bench, compile and export.

Usage: int8_check.py --hetero PATH [--models minilm-l6,...]
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
except ImportError as e:  # a missing package fails the test, it does not skip it
    print(f"int8_check: FAILED: {e}; install with: pip install onnx onnxruntime numpy")
    sys.exit(1)

QDQ_MAX_REL_ERR = 0.01
QDQ_MIN_COSINE = 0.9999
F32_MIN_COSINE = 0.99
EXPORT_MIN_COSINE = 0.9999
EXPORT_MAX_REL_ERR = 1e-2
SEQ = 16


def cosine(a, b):
    a = a.astype(np.float64).ravel()
    b = b.astype(np.float64).ravel()
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-30))


def compare(got, want):
    """(cosine, max |error|, max |error| / max |want|)."""
    err = float(np.abs(got.astype(np.float64) - want.astype(np.float64)).max(initial=0.0))
    return cosine(got, want), err, err / max(float(np.abs(want).max(initial=0.0)), 1e-30)


def token_inputs(session, rng):
    feeds = {}
    for i in session.get_inputs():
        if "mask" in i.name:
            feeds[i.name] = np.ones((1, SEQ), np.int64)
        elif "type" in i.name:
            feeds[i.name] = np.zeros((1, SEQ), np.int64)
        else:
            feeds[i.name] = rng.integers(0, 100, size=(1, SEQ), dtype=np.int64)
    return feeds


class RandomTokens(CalibrationDataReader):
    def __init__(self, session, count):
        rng = np.random.default_rng(7)
        self.items = iter([token_inputs(session, rng) for _ in range(count)])

    def get_next(self):
        return next(self.items, None)


def run_hetero(hetero, model, out_dir, extra):
    subprocess.run([hetero, "run", model, "--output-dir", str(out_dir)] + extra, check=True,
                   stdout=subprocess.DEVNULL)
    return {p.stem: np.load(p) for p in sorted(out_dir.glob("*.npy"))}


def check_qdq(hetero, tmp, failures):
    f32 = tmp / "bert-tiny.onnx"
    qdq = tmp / "bert-tiny.qdq.onnx"
    subprocess.run([hetero, "export", "builtin:bert-tiny", "-o", str(f32)], check=True,
                   stdout=subprocess.DEVNULL)
    f32_session = ort.InferenceSession(str(f32), providers=["CPUExecutionProvider"])
    quantize_static(str(f32), str(qdq), RandomTokens(f32_session, 8), quant_format=QuantFormat.QDQ,
                    per_channel=True, op_types_to_quantize=["MatMul"],
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    feeds = token_inputs(f32_session, np.random.default_rng(11))
    args = []
    for name, value in feeds.items():
        np.save(tmp / f"{name}.npy", value)
        args += ["--input", f"{name}={tmp / (name + '.npy')}"]
    explain = subprocess.run([hetero, "compile", str(qdq), "--explain"], check=True,
                             capture_output=True, text=True).stdout
    fused = sum(1 for line in explain.splitlines() if "(QuantMatMul)" in line)
    print(f"  qdq bert-tiny: {fused} QuantMatMul nodes after fusion")
    if fused == 0:
        failures.append("qdq: no MatMul of the QDQ model became a QuantMatMul")
    got = run_hetero(hetero, str(qdq), tmp / "hetero_qdq", args)
    qdq_session = ort.InferenceSession(str(qdq), providers=["CPUExecutionProvider"])
    names = [o.name for o in qdq_session.get_outputs()]
    want_qdq = dict(zip(names, qdq_session.run(names, feeds)))
    want_f32 = dict(zip(names, f32_session.run(names, feeds)))
    for name in names:
        cos, err, rel = compare(got[name], want_qdq[name])
        ok = cos >= QDQ_MIN_COSINE and rel <= QDQ_MAX_REL_ERR
        print(f"  qdq {name}: vs onnxruntime QDQ cosine {cos:.6f} max|err| {err:.4g} "
              f"(rel {rel:.3g}) {'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(f"qdq/{name} vs onnxruntime")
        cos, err, rel = compare(got[name], want_f32[name])
        print(f"  qdq {name}: vs f32 cosine {cos:.6f} max|err| {err:.4g} "
              f"{'ok' if cos >= F32_MIN_COSINE else 'MISMATCH'}")
        if cos < F32_MIN_COSINE:
            failures.append(f"qdq/{name} vs f32")


def check_quantize(hetero, model, tmp, failures):
    base = ["--seed", "5"]
    f32 = run_hetero(hetero, f"builtin:{model}", tmp / f"{model}_f32", base)
    int8 = run_hetero(hetero, f"builtin:{model}", tmp / f"{model}_int8",
                      base + ["--quantize", "int8"])
    for name, want in f32.items():
        cos, err, rel = compare(int8[name], want)
        print(f"  --quantize int8 {model} {name} {want.shape}: cosine {cos:.6f} "
              f"max|err| {err:.4g} (max|f32| {float(np.abs(want).max()):.4g}) "
              f"{'ok' if cos >= F32_MIN_COSINE else 'MISMATCH'}")
        if cos < F32_MIN_COSINE:
            failures.append(f"--quantize int8 {model}/{name}")


def check_export(hetero, tmp, failures):
    path = tmp / "bert-tiny.int8.onnx"
    subprocess.run([hetero, "export", "builtin:bert-tiny", "--quantize", "int8", "-o", str(path)],
                   check=True, stdout=subprocess.DEVNULL)
    onnx.checker.check_model(str(path), full_check=True)
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    if "DequantizeLinear" not in ops:
        failures.append("export --quantize int8: no DequantizeLinear in the file")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = token_inputs(session, np.random.default_rng(13))
    args = ["--quantize", "int8"]
    for name, value in feeds.items():
        np.save(tmp / f"export_{name}.npy", value)
        args += ["--input", f"{name}={tmp / ('export_' + name + '.npy')}"]
    got = run_hetero(hetero, "builtin:bert-tiny", tmp / "hetero_export", args)
    names = [o.name for o in session.get_outputs()]
    for name, want in zip(names, session.run(names, feeds)):
        cos, err, rel = compare(got[name], want)
        ok = cos >= EXPORT_MIN_COSINE and rel <= EXPORT_MAX_REL_ERR
        print(f"  export --quantize int8 {name}: onnxruntime vs hetero cosine {cos:.6f} "
              f"max|err| {err:.4g} (rel {rel:.3g}) {'ok' if ok else 'MISMATCH'}")
        if not ok:
            failures.append(f"export --quantize int8/{name}")


def check_bad_flag(hetero, tmp, failures):
    commands = [["run", "builtin:bert-tiny"], ["bench", "builtin:bert-tiny", "--iters", "1"],
                ["compile", "builtin:bert-tiny"],
                ["export", "builtin:bert-tiny", "-o", str(tmp / "never.onnx")]]
    for command in commands:
        r = subprocess.run([hetero] + command + ["--quantize", "int4"], capture_output=True,
                           text=True)
        lines = r.stderr.strip().splitlines()
        ok = r.returncode == 2 and len(lines) == 1 and "--quantize expects int8" in lines[0]
        print(f"  {command[0]} --quantize int4: exit {r.returncode}, "
              f"{lines[-1] if lines else '(no message)'} {'ok' if ok else 'WRONG'}")
        if not ok:
            failures.append(f"{command[0]} --quantize int4")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hetero", required=True)
    parser.add_argument("--models", default="minilm-l6")
    parser.add_argument("--skip-qdq", action="store_true")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        if not args.skip_qdq:
            check_qdq(args.hetero, tmp, failures)
            check_export(args.hetero, tmp, failures)
        check_bad_flag(args.hetero, tmp, failures)
        for model in filter(None, args.models.split(",")):
            check_quantize(args.hetero, model, tmp, failures)
    if failures:
        print("int8_check: FAILED: " + ", ".join(failures))
        return 1
    print("int8_check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
