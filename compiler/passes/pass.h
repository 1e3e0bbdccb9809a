// Pass: one graph transformation with a name, run by the pass pipeline.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::passes {

// A pass rewrites a graph in place and says whether it changed anything. It must leave a
// valid graph (the pipeline verifies between passes in tests and debug builds) and must
// not change what the graph computes beyond the tolerance of reassociated float math.
class Pass {
 public:
  virtual ~Pass() = default;
  // The name used on the command line: "fuse-attention".
  virtual std::string_view name() const = 0;
  // Returns whether the graph changed. Errors leave the graph valid but possibly
  // partially rewritten; callers treat them as fatal for the compilation.
  virtual StatusOr<bool> Run(ir::Graph& graph) = 0;
};

struct PassInfo {
  std::string name;
  std::string description;  // one line, for `hetero opt --help` and docs
  std::unique_ptr<Pass> (*create)();
  bool in_default = true;  // false: only when asked for (hetero opt, --quantize)
};

// Every pass, in the order of the default pipeline (which leaves out those not
// in_default).
const std::vector<PassInfo>& AllPasses();
// Fails with the list of known names when `name` is unknown.
StatusOr<std::unique_ptr<Pass>> CreatePass(std::string_view name);

// Factories, one per pass file.
std::unique_ptr<Pass> CreateCanonicalizePass();
std::unique_ptr<Pass> CreateInferShapesPass();
std::unique_ptr<Pass> CreateFoldConstantsPass();
std::unique_ptr<Pass> CreateDeadCodePass();
std::unique_ptr<Pass> CreateCsePass();
std::unique_ptr<Pass> CreateFoldTransposeMatMulPass();
std::unique_ptr<Pass> CreateFuseLayerNormPass();
std::unique_ptr<Pass> CreateFuseRmsNormPass();
std::unique_ptr<Pass> CreateFuseGeluPass();
std::unique_ptr<Pass> CreateFuseAttentionPass();
std::unique_ptr<Pass> CreateFuseRopePass();
std::unique_ptr<Pass> CreateFuseSwiGluPass();
std::unique_ptr<Pass> CreateFuseMatMulBiasPass();
std::unique_ptr<Pass> CreateFuseQuantMatMulPass();
std::unique_ptr<Pass> CreateQuantizeInt8Pass();

}  // namespace hetero::passes
