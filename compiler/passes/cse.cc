// Pass 'cse' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class CsePass final : public Pass {
 public:
  std::string_view name() const override { return "cse"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateCsePass() { return std::make_unique<CsePass>(); }

}  // namespace hetero::passes
