#!/usr/bin/env python3
"""Independent check of the built-in models' architecture: GPT-2, BERT and Llama written
in NumPy (float64) after Hugging Face's modeling code, run on the weights of hetero's
exported ONNX files, compared with what hetero's reference executor computed.

Weights are read by their Hugging Face names; linear weights are stored [in, out] (as
exporters write MatMul initializers), the transpose of torch.nn.Linear's layout.

Usage: builtin_oracle.py --fixture PATH_TO_hetero_export_fixture
"""
import argparse
import math
import pathlib
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:  # a missing package fails the test, it does not skip it
    print(f"builtin_oracle: FAILED: {e}; install with: pip install onnx numpy")
    sys.exit(1)

RTOL = 1e-4
erf = np.vectorize(math.erf)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return w * (x / np.sqrt((x * x).mean(-1, keepdims=True) + eps))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def heads(x, n):
    b, s, d = x.shape
    return x.reshape(b, s, n, d // n).transpose(0, 2, 1, 3)


def attention(q, k, v, allowed):
    """q [B,H,S,D], k and v [B,H,S,D], allowed bool broadcast to [B,H,S,S]."""
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1])
    out = softmax(np.where(allowed, scores, -np.inf)) @ v
    b, h, s, d = out.shape
    return out.transpose(0, 2, 1, 3).reshape(b, s, h * d)


def count_layers(w, pattern):
    return sum(1 for i in range(100) if pattern.format(i) in w)


def gpt2(w, ids, mask, n_heads=4, eps=1e-5):
    s = ids.shape[1]
    h = w["wte.weight"][ids] + w["wpe.weight"][np.arange(s)]
    allowed = np.tril(np.ones((s, s), bool))[None, None] & (mask[:, None, None, :] > 0)
    for i in range(count_layers(w, "h.{}.ln_1.weight")):
        p = lambda n: w[f"h.{i}.{n}"]
        a = layer_norm(h, p("ln_1.weight"), p("ln_1.bias"), eps)
        q, k, v = np.split(a @ p("attn.c_attn.weight") + p("attn.c_attn.bias"), 3, axis=-1)
        ctx = attention(heads(q, n_heads), heads(k, n_heads), heads(v, n_heads), allowed)
        h = h + ctx @ p("attn.c_proj.weight") + p("attn.c_proj.bias")
        m = layer_norm(h, p("ln_2.weight"), p("ln_2.bias"), eps) @ p("mlp.c_fc.weight")
        m = m + p("mlp.c_fc.bias")
        m = 0.5 * m * (1 + np.tanh(math.sqrt(2 / math.pi) * (m + 0.044715 * m**3)))
        h = h + m @ p("mlp.c_proj.weight") + p("mlp.c_proj.bias")
    h = layer_norm(h, w["ln_f.weight"], w["ln_f.bias"], eps)
    return {"logits": h @ w["wte.weight"].T}


