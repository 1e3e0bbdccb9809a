// Pass 'fold-transpose-matmul' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FoldTransposeMatMulPass final : public Pass {
 public:
  std::string_view name() const override { return "fold-transpose-matmul"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFoldTransposeMatMulPass() {
  return std::make_unique<FoldTransposeMatMulPass>();
}

}  // namespace hetero::passes
