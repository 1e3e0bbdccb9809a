// The ONNX exporter: an IR graph → an ONNX model file (ir_version 8, opset 17).
#pragma once

#include <string>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace hetero {

// The ONNX opset the exporter writes (default domain only).
inline constexpr int kExportOnnxOpset = 17;

// Builds the ModelProto of `graph`: graph inputs and outputs with their dtypes and dims
// (symbols as dim_param, unknown dims left empty), every constant as a raw_data
// initializer (little-endian), every node as standard ONNX ops of opset 17. hetero ops
// without an ONNX equivalent are decomposed (Rsqrt, Silu, Gelu, RMSNorm, SwiGLU,
// FusedMatMul, Rope, Attention); the rest are refused.
//
// Errors: Unimplemented naming the node for an op or dtype that opset 17 cannot express
// (KvCacheAppend, f8e4m3); ResourceExhausted when the weights pass protobuf's 2 GiB
// limit (external data is not written); InvalidArgument for a malformed graph.
Status ExportOnnxModelProto(const ir::Graph& graph, ::onnx::ModelProto* model);

// Writes the model to `path` (overwriting it). The errors above, or Unavailable /
// DataLoss naming the path when the file cannot be written.
Status ExportOnnxModel(const ir::Graph& graph, const std::string& path);

}  // namespace hetero
