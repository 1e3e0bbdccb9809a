// GraphView: builds the C graph view of an ir::Graph or of a subgraph.
#include "runtime/plugins/graph_view.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace hetero::plugins {

hetero_dtype ToPluginDType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return HETERO_DTYPE_F32;
    case DType::kF16: return HETERO_DTYPE_F16;
    case DType::kBF16: return HETERO_DTYPE_BF16;
    case DType::kF8E4M3: return HETERO_DTYPE_F8E4M3;
    case DType::kI64: return HETERO_DTYPE_I64;
    case DType::kI32: return HETERO_DTYPE_I32;
    case DType::kI8: return HETERO_DTYPE_I8;
    case DType::kU8: return HETERO_DTYPE_U8;
    case DType::kBool: return HETERO_DTYPE_BOOL;
  }
  return HETERO_DTYPE_F32;
}

StatusOr<DType> FromPluginDType(int32_t dtype) {
  for (DType candidate : kAllDTypes) {
    if (ToPluginDType(candidate) == dtype) return candidate;
  }
  return InvalidArgument("unknown hetero_dtype " + std::to_string(dtype));
}

StatusOr<hetero_tensor_desc> MakeTensorDesc(DType dtype, const std::vector<int64_t>& dims) {
  if (dims.size() > HETERO_MAX_RANK) {
    return InvalidArgument("rank " + std::to_string(dims.size()) + " exceeds the plugin ABI's " +
                           std::to_string(HETERO_MAX_RANK));
  }
  hetero_tensor_desc desc{};
  desc.struct_size = sizeof(desc);
  desc.dtype = ToPluginDType(dtype);
  desc.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) desc.dims[i] = dims[i];
  return desc;
}

StatusOr<hetero_tensor_desc> MakeTensorDesc(const TensorType& type) {
  std::vector<int64_t> dims;
  for (const Dim& dim : type.shape.dims()) dims.push_back(dim.is_static() ? dim.value() : -1);
  return MakeTensorDesc(type.dtype, dims);
}

StatusOr<std::unique_ptr<GraphView>> GraphView::FromGraph(const ir::Graph& graph) {
  std::vector<const ir::Node*> nodes;
  nodes.reserve(graph.num_nodes());
  for (const auto& node : graph.nodes()) nodes.push_back(node.get());
  std::unique_ptr<GraphView> view(new GraphView());
  HETERO_RETURN_IF_ERROR(view->Build(graph, nodes, /*whole_graph=*/true));
  return view;
}

StatusOr<std::unique_ptr<GraphView>> GraphView::FromNodes(
    const ir::Graph& graph, const std::vector<const ir::Node*>& nodes) {
  std::unique_ptr<GraphView> view(new GraphView());
  HETERO_RETURN_IF_ERROR(view->Build(graph, nodes, /*whole_graph=*/false));
  return view;
}

int32_t GraphView::ValueIndex(const ir::Value* value) const {
  auto it = value_index_.find(value);
  return it == value_index_.end() ? -1 : it->second;
}

std::vector<const ir::Value*> GraphView::InputValues() const {
  std::vector<const ir::Value*> values;
  for (int32_t i : inputs_) values.push_back(ir_values_[i]);
  return values;
}

std::vector<const ir::Value*> GraphView::OutputValues() const {
  std::vector<const ir::Value*> values;
  for (int32_t i : outputs_) values.push_back(ir_values_[i]);
  return values;
}

const char* GraphView::Keep(const std::string& text) { return strings_.emplace_back(text).c_str(); }

