// Runs an IR graph node by node on the reference kernels of ops/ — the oracle path.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

// Checks `inputs` against the graph's inputs (names, dtypes, ranks, static dims, and
// one size per symbol), then runs every node in topological order, inferring concrete
// shapes as it goes. Returns the graph outputs in order. Thread-safe for concurrent
// calls on the same graph (the graph is only read). Errors name the node or input.
StatusOr<std::vector<Tensor>> RunReference(const ir::Graph& graph,
                                           const std::map<std::string, Tensor>& inputs);

// As RunReference, but returns the values named in `names` (graph inputs, intermediate
// values or outputs), by name; a name the graph lacks is an error.
StatusOr<std::map<std::string, Tensor>> RunReferenceValues(
    const ir::Graph& graph, const std::map<std::string, Tensor>& inputs,
    const std::vector<std::string>& names);

// The check RunReference starts with, for callers that run graphs another way.
Status CheckInputs(const ir::Graph& graph, const std::map<std::string, Tensor>& inputs);

// "input_ids: i64[batch,seq], attention_mask: i64[batch,seq]": the graph's inputs, for
// messages about missing or wrong inputs.
std::string DescribeInputs(const ir::Graph& graph);

}  // namespace hetero
