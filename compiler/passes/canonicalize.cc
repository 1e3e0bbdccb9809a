// Pass 'canonicalize' (not written yet: changes nothing).
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

class CanonicalizePass final : public Pass {
 public:
  std::string_view name() const override { return "canonicalize"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return false; }
};

}  // namespace

std::unique_ptr<Pass> CreateCanonicalizePass() { return std::make_unique<CanonicalizePass>(); }

}  // namespace hetero::passes
