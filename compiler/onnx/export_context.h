// ExportContext: what the per-op exporters share while writing one ONNX graph.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/dtype.h"
#include "hetero/status.h"

namespace hetero::onnx_export {

// The ONNX element type of a hetero dtype; Unimplemented for f8e4m3 (opset 19 and up).
StatusOr<int32_t> OnnxElementType(DType dtype);

// Owns nothing: appends nodes and initializers to a GraphProto it is given. Names it
// makes never collide with hetero's value and node names.
class ExportContext {
 public:
  ExportContext(::onnx::GraphProto* graph, std::unordered_set<std::string> taken)
      : graph_(graph), taken_(std::move(taken)) {}

  // A name starting with `stem` that no value, node or earlier Fresh() result has.
  std::string Fresh(std::string_view stem);

  // Appends a node named `name` (fresh from `name` when it is taken).
  ::onnx::NodeProto* Emit(std::string_view op_type, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, std::string_view name);
  // A node with one fresh output, named after `stem`; returns the output's name.
  std::string Emit1(std::string_view op_type, const std::vector<std::string>& inputs,
                    std::string_view stem);

  // Initializers made on the fly, shared by value.
  std::string ConstI64(const std::vector<int64_t>& values);  // 1-D
  std::string ScalarI64(int64_t value);                      // rank 0
  StatusOr<std::string> Scalar(DType dtype, double value);   // rank 0 of `dtype`

 private:
  ::onnx::GraphProto* graph_;
  std::unordered_set<std::string> taken_;
  std::unordered_map<std::string, std::string> consts_;  // key: dtype + value text
};

// Attribute setters on a node being written.
void SetAttr(::onnx::NodeProto* node, const std::string& name, int64_t value);
void SetAttr(::onnx::NodeProto* node, const std::string& name, float value);
void SetAttr(::onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& value);
void SetAttr(::onnx::NodeProto* node, const std::string& name, const std::string& value);

// A Transpose swapping the last two dims of `name` (of rank >= 2); returns its output.
std::string TransposeLastTwo(ExportContext& ctx, const std::string& name, size_t rank,
                             std::string_view stem);

// Names of a node's inputs ("" for an absent optional input) and outputs.
std::vector<std::string> InputNames(const ir::Node& node);
std::vector<std::string> OutputNames(const ir::Node& node);

// Writes one hetero node as ONNX nodes. Unimplemented naming the node when opset 17
// cannot express it.
Status ExportNode(const ir::Node& node, ExportContext& ctx);
// Decompositions of hetero ops that ONNX opset 17 lacks; false when `node` is not one.
bool IsDecomposed(std::string_view op);
Status ExportDecomposed(const ir::Node& node, ExportContext& ctx);

}  // namespace hetero::onnx_export
