// Memory planning: liveness of every activation, buffers shared between activations
// whose lifetimes do not overlap, in-place reuse where safe. An analysis: the graph is
// only read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::passes {

struct MemoryPlanOptions {
  // A size for every symbolic dim of the graph inputs ("batch" -> 1, "seq" -> 128).
  std::map<std::string, int64_t> dims;
  // Let an elementwise node write over an input that dies there (InPlaceOps()).
  bool in_place = true;
  // Every buffer is rounded up to this many bytes.
  int64_t alignment = 64;
};

// One activation: the output of a node (constants and graph inputs are not planned).
struct PlannedValue {
  const ir::Value* value = nullptr;
  int64_t bytes = 0;      // unaligned
  int first = 0;          // step (position in topological order) of the producer
  int last = 0;           // last step that reads it; num_steps for graph outputs
  int buffer = -1;        // index into MemoryPlan::buffer_bytes; -1 for empty values
  bool in_place = false;  // shares its buffer with an input that dies at its producer
};

struct MemoryPlan {
  std::vector<PlannedValue> values;   // in topological order of their producers
  std::vector<int64_t> buffer_bytes;  // one entry per buffer (aligned)
  int num_steps = 0;                  // nodes in the graph
  int64_t peak_bytes = 0;             // what the plan needs: sum of buffer_bytes
  int64_t total_bytes = 0;            // every activation in its own buffer (aligned)
  int64_t max_live_bytes = 0;         // most bytes live at one step: a lower bound for any plan
  int in_place_count = 0;
};

// Ops whose output element i depends only on input elements at i (or on broadcast
// operands), so the output may overwrite an input of the same size that dies at the node;
// Reshape, Squeeze and Unsqueeze reinterpret their input as it is.
const std::vector<std::string>& InPlaceOps();

// Plans the activations of `graph` for the dims in `options`:
//  1. Sizes: each node's output types are inferred again from concrete input types
//     (symbols replaced by their sizes); a dim still unknown is an error naming the value.
//  2. Liveness: step = position in topological order; a value lives from its producer's
//     step to its last reader's (graph outputs to the end).
//  3. In place: a node of InPlaceOps() whose input (an activation, not a graph output)
//     has its last read at this node and the output's byte size joins that input's
//     buffer group; the group then lives until its last member dies.
//  4. Buffers, greedy by size with best fit: groups sorted by size (largest first, then
//     by start); each takes the smallest existing buffer whose assigned lifetimes do not
//     overlap its own (every existing buffer is at least as large, being made for a
//     larger group), or a new buffer of its size.
// Errors: a symbol without a size, a dim that stays unknown, a size that overflows.
StatusOr<MemoryPlan> PlanMemory(const ir::Graph& graph, const MemoryPlanOptions& options);

// "12.5 MiB": bytes for people.
std::string FormatBytes(int64_t bytes);

}  // namespace hetero::passes
