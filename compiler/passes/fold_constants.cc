// Pass 'fold-constants' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class FoldConstantsPass final : public Pass {
 public:
  std::string_view name() const override { return "fold-constants"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateFoldConstantsPass() { return std::make_unique<FoldConstantsPass>(); }

}  // namespace hetero::passes
