// Built-in models: transformer graphs made in code with seeded random weights, no file needed.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

struct BuiltinInfo {
  std::string name;         // "gpt2-tiny"
  std::string description;  // one line: architecture and sizes
  int64_t vocab_size = 0;
  int64_t default_batch = 1;
  int64_t default_seq = 1;
};

// Every built-in model, in a fixed order.
std::vector<BuiltinInfo> ListBuiltinModels();

// Builds the named model ("gpt2-tiny", without a "builtin:" prefix). The graph is made of
// primitive ops the way ONNX exporters emit them (no fused ops); its inputs are i64
// [batch, seq] with symbolic dims, and every value's dims are numbers or those symbols.
// Weights come from a fixed seed, so two builds are equal byte for byte on any machine.
// Parameters carry Hugging Face's names ("h.0.attn.c_attn.weight"); linear weights are
// [in, out]. NotFound for an unknown name (the message lists the known ones).
// Thread-safe.
//
// The patterns fusion passes look for:
//   attention  MatMul(q, Transpose(k, [0,1,3,2])) → Div(sqrt(head_dim)) → Where(causal
//              bool, ·, -10000) (GPT-2) → Add(mask) → Softmax(-1) → MatMul(·, v); heads
//              split by Reshape [0,0,H,D] + Transpose [0,2,1,3]; padding mask
//              (1 - Cast(mask)) * -10000 as [batch,1,1,seq]; Llama adds one mask for
//              causal and padding
//   GELU       tanh form (Pow 3, Mul, Add, Tanh, ...) in GPT-2; erf form in BERT
//   RMSNorm    Pow 2 → ReduceMean(-1) → Add(eps) → Sqrt → Reciprocal → Mul(x) → Mul(w)
//   RoPE       x * cos + Concat(Neg(Slice upper half), Slice lower half) * sin
//   KV groups  Unsqueeze(2) → Expand [1,1,rep,1,1] → Reshape [0,H,-1,D]
//   SwiGLU     Mul(Silu(gate), up)
//   positions  row sums of a Trilu over the seq dim (keeps `seq` symbolic), Cast to i64
StatusOr<std::unique_ptr<ir::Graph>> BuildBuiltinModel(std::string_view name);

// Deterministic sample inputs for a built-in model, keyed by input name: input_ids uniform
// in [0, vocab); attention_mask all ones except, when batch > 1, the last
// max(1, seq / 4) positions of batch row 1 (never all of them), so padding is exercised;
// token_type_ids zeros. InvalidArgument for batch or seq below 1.
StatusOr<std::map<std::string, Tensor>> BuiltinSampleInputs(std::string_view name, int64_t batch,
                                                            int64_t seq, uint64_t seed = 0);

}  // namespace hetero
