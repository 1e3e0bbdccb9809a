// ReadMeasuredOpTimes: "results[].ops[]" rows of a bench JSON file, medians per node and
// device.
#include "runtime/session/profile_guided.h"

#include <algorithm>
#include <vector>

#include "profiler/json.h"

namespace hetero {

StatusOr<std::map<std::string, std::map<std::string, double>>> ReadMeasuredOpTimes(
    const std::string& path) {
  HETERO_ASSIGN_OR_RETURN(profiler::JsonValue root, profiler::ReadJsonFile(path));
  const profiler::JsonValue* results = root.Find("results");
  if (root.Find("schema_version") == nullptr || results == nullptr || !results->is_array()) {
    return InvalidArgument("profile " + path +
                           ": not a `hetero bench --format json` result (no schema_version or "
                           "results)");
  }
  std::map<std::string, std::map<std::string, std::vector<double>>> samples;
  for (const profiler::JsonValue& result : results->items()) {
    const profiler::JsonValue* ops = result.Find("ops");
    if (ops == nullptr || !ops->is_array()) continue;
    for (const profiler::JsonValue& row : ops->items()) {
      const std::string node = row.StringOr("node", "");
      const std::string device = row.StringOr("device", "");
      const double ms = row.NumberOr("time_ms", -1);
      if (node.empty() || device.empty() || ms < 0) continue;
      if (row.StringOr("status", "run") != "run") continue;
      samples[node][device].push_back(ms * 1e-3);
    }
  }
  if (samples.empty()) {
    return InvalidArgument("profile " + path + ": no per-op rows (\"ops\" with node, device, " +
                           "time_ms); run `hetero bench` with profiling on");
  }
  std::map<std::string, std::map<std::string, double>> medians;
  for (auto& [node, devices] : samples) {
    for (auto& [device, values] : devices) {
      std::sort(values.begin(), values.end());
      medians[node][device] = values[values.size() / 2];
    }
  }
  return medians;
}

}  // namespace hetero
