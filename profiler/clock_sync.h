// Device clock → host clock: an offset (and drift) estimated from paired readings, for
// devices whose timestamps are in their own clock (OpenCL, CUDA events).
#pragma once

#include <cstdint>
#include <vector>

namespace hetero::profiler {

// One pairing: the host clock read just before and just after reading the device clock.
struct ClockSample {
  uint64_t host_before_ns = 0;
  uint64_t device_ns = 0;
  uint64_t host_after_ns = 0;
};

// host = device * scale + offset_ns. The offset comes from the sample with the smallest
// round trip (its midpoint is the best-bounded); the scale from the first and last
// samples' midpoints when they are far enough apart to tell drift from jitter, else 1.
struct ClockMapping {
  double scale = 1;
  double offset_ns = 0;
  uint64_t uncertainty_ns = 0;  // half the best round trip
  uint64_t ToHost(uint64_t device_ns) const;
};

// An identity mapping when `samples` is empty.
ClockMapping CalibrateClock(const std::vector<ClockSample>& samples);

}  // namespace hetero::profiler
