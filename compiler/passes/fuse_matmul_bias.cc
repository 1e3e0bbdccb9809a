// Pass 'fuse-matmul-bias' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FuseMatMulBiasPass final : public Pass {
 public:
  std::string_view name() const override { return "fuse-matmul-bias"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseMatMulBiasPass() { return std::make_unique<FuseMatMulBiasPass>(); }

}  // namespace hetero::passes