def bert(w, ids, mask, token_types, n_heads=4, eps=1e-12):
    s = ids.shape[1]
    e = w["embeddings.word_embeddings.weight"][ids]
    e = e + w["embeddings.token_type_embeddings.weight"][token_types]
    e = e + w["embeddings.position_embeddings.weight"][np.arange(s)]
    h = layer_norm(e, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    allowed = mask[:, None, None, :] > 0
    for i in range(count_layers(w, "encoder.layer.{}.output.dense.weight")):
        lin = lambda x, n: x @ w[f"encoder.layer.{i}.{n}.weight"] + w[f"encoder.layer.{i}.{n}.bias"]
        norm = lambda x, n: layer_norm(x, w[f"encoder.layer.{i}.{n}.weight"],
                                       w[f"encoder.layer.{i}.{n}.bias"], eps)
        q, k, v = (heads(lin(h, f"attention.self.{n}"), n_heads) for n in ("query", "key", "value"))
        a = norm(lin(attention(q, k, v, allowed), "attention.output.dense") + h,
                 "attention.output.LayerNorm")
        inner = lin(a, "intermediate.dense")
        inner = inner * 0.5 * (1 + erf(inner / math.sqrt(2)))
        h = norm(lin(inner, "output.dense") + a, "output.LayerNorm")
    pooled = np.tanh(h[:, 0] @ w["pooler.dense.weight"] + w["pooler.dense.bias"])
    return {"last_hidden_state": h, "pooler_output": pooled}


def llama(w, ids, mask, n_heads=4, n_kv=2, eps=1e-6, theta=10000.0):
    s = ids.shape[1]
    h = w["model.embed_tokens.weight"][ids]
    d = h.shape[-1] // n_heads
    inv_freq = 1.0 / theta ** (np.arange(0, d, 2) / d)
    angles = np.arange(s)[:, None] * inv_freq[None, :]
    cos, sin = np.cos(np.concatenate([angles] * 2, -1)), np.sin(np.concatenate([angles] * 2, -1))
    rope = lambda x: x * cos + np.concatenate([-x[..., d // 2:], x[..., : d // 2]], -1) * sin
    allowed = np.tril(np.ones((s, s), bool))[None, None] & (mask[:, None, None, :] > 0)
    for i in range(count_layers(w, "model.layers.{}.input_layernorm.weight")):
        p = lambda n: w[f"model.layers.{i}.{n}"]
        x = rms_norm(h, p("input_layernorm.weight"), eps)
        q = rope(heads(x @ p("self_attn.q_proj.weight"), n_heads))
        k = rope(heads(x @ p("self_attn.k_proj.weight"), n_kv))
        v = heads(x @ p("self_attn.v_proj.weight"), n_kv)
        rep = n_heads // n_kv
        ctx = attention(q, np.repeat(k, rep, axis=1), np.repeat(v, rep, axis=1), allowed)
        h = h + ctx @ p("self_attn.o_proj.weight")
        x = rms_norm(h, p("post_attention_layernorm.weight"), eps)
        gate = x @ p("mlp.gate_proj.weight")
        up = x @ p("mlp.up_proj.weight")
        h = h + (gate / (1 + np.exp(-gate)) * up) @ p("mlp.down_proj.weight")
    h = rms_norm(h, w["model.norm.weight"], eps)
    return {"logits": h @ w["lm_head.weight"]}


MODELS = {
    "gpt2-tiny": lambda w, i: gpt2(w, i["input_ids"], i["attention_mask"]),
    "bert-tiny": lambda w, i: bert(w, i["input_ids"], i["attention_mask"], i["token_type_ids"]),
    "llama-tiny": lambda w, i: llama(w, i["input_ids"], i["attention_mask"]),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", required=True)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp) / "fixture"
        subprocess.run([args.fixture, str(root)], check=True)
        for name, forward in MODELS.items():
            model = onnx.load(str(root / name / "model.onnx"))
            w = {t.name: numpy_helper.to_array(t).astype(np.float64)
                 for t in model.graph.initializer}
            for case in sorted(p for p in (root / name).iterdir() if p.is_dir()):
                inputs = {p.stem: np.load(p) for p in (case / "inputs").glob("*.npy")}
                for out, want in forward(w, inputs).items():
                    got = np.load(case / "outputs" / f"{out}.npy")
                    scale = np.abs(want).max()
                    err = np.abs(got - want).max() / scale
                    ok = got.shape == want.shape and err <= RTOL
                    print(f"  {name} {case.name} {out}: max error / max |value| = {err:.2e} "
                          f"{'ok' if ok else 'MISMATCH'}")
                    if not ok:
                        failures.append(f"{name}/{case.name}/{out}")
    if failures:
        print("builtin_oracle: FAILED: " + ", ".join(failures))
        return 1
    print(f"builtin_oracle: all {len(MODELS)} models agree with the NumPy versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
