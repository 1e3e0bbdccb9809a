// One run of a compiled program on the simulated NPU: the function on the host in the
// chip's number formats, and the predicted time of each command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/npu_sim/npu_plugin.h"
#include "devices/npu_sim/schedule.h"
#include "devices/npu_sim/timing.h"

namespace hetero::npu_sim {

struct SimRunInfo {
  const Device* device = nullptr;
  uint32_t stream_id = 0;
  uint64_t correlation_id = 0;
  // Calibration: when set, per node the largest |value| of a matrix op's left operand.
  std::vector<float>* calibration = nullptr;
};

// One command of the simulated timeline, offsets from the start of the run.
struct SimCommand {
  std::string name;
  std::string op;  // empty for transfers
  double start_ns = 0;
  double end_ns = 0;
  OpTiming timing;
  std::vector<int> cores;  // the cores it ran on (empty: a transfer or a folded view op)
  // Ops only: FLOPs from the op's cost function and the DRAM bytes the chip moves in its
  // storage formats, at the bucket's shapes (profile counters "flops" and "bytes").
  double flops = 0;
  double bytes = 0;
};

// What the chip is asked to do by one node (engine, work, DRAM traffic) given this run's
// tensor types; `compute` is the storage format of f32 values on the chip.
OpWork NodeWork(const ops::OpSchema& schema, const ops::Attributes& attrs,
                const std::vector<const TensorType*>& inputs,
                const std::vector<TensorType>& outputs, DType compute);

// Runs the program: inputs rounded to the compute format, each node's reference kernel,
// its f32 outputs rounded back; fills `timeline` (launch, host-link transfers, commands
// list-scheduled onto the cores: schedule.h) and sends simulated profile records when
// the device profiles.
Status RunSim(const Program& program, const std::vector<Tensor>& inputs,
              std::vector<Tensor>& outputs, const SimRunInfo& info,
              std::vector<SimCommand>* timeline);

}  // namespace hetero::npu_sim
