// Checks that an IR graph is well formed before passes, placement or execution use it.
#pragma once

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::ir {

// Returns the first problem found, naming the node or value, or OK. Checks, in order:
//  - value names are unique and every constant's type matches its data;
//  - per node (in list order): the op is in the registry, input/output counts and
//    attributes fit the schema (ops::CheckArity), every input is defined in this graph
//    (a graph input, a constant or an output of one of its nodes):
//      "node 'x' (Add) uses 'y', which is never defined";
//  - every graph output is defined;
//  - the nodes have a topological order (inputs may come later in the node list):
//      "graph has a cycle through node 'x' (Add)";
//  - in topological order, each node's recorded output types agree with what the op's
//    inference gives now: same dtype, same rank, compatible dims (hetero::DimsCompatible).
// Reads the graph only; safe to call concurrently on a graph nobody is changing.
Status VerifyGraph(const Graph& g);

}  // namespace hetero::ir
