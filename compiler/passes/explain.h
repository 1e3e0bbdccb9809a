// The summary `hetero compile --explain` prints: op counts before and after the pipeline,
// the fusions it applied, and the memory plan.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/passes/memory_plan.h"
#include "compiler/passes/pipeline.h"

namespace hetero::passes {

using OpCounts = std::map<std::string, int64_t>;

// Nodes per op type.
OpCounts CountOps(const ir::Graph& graph);

// The fused op types (Attention, LayerNorm, RMSNorm, Gelu, Rope, SwiGLU, FusedMatMul).
const std::vector<std::string>& FusedOpTypes();

// How many nodes of each fused op type the pipeline created: after minus before, for
// the types whose count grew.
OpCounts FusionsApplied(const OpCounts& before, const OpCounts& after);

struct CompileSummary {
  std::string model;
  OpCounts ops_before;
  OpCounts ops_after;
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  std::vector<PassReport> reports;
  std::map<std::string, int64_t> dims;  // symbol sizes the memory plan used
  std::optional<MemoryPlan> memory;
  std::string memory_error;  // why there is no plan, when there is none
};

// The text of `--explain`: nodes before -> after, a table of op counts (every type
// present before or after), the fusions applied, and the memory plan's peak against the
// sum of all activations.
std::string FormatExplain(const CompileSummary& summary);

}  // namespace hetero::passes
