// Running a Program once: concrete shapes from this run's inputs, reference kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/program.h"
#include "devices/cpu/run_arena.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::cpu {

struct RunInfo {
  const Device* device = nullptr;
  uint32_t stream_id = 0;
  uint64_t correlation_id = 0;
  RunArenaPool* arenas = nullptr;  // the executable's; null: a pool for this run alone
};

// Runs every node in order, inferring each node's output shapes from this run's
// inputs; intermediates live on an arena checked out of `info.arenas` for the run.
// `outputs` wrap the host's output buffers; a node's output that is a graph output is
// written straight into its buffer and must have the shape the host gave. Errors name
// the node. A fused chain (Program::chains) runs as one pass when this run's shapes allow.
// Emits one profile record per node, or per fused chain, when profiling is on.
Status RunProgram(const Program& program, const std::vector<Tensor>& inputs,
                  std::vector<Tensor>& outputs, const RunInfo& info);

}  // namespace hetero::cpu
