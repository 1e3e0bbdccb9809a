// The timing model's arithmetic (see timing.h and docs/npu-sim.md).
#include "devices/npu_sim/timing.h"

#include <algorithm>
#include <cmath>

namespace hetero::npu_sim {

OpTiming TimeOp(const Preset& preset, DType compute, const OpWork& work) {
  OpTiming t;
  if (work.engine == Engine::kNone && work.dram_bytes <= 0) {
    t.tiles = 0;  // folded into its neighbours' DMA descriptors: no command
    return t;
  }
  double rate = 0;
  if (work.engine == Engine::kMatrix) rate = preset.MatrixPeak(compute);
  if (work.engine == Engine::kVector) rate = preset.vector_elems_per_s;
  t.compute_ns = rate > 0 ? work.flops / rate * 1e9 : 0;
  const double half_sram = preset.SramBytes() / 2;
  t.tiles = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(work.dram_bytes / half_sram)));
  const double n = static_cast<double>(t.tiles);
  // Engines split a tile's transfer; each transfer pays one setup.
  const double setup_ns = work.dram_bytes > 0 ? preset.dma_setup_cycles / preset.clock_hz * 1e9 : 0;
  const double tile_dma = work.dram_bytes / n / preset.dram_bytes_per_s * 1e9 + setup_ns;
  const double tile_compute = t.compute_ns / n;
  t.dma_ns = tile_dma * n;
  t.compute_bound = tile_compute >= tile_dma;
  t.total_ns = tile_dma + tile_compute + (n - 1) * std::max(tile_compute, tile_dma) +
               preset.command_overhead_ns;
  return t;
}

double HostLinkNs(const Preset& preset, double bytes) {
  const double rate = preset.HostLinkBytesPerS();
  return rate > 0 ? bytes / rate * 1e9 : 0;
}

}  // namespace hetero::npu_sim
