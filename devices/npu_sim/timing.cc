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
  const double chip_compute_ns = rate > 0 ? work.flops / rate * 1e9 : 0;
  // Tiles of half a core's SRAM (the other half holds the next tile), and at least one
  // per core: the compiler splits every op across the cores.
  const int64_t cores = std::max(1, preset.cores);
  const double half_sram = preset.sram_per_core_bytes / 2;
  const int64_t by_size = static_cast<int64_t>(std::ceil(work.dram_bytes / half_sram));
  t.tiles = std::max<int64_t>(cores, std::max<int64_t>(1, by_size));
  const double n = static_cast<double>(t.tiles);
  // One command stream per core, tiles dealt round-robin: the busiest core runs
  // ceil(n / cores) of them; the active cores share the DRAM bandwidth.
  t.active_cores = std::min<int64_t>(cores, t.tiles);
  t.critical_tiles = (t.tiles + cores - 1) / cores;
  const double active = static_cast<double>(t.active_cores);
  const double setup_ns = work.dram_bytes > 0 ? preset.dma_setup_cycles / preset.clock_hz * 1e9 : 0;
  const double tile_dma = work.dram_bytes / n / (preset.dram_bytes_per_s / active) * 1e9 + setup_ns;
  const double tile_compute = chip_compute_ns * static_cast<double>(cores) / n;
  t.compute_ns = tile_compute * n / active;
  t.dma_ns = tile_dma * n / active;
  t.compute_bound = tile_compute >= tile_dma;
  const double m = static_cast<double>(t.critical_tiles);
  t.total_ns = tile_dma + tile_compute + (m - 1) * std::max(tile_compute, tile_dma) +
               preset.command_overhead_ns;
  return t;
}

double HostLinkNs(const Preset& preset, double bytes) {
  const double rate = preset.HostLinkBytesPerS();
  return rate > 0 ? bytes / rate * 1e9 : 0;
}

}  // namespace hetero::npu_sim