namespace {

// `nodes` in the graph's (topological) order, checking each belongs to it, once.
StatusOr<std::vector<const ir::Node*>> InGraphOrder(const ir::Graph& graph,
                                                    const std::vector<const ir::Node*>& nodes) {
  std::unordered_map<const ir::Node*, size_t> position;
  for (size_t i = 0; i < graph.nodes().size(); ++i) position[graph.nodes()[i].get()] = i;
  std::vector<std::pair<size_t, const ir::Node*>> ordered;
  std::unordered_set<const ir::Node*> seen;
  for (const ir::Node* node : nodes) {
    auto it = position.find(node);
    if (node == nullptr || it == position.end()) {
      return InvalidArgument("graph view of '" + graph.name() + "': a node is not in the graph");
    }
    if (!seen.insert(node).second) {
      return InvalidArgument("graph view: " + ir::DescribeNode(*node) + " listed twice");
    }
    ordered.emplace_back(it->second, node);
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<const ir::Node*> result;
  for (const auto& [pos, node] : ordered) result.push_back(node);
  return result;
}

}  // namespace

Status GraphView::Build(const ir::Graph& graph, const std::vector<const ir::Node*>& nodes,
                        bool whole_graph) {
  HETERO_ASSIGN_OR_RETURN(const std::vector<const ir::Node*> ordered, InGraphOrder(graph, nodes));
  const std::unordered_set<const ir::Node*> chosen(ordered.begin(), ordered.end());

  // Boundary values: read here but produced elsewhere (inputs), produced here and read
  // elsewhere or a graph output (outputs).
  std::unordered_set<const ir::Value*> produced_here;
  for (const ir::Node* node : ordered) {
    for (const ir::Value* out : node->outputs()) produced_here.insert(out);
  }
  std::unordered_set<const ir::Value*> input_set;
  if (whole_graph) {
    for (const ir::Value* input : graph.inputs()) {
      HETERO_ASSIGN_OR_RETURN(int32_t index, AddValue(input));
      inputs_.push_back(index);
      input_set.insert(input);
    }
  }
  for (const ir::Node* node : ordered) {
    for (const ir::Value* in : node->inputs()) {
      if (in == nullptr || in->is_constant() || produced_here.count(in)) continue;
      if (!input_set.insert(in).second) continue;
      HETERO_ASSIGN_OR_RETURN(int32_t index, AddValue(in));
      inputs_.push_back(index);
    }
    HETERO_RETURN_IF_ERROR(AddNode(*node));
  }
  std::unordered_set<const ir::Value*> graph_outputs(graph.outputs().begin(),
                                                     graph.outputs().end());
  if (whole_graph) {
    for (const ir::Value* output : graph.outputs()) {
      HETERO_ASSIGN_OR_RETURN(int32_t index, AddValue(output));
      outputs_.push_back(index);
    }
  } else {
    const auto users = graph.ComputeUsers();
    for (const ir::Node* node : ordered) {
      for (const ir::Value* out : node->outputs()) {
        bool used_outside = graph_outputs.count(out) > 0;
        auto it = users.find(out);
        if (it != users.end()) {
          for (const ir::Node* user : it->second) used_outside |= !chosen.count(user);
        }
        if (used_outside) outputs_.push_back(ValueIndex(out));
      }
    }
  }
  Finish();
  return OkStatus();
}

StatusOr<int32_t> GraphView::AddValue(const ir::Value* value) {
  if (auto it = value_index_.find(value); it != value_index_.end()) return it->second;
  if (values_.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return ResourceExhausted("graph view: too many values");
  }
  auto desc = MakeTensorDesc(value->type());
  if (!desc.ok()) return desc.status().WithContext("value '" + value->name() + "'");
  hetero_value_view view{};
  view.struct_size = sizeof(view);
  view.name = Keep(value->name());
  view.type = *desc;
  if (const Tensor* constant = value->constant()) {
    constants_.push_back(*constant);
    view.constant_data = constant->raw();
    view.constant_bytes = constant->byte_size();
  }
  const auto index = static_cast<int32_t>(values_.size());
  values_.push_back(view);
  ir_values_.push_back(value);
  value_index_[value] = index;
  return index;
}

Status GraphView::AddNode(const ir::Node& node) {
  std::vector<int32_t>& inputs = index_lists_.emplace_back();
  for (const ir::Value* in : node.inputs()) {
    if (in == nullptr) {
      inputs.push_back(-1);
      continue;
    }
    HETERO_ASSIGN_OR_RETURN(int32_t index, AddValue(in));
    inputs.push_back(index);
  }
  std::vector<int32_t>& outputs = index_lists_.emplace_back();
  for (const ir::Value* out : node.outputs()) {
    HETERO_ASSIGN_OR_RETURN(int32_t index, AddValue(out));
    outputs.push_back(index);
  }
  std::vector<hetero_attr>& attrs = attr_lists_.emplace_back();
  HETERO_RETURN_IF_ERROR(AddAttrs(node, &attrs));
  hetero_node_view view{};
  view.struct_size = sizeof(view);
  view.op = Keep(node.op());
  view.name = Keep(node.name());
  view.num_inputs = static_cast<uint32_t>(inputs.size());
  view.inputs = inputs.data();
  view.num_outputs = static_cast<uint32_t>(outputs.size());
  view.outputs = outputs.data();
  view.num_attrs = static_cast<uint32_t>(attrs.size());
  view.attrs = attrs.data();
  nodes_.push_back(view);
  ir_nodes_.push_back(&node);
  return OkStatus();
}

Status GraphView::AddAttrs(const ir::Node& node, std::vector<hetero_attr>* out) {
  for (const auto& [name, value] : node.attrs().items()) {
    hetero_attr attr{};
    attr.struct_size = sizeof(attr);
    attr.name = Keep(name);
    switch (ops::KindOf(value)) {
      case ops::AttrKind::kInt:
        attr.kind = HETERO_ATTR_INT;
        attr.i = std::get<int64_t>(value);
        break;
      case ops::AttrKind::kFloat:
        attr.kind = HETERO_ATTR_FLOAT;
        attr.f = std::get<double>(value);
        break;
      case ops::AttrKind::kString:
        attr.kind = HETERO_ATTR_STRING;
        attr.s = Keep(std::get<std::string>(value));
        break;
      case ops::AttrKind::kInts: {
        const auto& ints = int_lists_.emplace_back(std::get<std::vector<int64_t>>(value));
        attr.kind = HETERO_ATTR_INTS;
        attr.ints = ints.data();
        attr.count = ints.size();
        break;
      }
      case ops::AttrKind::kFloats: {
        const auto& floats = float_lists_.emplace_back(std::get<std::vector<double>>(value));
        attr.kind = HETERO_ATTR_FLOATS;
        attr.floats = floats.data();
        attr.count = floats.size();
        break;
      }
      case ops::AttrKind::kStrings: {
        auto& pointers = string_lists_.emplace_back();
        for (const std::string& s : std::get<std::vector<std::string>>(value)) {
          pointers.push_back(Keep(s));
        }
        attr.kind = HETERO_ATTR_STRINGS;
        attr.strings = pointers.data();
        attr.count = pointers.size();
        break;
      }
    }
    out->push_back(attr);
  }
  return OkStatus();
}

void GraphView::Finish() {
  view_ = hetero_graph_view{};
  view_.struct_size = sizeof(view_);
  view_.opset_version = 1;
  view_.num_values = static_cast<uint32_t>(values_.size());
  view_.values = values_.data();
  view_.num_nodes = static_cast<uint32_t>(nodes_.size());
  view_.nodes = nodes_.data();
  view_.num_inputs = static_cast<uint32_t>(inputs_.size());
  view_.inputs = inputs_.data();
  view_.num_outputs = static_cast<uint32_t>(outputs_.size());
  view_.outputs = outputs_.data();
}

}  // namespace hetero::plugins
