// The cycle-approximate timing model of the simulated NPU: per-op tiles into SRAM,
// double-buffered DMA against compute, host-link transfers, command overheads.
#pragma once

#include <cstdint>

#include "devices/npu_sim/preset.h"

namespace hetero::npu_sim {

// Which engine runs an op's arithmetic.
enum class Engine { kMatrix, kVector, kNone };

// What one op asks of the chip.
struct OpWork {
  Engine engine = Engine::kVector;
  double flops = 0;       // matrix engine: 2 x MACs; vector unit: elements produced
  double dram_bytes = 0;  // bytes moved between DRAM and SRAM (inputs read + outputs written)
  // Cores to split the op over; 0: by the split rule (see TimeOp). A fused epilogue
  // sets its matrix op's count.
  int64_t split_cores = 0;
};

// The smallest part of an op the compiler gives a core: the bytes a core's DMA moves in
// the time of one DMA setup (setup / clock x DRAM bandwidth / cores; 0 without setup).
// A smaller part would spend longer setting up its transfer than transferring.
double MinPartBytes(const Preset& preset);

// The predicted time of one op, in nanoseconds, and its parts.
struct OpTiming {
  int64_t tiles = 1;           // all cores
  int64_t active_cores = 1;    // cores with at least one tile
  int64_t critical_tiles = 1;  // tiles of the busiest core: its stream is the critical path
  double compute_ns = 0;       // busy time of an active core, on average
  double dma_ns = 0;           // the same for its DMA, setup included
  double total_ns = 0;         // with overlap and the command overhead
  bool compute_bound = false;
};

// Splits the op over p = min(cores, max(1, floor(bytes / MinPartBytes))) cores (every
// core when MinPartBytes is 0, work.split_cores when set), into n tiles of at most half
// a core's SRAM each (the other half holds the next tile: double buffering), at least
// one per core it is split over, dealt round-robin to one command stream per active core.
// A tile computes at the per-core rate (c = compute x cores / n) and moves its bytes at
// a core's share of the DRAM bandwidth (d = bytes / n / (bandwidth / cores) + setup:
// the DMA engines are divided among the cores). The busiest core's stream, m = ceil(n /
// active) tiles, is the critical path: d + c + (m - 1) max(c, d); plus the command
// overhead. One core gives the single-pipeline model.
OpTiming TimeOp(const Preset& preset, DType compute, const OpWork& work);

// Nanoseconds to move `bytes` over the host link (no overhead).
double HostLinkNs(const Preset& preset, double bytes);

}  // namespace hetero::npu_sim
