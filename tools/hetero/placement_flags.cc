// Placement flags shared by `hetero run` and `hetero compile`.
#include "tools/hetero/placement_flags.h"

#include <algorithm>
#include <sstream>

namespace hetero::cli {

StatusOr<std::vector<std::shared_ptr<plugins::Device>>> OpenDeviceList(
    const plugins::PluginRegistry& registry, const std::string& list) {
  std::vector<std::shared_ptr<plugins::Device>> devices;
  std::stringstream ss(list);
  std::string name;
  while (std::getline(ss, name, ',')) {
    HETERO_ASSIGN_OR_RETURN(auto device, registry.OpenDevice(name));
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return InvalidArgument("--device lists no device");
  return devices;
}

StatusOr<placement::PlacementOptions> PlacementOptionsFromFlags(const Flags& flags) {
  placement::PlacementOptions options;
  for (const std::string& text : flags.GetAll("--pin")) {
    HETERO_ASSIGN_OR_RETURN(placement::Pin pin, placement::ParsePin(text));
    options.pins.push_back(std::move(pin));
  }
  options.no_fallback = flags.Has("--no-fallback");
  if (flags.Has("--min-segment")) {
    const std::string text = flags.Get("--min-segment");
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < 1 || value > 1000000) {
      return InvalidArgument("--min-segment expects a node count >= 1, got '" + text + "'");
    }
    options.min_segment_nodes = static_cast<size_t>(value);
  }
  return options;
}

std::string DescribePlacement(const placement::PlacementPlan& plan) {
  std::vector<int> used;
  for (const placement::Segment& segment : plan.segments) {
    if (std::find(used.begin(), used.end(), segment.device) == used.end()) {
      used.push_back(segment.device);
    }
  }
  std::string text;
  for (int device : used) text += (text.empty() ? "" : "+") + plan.devices[device];
  if (plan.segments.size() > 1) text += " (" + std::to_string(plan.segments.size()) + " segments)";
  return text;
}

}  // namespace hetero::cli
