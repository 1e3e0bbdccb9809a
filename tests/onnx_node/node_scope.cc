// Which node tests are in the importer's scope: opset, ops, value kinds and dtypes.
#include <algorithm>
#include <set>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/tensor_proto.h"
#include "tests/onnx_node/node_test_case.h"

namespace hetero::onnx_node {

namespace {

bool IsDefaultDomain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::optional<SkipReason> OpsetOutOfScope(const ::onnx::ModelProto& model) {
  for (const auto& opset : model.opset_import()) {
    if (!IsDefaultDomain(opset.domain())) continue;
    const int64_t v = opset.version();
    if (v >= kMinOnnxOpset && v <= kMaxOnnxOpset) return std::nullopt;
    const std::string range = std::to_string(kMinOnnxOpset) + "-" + std::to_string(kMaxOnnxOpset);
    return SkipReason{"opset outside " + range, std::to_string(v),
                      "opset " + std::to_string(v) + " outside " + range};
  }
  return std::nullopt;  // no default-domain opset: the ops say what is out of scope
}

std::optional<SkipReason> OpsOutOfScope(const ::onnx::GraphProto& graph) {
  std::set<std::string> unsupported;
  for (const auto& node : graph.node()) {
    if (!IsDefaultDomain(node.domain())) {
      unsupported.insert(node.domain() + "." + node.op_type());
    } else if (!IsOnnxOpSupported(node.op_type())) {
      unsupported.insert(node.op_type());
    }
  }
  if (unsupported.empty()) return std::nullopt;
  const std::string& op = *unsupported.begin();
  return SkipReason{"op out of scope", op, "op " + op + " out of scope"};
}

std::optional<SkipReason> ValueKindOutOfScope(const ::onnx::ValueInfoProto& v) {
  const auto& type = v.type();
  std::string kind;
  if (type.has_sequence_type())
    kind = "sequence";
  else if (type.has_optional_type())
    kind = "optional";
  else if (type.has_map_type())
    kind = "map";
  else if (type.has_sparse_tensor_type())
    kind = "sparse tensor";
  else if (!type.has_tensor_type())
    kind = "untyped";
  if (kind.empty()) return std::nullopt;
  return SkipReason{"non-tensor values out of scope", kind,
                    kind + " value '" + v.name() + "' out of scope"};
}

std::optional<SkipReason> DTypeOutOfScope(int32_t onnx_type) {
  if (onnx_import::DTypeFromOnnx(onnx_type, "").ok()) return std::nullopt;
  const std::string name = onnx_import::OnnxDTypeName(onnx_type);
  return SkipReason{"dtype not in hetero's dtype set", name,
                    "dtype " + name + " not in hetero's dtype set"};
}

// Every element type the model names: values, initializers, Constant values, Cast
// targets and ConstantOfShape values.
std::vector<int32_t> DTypesNamed(const ::onnx::GraphProto& graph) {
  std::vector<int32_t> types;
  for (const auto* list : {&graph.input(), &graph.output(), &graph.value_info()}) {
    for (const auto& v : *list) {
      if (v.type().has_tensor_type()) types.push_back(v.type().tensor_type().elem_type());
    }
  }
  for (const auto& t : graph.initializer()) types.push_back(t.data_type());
  for (const auto& node : graph.node()) {
    for (const auto& a : node.attribute()) {
      if (a.type() == ::onnx::AttributeProto::TENSOR) types.push_back(a.t().data_type());
      if (a.name() == "to" && a.type() == ::onnx::AttributeProto::INT) {
        types.push_back(static_cast<int32_t>(a.i()));
      }
    }
  }
  return types;
}

}  // namespace

std::optional<SkipReason> OutOfScope(const ::onnx::ModelProto& model) {
  if (auto r = OpsetOutOfScope(model)) return r;
  if (auto r = OpsOutOfScope(model.graph())) return r;
  for (const auto* list : {&model.graph().input(), &model.graph().output()}) {
    for (const auto& v : *list) {
      if (auto r = ValueKindOutOfScope(v)) return r;
    }
  }
  for (int32_t type : DTypesNamed(model.graph())) {
    if (auto r = DTypeOutOfScope(type)) return r;
  }
  const bool has_default = std::any_of(model.opset_import().begin(), model.opset_import().end(),
                                       [](const auto& o) { return IsDefaultDomain(o.domain()); });
  if (!has_default) return SkipReason{"no default-domain opset", "", "no default-domain opset"};
  return std::nullopt;
}

}  // namespace hetero::onnx_node
