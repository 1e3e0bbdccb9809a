// The pass registry: every pass by name, in default-pipeline order.
#include "compiler/passes/pass.h"

namespace hetero::passes {

const std::vector<PassInfo>& AllPasses() {
  static const std::vector<PassInfo> passes = {
      {"canonicalize", "one way to say each thing: drop identities, normalize reshapes",
       CreateCanonicalizePass},
      {"infer-shapes", "re-run every op's type and shape inference", CreateInferShapesPass},
      {"fuse-quant-matmul",
       "MatMul of Dequantize(int8 weights) (+ activation QDQ, bias, activation) -> QuantMatMul",
       CreateFuseQuantMatMulPass},
      {"fold-constants", "evaluate nodes whose inputs are all known, incl. shape arithmetic",
       CreateFoldConstantsPass},
      {"cse", "merge nodes that compute the same thing", CreateCsePass},
      {"dce", "remove nodes whose results are never used", CreateDeadCodePass},
      {"fold-transpose-matmul", "fold transposes of the last two dims into MatMul flags",
       CreateFoldTransposeMatMulPass},
      {"fuse-layernorm", "decomposed layer normalization -> LayerNorm", CreateFuseLayerNormPass},
      {"fuse-rmsnorm", "decomposed RMS normalization -> RMSNorm", CreateFuseRmsNormPass},
      {"fuse-gelu", "erf and tanh forms of GELU -> Gelu", CreateFuseGeluPass},
      {"fuse-attention", "scaled dot-product attention -> Attention", CreateFuseAttentionPass},
      {"fuse-rope", "rotate-half rotary embedding -> Rope", CreateFuseRopePass},
      {"fuse-swiglu", "silu(gate) * up -> SwiGLU", CreateFuseSwiGluPass},
      {"fuse-matmul-bias", "MatMul + bias (+ activation) -> FusedMatMul", CreateFuseMatMulBiasPass},
      {"quantize-int8", "constant f32 MatMul weights -> int8 per column (QuantMatMul)",
       CreateQuantizeInt8Pass, /*in_default=*/false},
  };
  return passes;
}

StatusOr<std::unique_ptr<Pass>> CreatePass(std::string_view name) {
  std::string known;
  for (const PassInfo& info : AllPasses()) {
    if (info.name == name) return info.create();
    known += (known.empty() ? "" : ", ") + info.name;
  }
  return InvalidArgument("unknown pass '" + std::string(name) + "'; known passes: " + known);
}

}  // namespace hetero::passes
