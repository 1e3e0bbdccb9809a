// int8 calibration: one float run of the compiled program on calibration inputs, the
// largest magnitude of every matrix op's left operand, activation scales from it.
#include <algorithm>
#include <string>

#include "devices/npu_sim/npu_plugin.h"
#include "devices/npu_sim/sim_run.h"
#include "runtime/io/npy.h"

namespace hetero::npu_sim {
namespace {

// "a.npy,b.npy" split on commas (one file per input, in the program's input order).
std::vector<std::string> SplitPaths(const std::string& text) {
  std::vector<std::string> paths;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    paths.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return paths;
}

// Checks a calibration tensor against the program input it stands for.
Status CheckSample(const cpu::ProgramValue& input, const Tensor& sample, const std::string& path) {
  if (sample.dtype() != input.dtype || sample.rank() != input.dims.size()) {
    return InvalidArgument("calibrate: " + path + " holds " + sample.type().ToString() +
                           ", the input '" + input.name + "' is " +
                           std::string(DTypeName(input.dtype)) + " of rank " +
                           std::to_string(input.dims.size()));
  }
  for (size_t d = 0; d < input.dims.size(); ++d) {
    if (input.dims[d] >= 0 && input.dims[d] != sample.dims()[d]) {
      return InvalidArgument("calibrate: " + path + " has dim " + std::to_string(d) + " = " +
                             std::to_string(sample.dims()[d]) + ", '" + input.name + "' needs " +
                             std::to_string(input.dims[d]));
    }
  }
  return OkStatus();
}

// The calibration run's inputs: the files' tensors for the first inputs (one file per
// input, in order), zeros for the rest (their dynamic dims from the first file's tensor
// where it has that axis, else 1).
StatusOr<std::vector<Tensor>> CalibrationInputs(const cpu::Program& prog, const std::string& list) {
  if (prog.inputs.empty()) return InvalidArgument("calibrate: the program has no inputs");
  const std::vector<std::string> paths = SplitPaths(list);
  if (paths.size() > prog.inputs.size()) {
    return InvalidArgument("calibrate: " + std::to_string(paths.size()) +
                           " files for a program of " + std::to_string(prog.inputs.size()) +
                           " inputs");
  }
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < paths.size(); ++i) {
    auto sample = ReadNpy(paths[i]);
    if (!sample.ok()) return sample.status().WithContext("calibrate");
    HETERO_RETURN_IF_ERROR(CheckSample(prog.values[prog.inputs[i]], *sample, paths[i]));
    inputs.push_back(std::move(*sample));
  }
  const std::vector<int64_t> first_dims = inputs[0].dims();
  for (size_t i = inputs.size(); i < prog.inputs.size(); ++i) {
    std::vector<int64_t> dims = prog.values[prog.inputs[i]].dims;
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] < 0) dims[d] = d < first_dims.size() ? first_dims[d] : 1;
    }
    HETERO_ASSIGN_OR_RETURN(Tensor zeros,
                            Tensor::Allocate(prog.values[prog.inputs[i]].dtype, dims));
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
  HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> inputs, CalibrationInputs(program.program, path));
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
