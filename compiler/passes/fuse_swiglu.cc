// Pass 'fuse-swiglu' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FuseSwiGluPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-swiglu"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseSwiGluPass() { return std::make_unique<FuseSwiGluPass>(); }

}  // namespace hetero::passes
