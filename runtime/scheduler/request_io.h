// A request's inputs into value slots (host tensors, device-resident tensors) and its
// outputs out of them (host tensors, or device tensors for keep_on_device).
#pragma once

#include <vector>

#include "compiler/ir/graph.h"
#include "runtime/scheduler/request.h"
#include "runtime/scheduler/segment_launch.h"

namespace hetero::scheduler {

// Checks the inputs against the graph (host and device inputs together; a name given
// twice is an error) and fills request.values. A device input read by a segment on a
// device that cannot take it directly, or small enough for host shape inference, is
// also copied to the host here, on the calling thread.
Status SeedRequest(Request& request, const ir::Graph& graph, const std::vector<SegmentPlan>& plans,
                   const NamedTensors& inputs);

// The graph outputs of a finished request.
StatusOr<RunResult> CollectOutputs(Request& request, const ir::Graph& graph);

}  // namespace hetero::scheduler
