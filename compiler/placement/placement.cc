// Place(): candidates from support answers and pins, the assignment search, segments.
#include "compiler/placement/placement.h"

#include <algorithm>
#include <unordered_map>

#include "compiler/placement/assign.h"
#include "compiler/placement/cost_model.h"
#include "compiler/placement/reasons.h"

namespace hetero::placement {
namespace {

int FindDevice(const std::vector<DeviceInfo>& devices, std::string_view name) {
  for (size_t d = 0; d < devices.size(); ++d) {
    if (devices[d].name == name) return static_cast<int>(d);
  }
  return -1;
}

bool Supports(const DeviceInfo& device, size_t index) {
  return index < device.supported.size() && device.supported[index];
}

// The pinned device of a node (-1: none), its pin text in `pin_text`.
StatusOr<int> PinnedDevice(const ir::Node& node, const std::vector<DeviceInfo>& devices,
                           const PlacementOptions& options, std::string& pin_text) {
  const Pin* chosen = nullptr;
  for (const Pin& pin : options.pins) {
    if (pin.key == node.name()) chosen = &pin;
    if (pin.key == node.op() && (chosen == nullptr || chosen->key != node.name())) chosen = &pin;
  }
  if (chosen == nullptr) return -1;
  int device = FindDevice(devices, chosen->device);
  if (device < 0) {
    return NotFound("--pin " + chosen->key + "=" + chosen->device + ": no device named '" +
                    chosen->device + "' in the device list");
  }
  pin_text = "pinned by --pin " + chosen->key + "=" + chosen->device;
  return device;
}

struct Candidates {
  std::vector<std::vector<bool>> allowed;  // per order position
  std::vector<bool> fixed;
  std::vector<std::string> pin_text;
};

StatusOr<Candidates> FindCandidates(const std::vector<const ir::Node*>& order,
                                    const std::unordered_map<const ir::Node*, size_t>& index,
                                    const std::vector<DeviceInfo>& devices,
                                    const PlacementOptions& options) {
  Candidates result;
  std::string errors;
  for (const ir::Node* node : order) {
    size_t k = index.at(node);
    std::vector<bool> allowed(devices.size());
    std::string why_not;
    for (size_t d = 0; d < devices.size(); ++d) {
      allowed[d] = Supports(devices[d], k);
      if (!allowed[d]) why_not += "; " + WhyNot(devices[d], k, *node);
    }
    std::string pin_text;
    HETERO_ASSIGN_OR_RETURN(int pinned, PinnedDevice(*node, devices, options, pin_text));
    if (pinned >= 0) {
      if (!allowed[pinned]) {
        errors += "\n  " + ir::DescribeNode(*node) + ": " + pin_text + ", but " +
                  WhyNot(devices[pinned], k, *node);
      }
      for (size_t d = 0; d < devices.size(); ++d) allowed[d] = allowed[d] && int(d) == pinned;
    } else if (options.no_fallback && !allowed[0]) {
      errors += "\n  " + ir::DescribeNode(*node) + ": " + WhyNot(devices[0], k, *node);
    } else if (std::find(allowed.begin(), allowed.end(), true) == allowed.end()) {
      errors += "\n  " + ir::DescribeNode(*node) + ": no device can run it" + why_not;
    }
    result.allowed.push_back(std::move(allowed));
    result.fixed.push_back(pinned >= 0);
    result.pin_text.push_back(std::move(pin_text));
  }
  if (!errors.empty()) {
    std::string head = options.no_fallback
                           ? "--no-fallback: " + devices[0].name + " cannot run every node:"
                           : "placement failed:";
    return InvalidArgument(head + errors);
  }
  return result;
}

// Every pin names a device of the list and an op type or node name of the graph.
Status CheckPins(const ir::Graph& graph, const std::vector<DeviceInfo>& devices,
                 const PlacementOptions& options) {
  for (const Pin& pin : options.pins) {
    std::string text = "--pin " + pin.key + "=" + pin.device;
    if (FindDevice(devices, pin.device) < 0) {
      return NotFound(text + ": no device named '" + pin.device + "' in the device list");
    }
    bool used = graph.FindNode(pin.key) != nullptr;
    for (const auto& node : graph.nodes()) used = used || node->op() == pin.key;
    if (!used) {
      return NotFound(text + ": no node and no op type '" + pin.key + "' in the graph");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<PlacementPlan> Place(const ir::Graph& graph, const std::vector<DeviceInfo>& devices,
                              const PlacementOptions& options) {
  if (devices.empty()) return InvalidArgument("placement: no devices given");
  if (devices.size() > 64) return InvalidArgument("placement: more than 64 devices");
  HETERO_RETURN_IF_ERROR(CheckPins(graph, devices, options));
  HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> topo, graph.TopologicalOrder());
  std::vector<const ir::Node*> order(topo.begin(), topo.end());
  std::unordered_map<const ir::Node*, size_t> index;
  for (size_t i = 0; i < graph.nodes().size(); ++i) index[graph.nodes()[i].get()] = i;
  HETERO_ASSIGN_OR_RETURN(Candidates candidates, FindCandidates(order, index, devices, options));

  CostModel model(graph, order, devices, options, candidates.allowed);
  std::vector<int> assignment = SearchAssignment(model, candidates.fixed);
  std::vector<bool> merged(order.size(), false);
  if (options.min_segment_nodes > 1) {
    MergeSmallSegments(model, candidates.fixed, options, assignment, merged);
  }

  PlacementPlan plan;
  for (const DeviceInfo& device : devices) plan.devices.push_back(device.name);
  CostModel::Breakdown breakdown = model.Evaluate(assignment);
  plan.predicted_s = breakdown.total_s;
  plan.transfer_s = breakdown.transfer_s;
  plan.num_transfers = breakdown.num_transfers;
  ReasonInputs inputs{model, devices, index, candidates.pin_text, merged};
  for (size_t i = 0; i < order.size(); ++i) {
    NodePlacement placed;
    placed.node = order[i];
    placed.device = assignment[i];
    placed.cost_s = model.NodeSeconds(i, assignment[i]);
    placed.reason = NodeReason(inputs, assignment, i);
    plan.nodes.push_back(std::move(placed));
    if (i == 0 || assignment[i] != assignment[i - 1]) {
      plan.segments.push_back(Segment{assignment[i], {}, ""});
    }
    plan.segments.back().nodes.push_back(order[i]);
  }
  size_t begin = 0;
  for (Segment& segment : plan.segments) {
    segment.reason = SegmentReason(inputs, assignment, begin, begin + segment.nodes.size());
    begin += segment.nodes.size();
  }
  return plan;
}

StatusOr<Pin> ParsePin(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    return InvalidArgument("--pin expects KEY=DEVICE (an op type or node name), got '" +
                           std::string(text) + "'");
  }
  return Pin{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

}  // namespace hetero::placement
