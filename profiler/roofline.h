// The roofline model: attainable FLOP/s = min(peak, bandwidth × arithmetic intensity);
// an op's attainment is what it achieved over what was attainable.
#pragma once

#include <string>

namespace hetero::profiler {

struct Roof {
  double peak_flops = 0;  // FLOP/s
  double bandwidth = 0;   // bytes/s
};

// FLOP/s attainable at `intensity` FLOP/byte; 0 when the roof is unknown.
double Attainable(const Roof& roof, double intensity);

// "compute" when the intensity is at or past the ridge point (peak / bandwidth), else
// "memory"; "" when the roof or the op's cost is unknown.
std::string BoundOf(const Roof& roof, double flops, double bytes);

// Achieved FLOP/s (or bytes/s for ops without FLOPs) over attainable, for `flops` and
// `bytes` done in `seconds`. 0 when anything is unknown. Above 1 means a counting error
// or a wrong roof, and is returned as is so that reports can show it.
double Attainment(const Roof& roof, double flops, double bytes, double seconds);

}  // namespace hetero::profiler
