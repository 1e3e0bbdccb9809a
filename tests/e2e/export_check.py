#!/usr/bin/env python3
"""Checks hetero's ONNX exports: the onnx checker (full_check) passes, and onnxruntime
computes what hetero's reference executor computed. With --hetero, also checks that
`hetero export builtin:NAME` writes the same file and that `hetero run` of the exported
file reproduces the outputs (export -> import -> run).

Usage: export_check.py --fixture PATH_TO_hetero_export_fixture [--hetero PATH_TO_hetero]
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
except ImportError as e:  # a missing package fails the test, it does not skip it
    print(f"export_check: FAILED: {e}; install with: pip install onnx onnxruntime numpy")
    sys.exit(1)

RTOL = 1e-4


def close(got, want):
    """Within RTOL of each element, plus RTOL of the tensor's largest magnitude."""
    scale = max(float(np.abs(want).max(initial=0.0)), 1e-30)
    err = np.abs(got.astype(np.float64) - want.astype(np.float64))
    bound = RTOL * np.abs(want) + RTOL * scale
    return bool(np.all(err <= bound)), float(err.max(initial=0.0)) / scale


def load_dir(d):
    return {p.stem: np.load(p) for p in sorted(d.glob("*.npy"))}


def check_model(model_dir, failures):
    path = model_dir / "model.onnx"
    onnx.checker.check_model(str(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    for case in sorted(p for p in model_dir.iterdir() if p.is_dir()):
        got = dict(zip(names, session.run(names, load_dir(case / "inputs"))))
        for name, want in load_dir(case / "outputs").items():
            ok, rel = close(got[name], want) if got[name].shape == want.shape else (False, -1.0)
            print(f"  {model_dir.name} {case.name} {name} {want.shape}: "
                  f"max error / max |value| = {rel:.2e} {'ok' if ok else 'MISMATCH'}")
            if not ok:
                failures.append(f"{model_dir.name}/{case.name}/{name}")


def check_cli(hetero, model_dir, tmp, failures):
    if model_dir.name != "decomposed-ops":  # the built-ins
        exported = tmp / f"{model_dir.name}.onnx"
        subprocess.run([hetero, "export", f"builtin:{model_dir.name}", "-o", str(exported)],
                       check=True, stdout=subprocess.DEVNULL)
        if exported.read_bytes() != (model_dir / "model.onnx").read_bytes():
            failures.append(f"{model_dir.name}: `hetero export` wrote a different file")
    for case in sorted(p for p in model_dir.iterdir() if p.is_dir()):
        out = tmp / model_dir.name / case.name
        args = [hetero, "run", str(model_dir / "model.onnx"), "--output-dir", str(out)]
        for p in sorted((case / "inputs").glob("*.npy")):
            args += ["--input", f"{p.stem}={p}"]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        for name, want in load_dir(case / "outputs").items():
            ok, rel = close(np.load(out / f"{name}.npy"), want)
            print(f"  hetero run {model_dir.name}.onnx {case.name} {name}: {rel:.2e} "
                  f"{'ok' if ok else 'MISMATCH'}")
            if not ok:
                failures.append(f"hetero run {model_dir.name}/{case.name}/{name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--hetero")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = pathlib.Path(tmp_name)
        subprocess.run([args.fixture, str(tmp / "fixture")], check=True)
        models = sorted(p for p in (tmp / "fixture").iterdir() if p.is_dir())
        for model_dir in models:
            if args.hetero:
                check_cli(args.hetero, model_dir, tmp, failures)
            else:
                check_model(model_dir, failures)
    if failures:
        print("export_check: FAILED: " + ", ".join(failures))
        return 1
    print(f"export_check: all {len(models)} models agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
