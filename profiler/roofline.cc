// Roofline arithmetic.
#include "profiler/roofline.h"

#include <algorithm>

namespace hetero::profiler {

double Attainable(const Roof& roof, double intensity) {
  if (roof.peak_flops <= 0 || roof.bandwidth <= 0 || intensity < 0) return 0;
  return std::min(roof.peak_flops, roof.bandwidth * intensity);
}

std::string BoundOf(const Roof& roof, double flops, double bytes) {
  if (roof.peak_flops <= 0 || roof.bandwidth <= 0 || bytes <= 0) return "";
  return flops / bytes >= roof.peak_flops / roof.bandwidth ? "compute" : "memory";
}

double Attainment(const Roof& roof, double flops, double bytes, double seconds) {
  if (seconds <= 0 || roof.peak_flops <= 0 || roof.bandwidth <= 0) return 0;
  if (flops > 0 && bytes > 0) {
    return flops / seconds / Attainable(roof, flops / bytes);
  }
  if (bytes > 0) return bytes / seconds / roof.bandwidth;  // data movement only
  return 0;
}

}  // namespace hetero::profiler
