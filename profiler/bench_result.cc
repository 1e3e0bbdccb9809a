// BenchResult's choice of the latency that matters.
#include "profiler/bench_result.h"

namespace hetero::profiler {

const std::vector<double>& BenchResult::primary_ms() const {
  if (simulated && scenario == "single" && !device_total_ms.empty()) return device_total_ms;
  return wall_ms;
}

std::string BenchResult::primary_name() const {
  if (&primary_ms() == &wall_ms) return "wall";
  return all_simulated ? "simulated device" : "device (simulated + measured)";
}

}  // namespace hetero::profiler
