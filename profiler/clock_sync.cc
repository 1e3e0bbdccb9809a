// Clock calibration from paired host/device readings.
#include "profiler/clock_sync.h"

#include <cmath>

namespace hetero::profiler {

namespace {

constexpr double kMinSpanForDriftNs = 1e8;  // 100 ms between first and last sample

double Midpoint(const ClockSample& s) {
  return (static_cast<double>(s.host_before_ns) + static_cast<double>(s.host_after_ns)) / 2;
}

}  // namespace

uint64_t ClockMapping::ToHost(uint64_t device_ns) const {
  const double host = static_cast<double>(device_ns) * scale + offset_ns;
  return host <= 0 ? 0 : static_cast<uint64_t>(std::llround(host));
}

ClockMapping CalibrateClock(const std::vector<ClockSample>& samples) {
  ClockMapping m;
  if (samples.empty()) return m;
  const ClockSample& first = samples.front();
  const ClockSample& last = samples.back();
  const double device_span =
      static_cast<double>(last.device_ns) - static_cast<double>(first.device_ns);
  if (device_span >= kMinSpanForDriftNs) m.scale = (Midpoint(last) - Midpoint(first)) / device_span;
  const ClockSample* best = &first;
  for (const ClockSample& s : samples) {
    if (s.host_after_ns - s.host_before_ns < best->host_after_ns - best->host_before_ns) best = &s;
  }
  m.offset_ns = Midpoint(*best) - static_cast<double>(best->device_ns) * m.scale;
  m.uncertainty_ns = (best->host_after_ns - best->host_before_ns) / 2;
  return m;
}

}  // namespace hetero::profiler
