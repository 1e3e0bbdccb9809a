// Pass 'cse': merges nodes that compute the same thing (same op, same inputs, equal
// attributes) and identical small constants, keeping the first of each.
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "compiler/passes/pass.h"
#include "compiler/passes/rewrite.h"

namespace hetero::passes {
namespace {

// Constants up to this many bytes are compared and merged; weights are left alone.
constexpr size_t kMaxMergedConstantBytes = 4096;

size_t HashBytes(const Tensor& t) {
  std::string_view bytes(static_cast<const char*>(t.raw()), t.byte_size());
  size_t h = std::hash<std::string_view>()(bytes) ^ static_cast<size_t>(t.dtype());
  for (int64_t d : t.dims()) h = h * 31 + static_cast<size_t>(d);
  return h;
}

bool SameConstant(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.dims() == b.dims() &&
         std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0;
}

size_t HashNode(const ir::Node& node) {
  size_t h = std::hash<std::string>()(node.op()) + node.outputs().size();
  for (const ir::Value* in : node.inputs()) h = h * 1000003 + std::hash<const void*>()(in);
  return h;
}

bool SameComputation(const ir::Node& a, const ir::Node& b) {
  return a.op() == b.op() && a.inputs() == b.inputs() && a.outputs().size() == b.outputs().size() &&
         a.attrs() == b.attrs();
}

// Merges identical small constants; returns the duplicates, now unused.
StatusOr<std::vector<ir::Value*>> MergeConstants(ir::Graph& graph) {
  std::unordered_map<size_t, std::vector<ir::Value*>> seen;
  std::vector<ir::Value*> duplicates;
  const std::vector<ir::Value*> constants = graph.constants();
  for (ir::Value* c : constants) {
    const Tensor& t = *c->constant();
    if (t.byte_size() > kMaxMergedConstantBytes) continue;
    std::vector<ir::Value*>& bucket = seen[HashBytes(t)];
    ir::Value* keep = nullptr;
    for (ir::Value* k : bucket) {
      if (SameConstant(*k->constant(), t)) keep = k;
    }
    if (keep == nullptr || !CanForward(graph, c, keep)) {
      bucket.push_back(c);
      continue;
    }
    HETERO_RETURN_IF_ERROR(ForwardValue(graph, c, keep));
    duplicates.push_back(c);
  }
  return duplicates;
}

// Merges nodes computing the same thing; returns the duplicates, now unused.
StatusOr<std::vector<ir::Node*>> MergeNodes(ir::Graph& graph) {
  // The first in list order is kept: sort the list topologically (moving as little as
  // possible), then walk it.
  HETERO_RETURN_IF_ERROR(graph.SortNodes());
  std::vector<ir::Node*> order;
  for (const auto& node : graph.nodes()) order.push_back(node.get());
  std::unordered_map<size_t, std::vector<ir::Node*>> seen;
  std::vector<ir::Node*> duplicates;
  for (ir::Node* node : order) {
    std::vector<ir::Node*>& bucket = seen[HashNode(*node)];
    ir::Node* keep = nullptr;
    for (ir::Node* k : bucket) {
      if (SameComputation(*k, *node)) keep = k;
    }
    bool can = keep != nullptr;
    for (size_t i = 0; can && i < node->outputs().size(); ++i) {
      can = CanForward(graph, node->output(i), keep->output(i));
    }
    if (!can) {
      bucket.push_back(node);
      continue;
    }
    for (size_t i = 0; i < node->outputs().size(); ++i) {
      ir::Value* kept = keep->output(i);
      HETERO_ASSIGN_OR_RETURN(
          TensorType t, TightenType(kept->type(), node->output(i)->type(), DescribeNode(*keep)));
      kept->set_type(std::move(t));
      HETERO_RETURN_IF_ERROR(ForwardValue(graph, node->output(i), kept));
    }
    duplicates.push_back(node);
  }
  return duplicates;
}

class CsePass final : public Pass {
 public:
  std::string_view name() const override { return "cse"; }

  StatusOr<bool> Run(ir::Graph& graph) override {
    // Constants first: nodes reading equal constants then have equal inputs.
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Value*> constants, MergeConstants(graph));
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> nodes, MergeNodes(graph));
    HETERO_RETURN_IF_ERROR(graph.RemoveNodes(nodes));
    HETERO_RETURN_IF_ERROR(graph.RemoveConstants(constants));
    return !constants.empty() || !nodes.empty();
  }
};

}  // namespace

std::unique_ptr<Pass> CreateCsePass() { return std::make_unique<CsePass>(); }

}  // namespace hetero::passes
