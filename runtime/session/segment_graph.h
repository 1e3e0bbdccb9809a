// A placement segment as a standalone ir::Graph: the values it reads from outside become
// inputs, the values read after it (or graph outputs) become outputs, names kept.
#pragma once

#include <memory>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero {

// `nodes` in topological order, all from `graph`. Constants stay constants (sharing
// memory); every other outside value becomes a graph input of the same name and type.
StatusOr<std::unique_ptr<ir::Graph>> ExtractSegmentGraph(const ir::Graph& graph,
                                                         const std::vector<const ir::Node*>& nodes);

}  // namespace hetero
