// Why each node and segment went where it did: the text of --explain.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/placement/cost_model.h"

namespace hetero::placement {

struct ReasonInputs {
  const CostModel& model;
  const std::vector<DeviceInfo>& devices;
  const std::unordered_map<const ir::Node*, size_t>& index;  // node -> graph.nodes() index
  const std::vector<std::string>& pin_text;                  // per order position
  const std::vector<bool>& merged;                           // per order position
};

// "npu does not support Gather (reason)".
std::string WhyNot(const DeviceInfo& device, size_t index, const ir::Node& node);

// The reason of the node at order position i.
std::string NodeReason(const ReasonInputs& inputs, const std::vector<int>& assignment, size_t i);
// A summary for the segment [begin, end) of the order.
std::string SegmentReason(const ReasonInputs& inputs, const std::vector<int>& assignment,
                          size_t begin, size_t end);

}  // namespace hetero::placement
