// Pass 'dce': removes nodes none of whose outputs reach a graph output, and constants
// that no remaining node uses. Graph inputs stay, used or not (they are the interface).
#include <unordered_set>

#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class DeadCodePass final : public Pass {
 public:
  std::string_view name() const override { return "dce"; }

  StatusOr<bool> Run(ir::Graph& graph) override {
    // Walk back from the graph outputs; every node reached is live.
    std::unordered_set<const ir::Node*> live;
    std::vector<const ir::Node*> stack;
    auto reach = [&](const ir::Value* v) {
      if (v != nullptr && v->producer() != nullptr && live.insert(v->producer()).second) {
        stack.push_back(v->producer());
      }
    };
    for (const ir::Value* out : graph.outputs()) reach(out);
    while (!stack.empty()) {
      const ir::Node* node = stack.back();
      stack.pop_back();
      for (const ir::Value* in : node->inputs()) reach(in);
    }
    std::vector<ir::Node*> dead;
    std::unordered_set<const ir::Value*> used(graph.outputs().begin(), graph.outputs().end());
    for (const auto& node : graph.nodes()) {
      if (!live.count(node.get())) {
        dead.push_back(node.get());
        continue;
      }
      for (const ir::Value* in : node->inputs()) used.insert(in);
    }
    std::vector<ir::Value*> unused_constants;
    for (ir::Value* c : graph.constants()) {
      if (!used.count(c)) unused_constants.push_back(c);
    }
    HETERO_RETURN_IF_ERROR(graph.RemoveNodes(dead));
    HETERO_RETURN_IF_ERROR(graph.RemoveConstants(unused_constants));
    return !dead.empty() || !unused_constants.empty();
  }
};

}  // namespace

std::unique_ptr<Pass> CreateDeadCodePass() { return std::make_unique<DeadCodePass>(); }

}  // namespace hetero::passes
