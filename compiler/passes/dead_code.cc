// Pass 'dce' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class DeadCodePass final : public Pass {
 public:
  std::string_view name() const override { return "dce"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateDeadCodePass() { return std::make_unique<DeadCodePass>(); }

}  // namespace hetero::passes
