// Folding while importing: what can be computed from constants and known dims.
//
// Small nodes whose inputs are all constants, and Shape / Size of values whose dims are
// known, become constants instead of nodes. Exported graphs compute shapes at run time
// (Shape → Slice → Concat → Reshape); folding them here lets shape inference see the
// values, so ranks and dims stay known. The evaluation itself is ir::EvaluateOnConstants,
// shared with the fold-constants pass. A Dequantize of an int8 matrix is kept (a QDQ
// model's weights) for the fuse-quant-matmul pass.
#include "compiler/ir/evaluate.h"
#include "compiler/onnx/lowering.h"

namespace hetero::onnx_import {

std::optional<std::vector<Tensor>> TryFold(std::string_view op, std::vector<ir::Value*> inputs,
                                           const ops::Attributes& attrs, size_t num_outputs) {
  // int8 weight matrices stay int8 behind their Dequantize: fuse-quant-matmul takes them.
  if (op == "Dequantize" && !inputs.empty() && inputs[0] != nullptr &&
      inputs[0]->type().dtype == DType::kI8 && inputs[0]->type().shape.rank() == 2) {
    return std::nullopt;
  }
  return ir::EvaluateOnConstants(op, std::vector<const ir::Value*>(inputs.begin(), inputs.end()),
                                 attrs, num_outputs, kMaxFoldedElements);
}

}  // namespace hetero::onnx_import
