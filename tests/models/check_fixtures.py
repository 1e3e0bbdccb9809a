"""Runs every fixture model in this folder on onnxruntime and compares with the saved outputs.

Needs only numpy, onnx and onnxruntime (no torch), so it also runs under an interpreter
that cannot rebuild the fixtures:  python3 tests/models/check_fixtures.py
"""

import glob
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# The rule hetero's fixture test uses too: |got - want| <= TOLERANCE * max(|want|, 1).
TOLERANCE = 1e-4


def max_violation(got, want):
    """Largest |got - want| / max(|want|, 1): the check passes when it is <= TOLERANCE."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))


def fixture_models(folder=HERE):
    """[(model name, opset, path)] for every <name>_opset<N>.onnx in `folder`."""
    found = []
    for path in sorted(glob.glob(os.path.join(folder, "*_opset*.onnx"))):
        m = re.fullmatch(r"(.+)_opset(\d+)\.onnx", os.path.basename(path))
        if m:
            found.append((m.group(1), int(m.group(2)), path))
    return found


def cases(folder, name):
    """Case names of a model: the suffixes of its input_ids_<case>.npy files."""
    paths = glob.glob(os.path.join(folder, name, "input_ids_*.npy"))
    return sorted(os.path.basename(p)[len("input_ids_") : -len(".npy")] for p in paths)


def check_all(folder=HERE):
    """Compares onnxruntime with every saved expected output; returns the number of failures."""
    import onnxruntime as ort

    failures = 0
    for name, opset, path in fixture_models(folder):
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        output_names = [o.name for o in session.get_outputs()]
        for case in cases(folder, name):
            feed = {
                i.name: np.load(os.path.join(folder, name, f"{i.name}_{case}.npy"))
                for i in session.get_inputs()
            }
            got = session.run(output_names, feed)
            for out_name, value in zip(output_names, got):
                want = np.load(os.path.join(folder, name, f"{out_name}_{case}.npy"))
                err = max_violation(value, want)
                ok = err <= TOLERANCE
                failures += 0 if ok else 1
                print(
                    f"onnxruntime {ort.__version__}: {name} opset {opset} {case} {out_name} "
                    f"{list(value.shape)} max err {err:.2e} {'ok' if ok else 'FAIL'}"
                )
    return failures


if __name__ == "__main__":
    sys.exit(1 if check_all() else 0)
