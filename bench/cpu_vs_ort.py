#!/usr/bin/env python3
"""hetero's cpu device against onnxruntime on the same ONNX files, inputs and threads.

Exports the built-in models with `hetero export`, then for every model, batch and thread
count runs onnxruntime (intra-op threads N, inter-op 1, sequential) and hetero (through
build/bin/cpu_latency, a session on the cpu device with --threads N): warm-up, then the
median of --iters runs each. Prints one markdown table with the ratio hetero / onnxruntime
(below 1: hetero is faster) and how close hetero's first output is to onnxruntime's
(cosine similarity and largest absolute difference).

With --int8, a second table at each runtime's int8: hetero --quantize int8 against
onnxruntime running quantize_dynamic (per_channel=True, MatMul weights: the ops hetero
quantizes) of the same exported file, on the same cases as the f32 table; both f32 runs
alongside, and each int8 output's cosine similarity with onnxruntime's f32.

  .venv/bin/python bench/cpu_vs_ort.py --build build [--threads 1,2] [--iters 20] [--int8]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

# (model, batch, seq): the encoders at sequence 128, batch 1 and 8; gpt2 on a 128-token prompt.
DEFAULT_CASES = [("minilm-l6", 1, 128), ("minilm-l6", 8, 128), ("bert-base", 1, 128),
                 ("bert-base", 8, 128), ("gpt2", 1, 128)]
# Each runtime's best precision on every case: int8 weights for both.
INT8_CASES = DEFAULT_CASES


def export(build, name, model_dir):
    path = os.path.join(model_dir, name + ".onnx")
    if not os.path.exists(path):
        subprocess.run([os.path.join(build, "bin", "hetero"), "export", "builtin:" + name, "-o",
                        path], check=True, stdout=subprocess.DEVNULL)
    return path


def make_inputs(session, batch, seq, seed):
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        if i.name == "input_ids":
            feeds[i.name] = rng.integers(0, 1000, size=(batch, seq), dtype=np.int64)
        elif i.name == "attention_mask":
            feeds[i.name] = np.ones((batch, seq), dtype=np.int64)
        else:
            feeds[i.name] = np.zeros((batch, seq), dtype=np.int64)
    return feeds


def ort_session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle ORT threads must not spin while hetero is measured in the same run.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def time_ort(session, feeds, warmup, iters):
    for _ in range(warmup):
        out = session.run(None, feeds)
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        out = session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times)), out


def time_hetero(build, path, feeds, threads, warmup, iters, options, work, quantize=""):
    args = [os.path.join(build, "bin", "cpu_latency"), path, "--threads", str(threads),
            "--warmup", str(warmup), "--iters", str(iters), "--output-dir", work]
    if options:
        args += ["--options", options]
    if quantize:
        args += ["--quantize", quantize]
    for name, value in feeds.items():
        file = os.path.join(work, "in_" + name + ".npy")
        np.save(file, value)
        args += ["--input", name + "=" + file]
    result = subprocess.run(args, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["median_ms"]


def compare(ort_out, work, output_name):
    mine = np.load(os.path.join(work, output_name + ".npy")).astype(np.float64).ravel()
    ref = ort_out.astype(np.float64).ravel()
    cos = float(np.dot(mine, ref) / (np.linalg.norm(mine) * np.linalg.norm(ref) + 1e-30))
    return cos, float(np.max(np.abs(mine - ref)))


def quantize_dynamic_file(path):
    """onnxruntime's dynamic int8 quantization of the file: per-channel int8 MatMul weights."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    out = path[:-len(".onnx")] + ".int8.onnx"
    if not os.path.exists(out):
        quantize_dynamic(path, out, per_channel=True, weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul"])
    return out


def int8_table(args, threads):
    print()
    print("| model | batch x seq | threads | ort f32 ms | ort int8 ms | hetero f32 ms | "
          "hetero int8 ms | hetero int8 / ort int8 | cosine hetero int8 vs ort f32 | "
          "cosine ort int8 vs ort f32 |")
    print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for name, batch, seq in INT8_CASES:
        if args.only and name not in args.only.split(","):
            continue
        path = export(args.build, name, args.models_dir)
        qpath = quantize_dynamic_file(path)
        for n in threads:
            with tempfile.TemporaryDirectory() as work:
                session = ort_session(path, n)
                feeds = make_inputs(session, batch, seq, seed=batch * 1000 + seq)
                out_name = session.get_outputs()[0].name
                ort_ms, ort_out = time_ort(session, feeds, args.warmup, args.iters)
                del session
                qsession = ort_session(qpath, n)
                ort8_ms, ort8_out = time_ort(qsession, feeds, args.warmup, args.iters)
                del qsession
                ort8_cos = float(np.dot(ort8_out[0].ravel().astype(np.float64),
                                        ort_out[0].ravel().astype(np.float64)) /
                                 (np.linalg.norm(ort8_out[0]) * np.linalg.norm(ort_out[0]) + 1e-30))
                het_ms = time_hetero(args.build, path, feeds, n, args.warmup, args.iters, "", work)
                het8_ms = time_hetero(args.build, path, feeds, n, args.warmup, args.iters, "", work,
                                      quantize="int8")
                cos, _ = compare(ort_out[0], work, out_name)
                print(f"| {name} | {batch}x{seq} | {n} | {ort_ms:.1f} | {ort8_ms:.1f} | "
                      f"{het_ms:.1f} | {het8_ms:.1f} | {het8_ms / ort8_ms:.2f} | {cos:.6f} | "
                      f"{ort8_cos:.6f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--models-dir", default=os.path.join(tempfile.gettempdir(), "hetero_models"))
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iters", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated model names to keep")
    parser.add_argument("--hetero-options", default="",
                        help="cpu compile options for an extra hetero column, e.g. precision=bf16")
    parser.add_argument("--int8", action="store_true",
                        help="also the int8 table (hetero --quantize int8 vs quantize_dynamic)")
    parser.add_argument("--int8-only", action="store_true", help="only the int8 table")
    args = parser.parse_args()
    os.makedirs(args.models_dir, exist_ok=True)
    threads = [int(t) for t in args.threads.split(",")]
    cases = [c for c in DEFAULT_CASES if not args.only or c[0] in args.only.split(",")]
    extra = args.hetero_options
    header = "| model | batch x seq | threads | onnxruntime ms | hetero ms | hetero / ort |"
    rule = "|---|---|---|---|---|---|"
    if extra:
        header += f" hetero {extra} ms | {extra} / ort | cosine {extra} vs ort |"
        rule += "---|---|---|"
    header += " cosine vs ort | max abs diff |"
    rule += "---|---|"
    print(f"onnxruntime {ort.__version__}, {platform.processor() or platform.machine()}, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    if args.int8_only:
        int8_table(args, threads)
        return 0
    print(header)
    print(rule, flush=True)
    for name, batch, seq in cases:
        path = export(args.build, name, args.models_dir)
        for n in threads:
            with tempfile.TemporaryDirectory() as work:
                session = ort_session(path, n)
                feeds = make_inputs(session, batch, seq, seed=batch * 1000 + seq)
                out_name = session.get_outputs()[0].name
                ort_ms, ort_out = time_ort(session, feeds, args.warmup, args.iters)
                del session
                het_ms = time_hetero(args.build, path, feeds, n, args.warmup, args.iters, "", work)
                cos, diff = compare(ort_out[0], work, out_name)
                row = f"| {name} | {batch}x{seq} | {n} | {ort_ms:.1f} | {het_ms:.1f} | {het_ms / ort_ms:.2f} |"
                if extra:
                    ext_ms = time_hetero(args.build, path, feeds, n, args.warmup, args.iters, extra,
                                         work)
                    ext_cos, _ = compare(ort_out[0], work, out_name)
                    row += f" {ext_ms:.1f} | {ext_ms / ort_ms:.2f} | {ext_cos:.6f} |"
                row += f" {cos:.6f} | {diff:.2e} |"
                print(row, flush=True)
    if args.int8:
        int8_table(args, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
