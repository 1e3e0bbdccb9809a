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
  int64_t tiles = 1;
  double compute_ns = 0;  // all tiles
  double dma_ns = 0;      // all tiles, setup included
  double total_ns = 0;    // with overlap and the command overhead
  bool compute_bound = false;
};

// Splits the op into tiles of at most half the chip's SRAM each (the other half holds
// the next tile: double buffering). Per tile c = compute / n, d = DMA / n + setup; the
// pipeline takes d + c + (n - 1) max(c, d); plus the command overhead.
OpTiming TimeOp(const Preset& preset, DType compute, const OpWork& work);

// Nanoseconds to move `bytes` over the host link (no overhead).
double HostLinkNs(const Preset& preset, double bytes);

}  // namespace hetero::npu_sim
