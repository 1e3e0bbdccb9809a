// Model-wide checks before anything is built: the opset and the list of unsupported ops.
#include <map>

#include "compiler/onnx/import_steps.h"

namespace hetero::onnx_import {

namespace {

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

}  // namespace

StatusOr<int> CheckOpsets(const ::onnx::ModelProto& model) {
  std::optional<int64_t> version;
  for (const auto& opset : model.opset_import()) {
    if (IsDefaultDomain(opset.domain())) version = opset.version();
  }
  if (!version) return InvalidArgument("the model imports no opset of the default ONNX domain");
  if (*version < kMinOnnxOpset || *version > kMaxOnnxOpset) {
    return Unimplemented("the model uses opset " + std::to_string(*version) +
                         " of the default ONNX domain; hetero imports opsets " +
                         std::to_string(kMinOnnxOpset) + " to " + std::to_string(kMaxOnnxOpset));
  }
  return static_cast<int>(*version);
}

Status CheckOpsSupported(const ::onnx::GraphProto& graph) {
  std::map<std::string, std::string> first_node;  // "op" or "op of domain 'd'" → node name
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& node = graph.node(i);
    std::string key;
    if (!IsDefaultDomain(node.domain())) {
      key = node.op_type() + " of domain '" + node.domain() + "'";
    } else if (!IsOnnxOpSupported(node.op_type())) {
      key = node.op_type();
    } else {
      continue;
    }
    const std::string name =
        node.name().empty() ? node.op_type() + "_" + std::to_string(i) : node.name();
    first_node.emplace(key, name);
  }
  if (first_node.empty()) return OkStatus();
  std::string message = "unsupported ops: ";
  bool first = true;
  for (const auto& [op, node] : first_node) {
    message += (first ? "" : ", ") + op + " (first at node '" + node + "')";
    first = false;
  }
  return Unimplemented(message);
}

}  // namespace hetero::onnx_import
