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
  // per core the op is split over: every core, unless its parts would be too small.
  const int64_t cores = std::max(1, preset.cores);
  int64_t spread = cores;
  const double min_part = MinPartBytes(preset);
  if (min_part > 0) {
    const double parts = std::floor(work.dram_bytes / min_part);
    spread = parts >= static_cast<double>(cores)
                 ? cores
                 : std::max<int64_t>(1, static_cast<int64_t>(parts));
  }
  if (work.split_cores > 0) spread = std::min<int64_t>(cores, work.split_cores);
  const double half_sram = preset.sram_per_core_bytes / 2;
  const int64_t by_size = static_cast<int64_t>(std::ceil(work.dram_bytes / half_sram));
  t.tiles = std::max<int64_t>(spread, std::max<int64_t>(1, by_size));
  const double n = static_cast<double>(t.tiles);
  // One command stream per active core, tiles dealt round-robin: the busiest core runs
  // ceil(n / active) of them; each core's DMA moves data at its share of the bandwidth.
  t.active_cores = std::min<int64_t>(cores, t.tiles);
  t.critical_tiles = (t.tiles + t.active_cores - 1) / t.active_cores;
  const double active = static_cast<double>(t.active_cores);
  const double per_core_bw = preset.dram_bytes_per_s / static_cast<double>(cores);
  const double setup_ns = work.dram_bytes > 0 ? preset.dma_setup_cycles / preset.clock_hz * 1e9 : 0;
  const double tile_dma = work.dram_bytes / n / per_core_bw * 1e9 + setup_ns;
  const double tile_compute = chip_compute_ns * static_cast<double>(cores) / n;
  t.compute_ns = tile_compute * n / active;
  t.dma_ns = tile_dma * n / active;
  t.compute_bound = tile_compute >= tile_dma;
  const double m = static_cast<double>(t.critical_tiles);
  t.total_ns = tile_dma + tile_compute + (m - 1) * std::max(tile_compute, tile_dma) +
               preset.command_overhead_ns;
  return t;
}

double MinPartBytes(const Preset& preset) {
  if (preset.clock_hz <= 0) return 0;
  const double per_core_bw =
      preset.dram_bytes_per_s / static_cast<double>(std::max(1, preset.cores));
  return preset.dma_setup_cycles / preset.clock_hz * per_core_bw;
}

double HostLinkNs(const Preset& preset, double bytes) {
  const double rate = preset.HostLinkBytesPerS();
  return rate > 0 ? bytes / rate * 1e9 : 0;
}

}  // namespace hetero::npu_sim
