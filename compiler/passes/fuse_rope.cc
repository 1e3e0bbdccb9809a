// Pass 'fuse-rope' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FuseRopePass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-rope"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseRopePass() { return std::make_unique<FuseRopePass>(); }

}  // namespace hetero::passes
