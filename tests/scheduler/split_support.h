// Test support: a built-in model compiled across devices with a forced split (alternate
// layers, round robin by node, or automatic), run by the flow scheduler.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/plugins/plugin_registry.h"
#include "runtime/scheduler/flow_scheduler.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero::testing {

enum class SplitPolicy {
  kAutomatic,      // placement's own choice
  kRoundRobin,     // node i on device i % n when that device runs it, else the first
  kAlternateLayer  // transformer layer k (from the node name "...layerK..."/"hK") on k % n
};

// The registry tests use: built-ins plus the "partial" test plugin.
std::unique_ptr<plugins::PluginRegistry> TestRegistry(int threads = 2);

struct Compiled {
  LoadedModel model;
  std::unique_ptr<PartitionedExecutor> executor;
  std::unique_ptr<scheduler::FlowScheduler> scheduler;
};

// Loads `model`, optimizes it, places it on `devices` by `policy` and builds a
// scheduler on the registry's arena. "cpu-b" names a second device of the cpu plugin's
// instance (so values move between the two device to device).
StatusOr<std::unique_ptr<Compiled>> CompileSplit(const plugins::PluginRegistry& registry,
                                                 const std::string& model,
                                                 const std::vector<std::string>& devices,
                                                 SplitPolicy policy,
                                                 scheduler::SchedulerOptions options = {});

// An IR-text graph (docs/ir-text.md), not optimized, each node pinned as `pins` says
// ("node=device"), on a scheduler of its own.
StatusOr<std::unique_ptr<Compiled>> CompilePinned(const plugins::PluginRegistry& registry,
                                                  std::string_view ir_text,
                                                  const std::vector<std::string>& devices,
                                                  const std::vector<std::string>& pins,
                                                  scheduler::SchedulerOptions options = {});

// Largest |a - b| over every element of every output (inf on a shape mismatch).
double MaxAbsDiff(const std::vector<Tensor>& a, const std::vector<Tensor>& b);
// The graph's outputs, in order, out of a RunResult.
std::vector<Tensor> Ordered(const ir::Graph& graph, const RunResult& result);

}  // namespace hetero::testing
