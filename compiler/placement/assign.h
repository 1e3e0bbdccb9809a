// The assignment search: candidate starts, local search over node and segment moves,
// and merging of small segments.
#pragma once

#include <vector>

#include "compiler/placement/cost_model.h"

namespace hetero::placement {

// The device per order position minimizing CostModel::Total (a local optimum reached
// from several starts). `fixed[i]` marks pinned nodes the search must not move.
std::vector<int> SearchAssignment(const CostModel& model, const std::vector<bool>& fixed);

// Merges segments shorter than min_segment_nodes into a neighbour's device when that
// raises the predicted total by at most merge_tolerance (relative). Returns how many
// segments it merged away; `merged[i]` marks nodes moved this way.
size_t MergeSmallSegments(const CostModel& model, const std::vector<bool>& fixed,
                          const PlacementOptions& options, std::vector<int>& assignment,
                          std::vector<bool>& merged);

// The best assignment by trying all of them (num_devices^num_nodes; tests only).
std::vector<int> ExhaustiveAssignment(const CostModel& model);

}  // namespace hetero::placement
