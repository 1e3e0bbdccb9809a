// Extracts a placement segment into its own ir::Graph.
#include "runtime/session/segment_graph.h"

#include <unordered_map>
#include <unordered_set>

namespace hetero {
namespace {

// True when a value produced in the segment is read outside it or is a graph output.
bool NeededOutside(const ir::Graph& graph, const ir::Value* value,
                   const std::unordered_map<const ir::Value*, std::vector<ir::Node*>>& users,
                   const std::unordered_set<const ir::Node*>& inside) {
  for (const ir::Value* output : graph.outputs()) {
    if (output == value) return true;
  }
  auto it = users.find(value);
  if (it == users.end()) return false;
  for (const ir::Node* user : it->second) {
    if (!inside.count(user)) return true;
  }
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<ir::Graph>> ExtractSegmentGraph(
    const ir::Graph& graph, const std::vector<const ir::Node*>& nodes) {
  auto segment = std::make_unique<ir::Graph>(graph.name());
  std::unordered_set<const ir::Node*> inside(nodes.begin(), nodes.end());
  std::unordered_map<const ir::Value*, ir::Value*> mapped;
  auto map_input = [&](const ir::Value* value) -> StatusOr<ir::Value*> {
    if (value == nullptr) return static_cast<ir::Value*>(nullptr);
    auto it = mapped.find(value);
    if (it != mapped.end()) return it->second;
    if (value->producer() != nullptr && inside.count(value->producer())) {
      return InvalidArgument("segment: value '" + value->name() + "' is used before " +
                             ir::DescribeNode(*value->producer()) + " produces it");
    }
    StatusOr<ir::Value*> added = value->is_constant()
                                     ? segment->AddConstant(value->name(), *value->constant())
                                     : segment->AddInput(value->name(), value->type());
    HETERO_RETURN_IF_ERROR(added.status());
    mapped[value] = *added;
    return *added;
  };
  for (const ir::Node* node : nodes) {
    std::vector<ir::Value*> inputs;
    for (const ir::Value* input : node->inputs()) {
      HETERO_ASSIGN_OR_RETURN(ir::Value * value, map_input(input));
      inputs.push_back(value);
    }
    std::vector<TensorType> types;
    std::vector<std::string> names;
    for (const ir::Value* output : node->outputs()) {
      types.push_back(output->type());
      names.push_back(output->name());
    }
    HETERO_ASSIGN_OR_RETURN(ir::Node * copy,
                            segment->AddNodeWithTypes(node->op(), std::move(inputs), node->attrs(),
                                                      std::move(types), node->name(), names));
    for (size_t i = 0; i < node->outputs().size(); ++i) mapped[node->output(i)] = copy->output(i);
  }
  auto users = graph.ComputeUsers();
  for (const ir::Node* node : nodes) {
    for (const ir::Value* output : node->outputs()) {
      if (NeededOutside(graph, output, users, inside)) segment->AddOutput(mapped.at(output));
    }
  }
  return segment;
}

}  // namespace hetero
