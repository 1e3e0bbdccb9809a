// Pass 'fuse-rmsnorm' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FuseRmsNormPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-rmsnorm"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseRmsNormPass() { return std::make_unique<FuseRmsNormPass>(); }

}  // namespace hetero::passes
