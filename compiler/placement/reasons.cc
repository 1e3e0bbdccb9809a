// Why each node and segment went where it did, and the --explain text.
#include "compiler/placement/reasons.h"

#include <cstdio>

namespace hetero::placement {
namespace {

enum class Why { kPinned, kOnlyCandidate, kCheapest, kMerged, kFewerTransfers };

Why Classify(const ReasonInputs& in, const std::vector<int>& assignment, size_t i, int& cheapest) {
  cheapest = assignment[i];
  int num_allowed = 0;
  for (int d = 0; d < static_cast<int>(in.devices.size()); ++d) {
    if (!in.model.allowed(i, d)) continue;
    ++num_allowed;
    if (in.model.NodeSeconds(i, d) < in.model.NodeSeconds(i, cheapest)) cheapest = d;
  }
  if (!in.pin_text[i].empty()) return Why::kPinned;
  if (num_allowed == 1) return Why::kOnlyCandidate;
  if (cheapest == assignment[i]) return Why::kCheapest;
  return in.merged[i] ? Why::kMerged : Why::kFewerTransfers;
}

std::string Others(const ReasonInputs& in, size_t i, int chosen) {
  std::string text;
  for (int d = 0; d < static_cast<int>(in.devices.size()); ++d) {
    if (d == chosen || !in.model.allowed(i, d)) continue;
    text += (text.empty() ? "" : ", ") + in.devices[d].name + " " +
            FormatSeconds(in.model.NodeSeconds(i, d));
  }
  return text;
}

}  // namespace

std::string FormatSeconds(double seconds) {
  char buffer[64];
  if (seconds >= 1) {
    std::snprintf(buffer, sizeof(buffer), "%.3g s", seconds);
  } else if (seconds >= 1e-3) {
    std::snprintf(buffer, sizeof(buffer), "%.3g ms", seconds * 1e3);
  } else if (seconds >= 1e-6) {
    std::snprintf(buffer, sizeof(buffer), "%.3g µs", seconds * 1e6);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.3g ns", seconds * 1e9);
  }
  return buffer;
}

std::string WhyNot(const DeviceInfo& device, size_t index, const ir::Node& node) {
  std::string text = device.name + " does not support " + node.op();
  if (index < device.reasons.size() && !device.reasons[index].empty()) {
    text += " (" + device.reasons[index] + ")";
  }
  return text;
}

std::string NodeReason(const ReasonInputs& in, const std::vector<int>& assignment, size_t i) {
  int cheapest = 0;
  Why why = Classify(in, assignment, i, cheapest);
  int chosen = assignment[i];
  const std::string& name = in.devices[chosen].name;
  std::string here = name + " " + FormatSeconds(in.model.NodeSeconds(i, chosen));
  switch (why) {
    case Why::kPinned: return in.pin_text[i];
    case Why::kOnlyCandidate: {
      if (in.devices.size() == 1) return name + ": the only device in the list";
      std::string text = name + ": the only device that supports it";
      size_t k = in.index.at(in.model.node(i));
      for (size_t d = 0; d < in.devices.size(); ++d) {
        if (static_cast<int>(d) != chosen)
          text += "; " + WhyNot(in.devices[d], k, *in.model.node(i));
      }
      return text;
    }
    case Why::kCheapest: return "cheapest: " + here + " vs " + Others(in, i, chosen);
    case Why::kMerged:
      return "merged into a neighbouring segment to avoid a tiny one: " + here + " vs " +
             Others(in, i, chosen);
    case Why::kFewerTransfers: {
      std::vector<int> moved = assignment;
      moved[i] = cheapest;
      return "fewer transfers and segments: " + here + " vs " + Others(in, i, chosen) +
             ", but the plan would take " + FormatSeconds(in.model.Total(moved)) + " instead of " +
             FormatSeconds(in.model.Total(assignment)) + " with it on " + in.devices[cheapest].name;
    }
  }
  return "";
}

std::string SegmentReason(const ReasonInputs& in, const std::vector<int>& assignment, size_t begin,
                          size_t end) {
  size_t counts[5] = {};
  double seconds = 0;
  for (size_t i = begin; i < end; ++i) {
    int cheapest = 0;
    ++counts[static_cast<int>(Classify(in, assignment, i, cheapest))];
    seconds += in.model.NodeSeconds(i, assignment[i]);
  }
  static const char* kNames[5] = {"pinned", "only candidate", "cheapest",
                                  "merged to avoid fragmentation", "fewer transfers"};
  std::string text = std::to_string(end - begin) + " nodes, " + FormatSeconds(seconds) + ":";
  for (int k = 0; k < 5; ++k) {
    if (counts[k] > 0) text += " " + std::to_string(counts[k]) + " " + kNames[k] + ",";
  }
  text.pop_back();
  return text;
}

std::string FormatPlan(const PlacementPlan& plan) {
  std::string text = "placement: " + std::to_string(plan.segments.size()) + " segment(s), " +
                     std::to_string(plan.nodes.size()) + " node(s), predicted " +
                     FormatSeconds(plan.predicted_s) + " (transfers " +
                     FormatSeconds(plan.transfer_s) + " in " + std::to_string(plan.num_transfers) +
                     ")\n";
  size_t next = 0;
  for (size_t s = 0; s < plan.segments.size(); ++s) {
    const Segment& segment = plan.segments[s];
    text += "segment " + std::to_string(s) + " on " + plan.devices[segment.device] + ": " +
            segment.reason + "\n";
    for (size_t k = 0; k < segment.nodes.size(); ++k, ++next) {
      const NodePlacement& placed = plan.nodes[next];
      text += "  " + placed.node->name() + " (" + placed.node->op() + "): " + placed.reason + "\n";
    }
  }
  return text;
}

}  // namespace hetero::placement
