// int8 calibration: one float run of the compiled program on calibration inputs, the
// largest magnitude of every matrix op's left operand, activation scales from it.
#include <algorithm>
#include <string>

#include "devices/npu_sim/npu_plugin.h"
#include "devices/npu_sim/sim_run.h"
#include "runtime/io/npy.h"

namespace hetero::npu_sim {
namespace {

// The calibration run's inputs: the file's tensor for the first input, zeros for the
// others (dynamic dims taken from the file's tensor where it has that axis, else 1).
StatusOr<std::vector<Tensor>> CalibrationInputs(const cpu::Program& prog, const Tensor& sample,
                                                const std::string& path) {
  if (prog.inputs.empty()) return InvalidArgument("calibrate: the program has no inputs");
  const cpu::ProgramValue& first = prog.values[prog.inputs[0]];
  if (sample.dtype() != DType::kF32 || sample.rank() != first.dims.size()) {
    return InvalidArgument("calibrate: " + path + " holds " + sample.type().ToString() +
                           ", the first input '" + first.name + "' is " +
                           std::string(DTypeName(first.dtype)) + " of rank " +
                           std::to_string(first.dims.size()));
  }
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < prog.inputs.size(); ++i) {
    const cpu::ProgramValue& v = prog.values[prog.inputs[i]];
    std::vector<int64_t> dims = v.dims;
    for (size_t d = 0; d < dims.size(); ++d) {
      if (i == 0 && dims[d] >= 0 && dims[d] != sample.dims()[d]) {
        return InvalidArgument("calibrate: " + path + " has dim " + std::to_string(d) + " = " +
                               std::to_string(sample.dims()[d]) + ", '" + v.name + "' needs " +
                               std::to_string(dims[d]));
      }
      if (dims[d] < 0) dims[d] = d < sample.rank() ? sample.dims()[d] : 1;
    }
    if (i == 0) {
      inputs.push_back(sample);
      continue;
    }
    HETERO_ASSIGN_OR_RETURN(Tensor zeros, Tensor::Allocate(v.dtype, dims));
    inputs.push_back(std::move(zeros));
  }
  return inputs;
}

}  // namespace

DType FloatFormat(const Preset& preset) {
  if (preset.Supports(DType::kBF16)) return DType::kBF16;
  if (preset.Supports(DType::kF16)) return DType::kF16;
  return DType::kF32;
}

Status Calibrate(const Device& device, Program& program, const std::string& path) {
  auto sample = ReadNpy(path);
  if (!sample.ok()) return sample.status().WithContext("calibrate");
  HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> inputs,
                          CalibrationInputs(program.program, *sample, path));
  std::vector<float> max_abs(program.program.nodes.size(), 0.0f);
  SimRunInfo info{&device, 0, 0, &max_abs};
  std::vector<Tensor> no_outputs;
  HETERO_RETURN_IF_ERROR(RunSim(program, inputs, no_outputs, info, nullptr)
                             .WithContext("calibrate: the float run on " + path));
  program.matmul_input = DType::kI8;
  PackConstantOperands(program);
  for (size_t n = 0; n < max_abs.size(); ++n) {
    program.act_scale[n] = program.quantized[n] ? ActivationScale(max_abs[n]) : 0.0f;
  }
  return OkStatus();
}

}  // namespace hetero::npu_sim
