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
};

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

// Splits the op into n tiles of at most half a core's SRAM each (the other half holds
// the next tile: double buffering), at least one per core, dealt round-robin to one
// command stream per core. A tile computes at the per-core rate (c = compute x cores /
// n) and moves its bytes at the DRAM bandwidth shared by the active cores a
// (d = bytes / n / (bandwidth / a) + setup). The busiest core's stream, m = ceil(n /
// cores) tiles, is the critical path: d + c + (m - 1) max(c, d); plus the command
// overhead. One core gives the single-pipeline model.
OpTiming TimeOp(const Preset& preset, DType compute, const OpWork& work);

// Nanoseconds to move `bytes` over the host link (no overhead).
double HostLinkNs(const Preset& preset, double bytes);

}  // namespace hetero::npu_sim
