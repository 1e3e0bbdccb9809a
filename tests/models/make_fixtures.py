"""Builds hetero's fixture models: tiny GPT-2, BERT and Llama as ONNX, with inputs and PyTorch's outputs.

Run from the repository root with an interpreter that has torch and onnx:
    /usr/bin/python3 tests/models/make_fixtures.py
It writes, beside this file:
    <name>_opset13.onnx, <name>_opset17.onnx      dynamic axes batch and seq
    <name>/<input>_<case>.npy                     inputs (int64)
    <name>/<output>_<case>.npy                    PyTorch's outputs (float32)
and, when onnxruntime is importable, checks that it reproduces every output.
"""

import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_fixtures  # noqa: E402
import tiny_models as tm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OPSETS = (13, 17)
# case name -> (batch, seq); the second shape shows the exported axes are dynamic.
CASES = {"b2s7": (2, 7), "b1s11": (1, 11)}
MAX_FILE_BYTES = 1 << 20

MODELS = {
    "gpt2": dict(
        seed=1,
        module=tm.GPT2LMHeadModel,
        config=tm.Config(vocab_size=120, hidden_size=32, num_layers=2, num_heads=4,
                         intermediate_size=128, max_positions=32),
        inputs=["input_ids"],
        outputs={"logits": {0: "batch", 1: "seq"}},
    ),
    "bert": dict(
        seed=2,
        module=tm.BertModel,
        config=tm.Config(vocab_size=100, hidden_size=32, num_layers=2, num_heads=4,
                         intermediate_size=64, max_positions=32, layer_norm_eps=1e-12),
        inputs=["input_ids", "attention_mask", "token_type_ids"],
        outputs={"last_hidden_state": {0: "batch", 1: "seq"}, "pooler_output": {0: "batch"}},
    ),
    "llama": dict(
        seed=3,
        module=tm.LlamaForCausalLM,
        config=tm.Config(vocab_size=256, hidden_size=64, num_layers=2, num_heads=4,
                         num_kv_heads=2, intermediate_size=96, max_positions=64,
                         layer_norm_eps=1e-6),
        inputs=["input_ids"],
        outputs={"logits": {0: "batch", 1: "seq"}},
    ),
}


def init_weights(model, seed):
    """Seeded weights large enough that every op moves the outputs (O(1) activations)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if p.dim() == 1 and ("norm" in name.lower() or "ln_" in name):
                p.copy_(1.0 + 0.1 * noise if name.endswith("weight") else 0.1 * noise)
            elif p.dim() == 1:
                p.copy_(0.1 * noise)  # biases
            elif "embed" in name or name.startswith(("wte", "wpe")):
                p.copy_(0.5 * noise)
            else:
                fan_in = p.shape[0] if isinstance(model, tm.GPT2LMHeadModel) else p.shape[1]
                p.copy_(noise * (1.5 / fan_in**0.5))
    return model.eval()


def make_inputs(name, cfg, batch, seq, seed):
    """Inputs of one case as int64 numpy arrays; BERT's batch row 1 ends in 3 pads."""
    rng = np.random.RandomState(seed * 1000 + batch * 100 + seq)
    input_ids = rng.randint(1, cfg.vocab_size, size=(batch, seq)).astype(np.int64)
    inputs = {"input_ids": input_ids}
    if name == "bert":
        attention_mask = np.ones((batch, seq), dtype=np.int64)
        if batch > 1:
            attention_mask[1, -3:] = 0
            input_ids[1, -3:] = 0  # the pad token
        token_type_ids = np.zeros((batch, seq), dtype=np.int64)
        token_type_ids[:, seq // 2 :] = 1
        inputs.update(attention_mask=attention_mask, token_type_ids=token_type_ids)
    return inputs


def export(model, spec, example, path, opset):
    dynamic_axes = {n: {0: "batch", 1: "seq"} for n in spec["inputs"]}
    dynamic_axes.update(spec["outputs"])
    args = tuple(torch.from_numpy(example[n]) for n in spec["inputs"])
    torch.onnx.export(
        model, args, path, opset_version=opset, do_constant_folding=True,
        input_names=spec["inputs"], output_names=list(spec["outputs"]),
        dynamic_axes=dynamic_axes, training=torch.onnx.TrainingMode.EVAL)
    onnx.checker.check_model(onnx.load(path))


def run_torch(model, spec, inputs):
    with torch.no_grad():
        out = model(*(torch.from_numpy(inputs[n]) for n in spec["inputs"]))
    if isinstance(out, torch.Tensor):
        out = (out,)
    return {n: t.numpy().astype(np.float32) for n, t in zip(spec["outputs"], out)}


def save(path, array):
    np.save(path, np.ascontiguousarray(array))
    assert os.path.getsize(path) < MAX_FILE_BYTES, path


def build(name, spec):
    torch.manual_seed(spec["seed"])
    cfg = spec["config"]
    model = init_weights(spec["module"](cfg), spec["seed"])
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    examples = {}
    for case, (batch, seq) in CASES.items():
        inputs = make_inputs(name, cfg, batch, seq, spec["seed"])
        outputs = run_torch(model, spec, inputs)
        for n, a in {**inputs, **outputs}.items():
            save(os.path.join(folder, f"{n}_{case}.npy"), a)
        stats = ", ".join(f"{n} {list(a.shape)} std {a.std():.3f}" for n, a in outputs.items())
        print(f"{name} {case}: {stats}")
        examples[case] = inputs
    for opset in OPSETS:
        path = os.path.join(HERE, f"{name}_opset{opset}.onnx")
        export(model, spec, examples["b2s7"], path, opset)
        size = os.path.getsize(path)
        assert size < MAX_FILE_BYTES, f"{path} is {size} bytes"
        print(f"wrote {os.path.relpath(path)} ({size} bytes)")


def main():
    print(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}")
    for name, spec in MODELS.items():
        build(name, spec)
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        print("onnxruntime not importable here; check with: python3 tests/models/check_fixtures.py")
        return 0
    return 1 if check_fixtures.check_all(HERE) else 0


if __name__ == "__main__":
    sys.exit(main())
