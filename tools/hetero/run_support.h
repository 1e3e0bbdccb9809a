// Helpers shared by the CLI's model-running commands: devices, inputs, file names.
#pragma once

#include <map>
#include <string>

#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/session/model_loader.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// Accepts a device list ("cpu", "npu-sim:rngd,cpu"); fails naming any device this
// build does not have.
Status CheckDeviceList(const std::string& list, const std::vector<std::string>& plugin_paths);

// Inputs from --input NAME=FILE.npy; for built-ins, inputs not given are generated
// (their shape from --shape NAME=BxS, else the built-in's default). A missing input of
// a file model is an error listing every expected input.
StatusOr<std::map<std::string, Tensor>> BindInputs(const LoadedModel& model, const Flags& flags);

// "2x16" -> {2, 16}.
StatusOr<std::vector<int64_t>> ParseDims(const std::string& text);

// A value name made safe for a file name ('/' and ':' become '_').
std::string SafeFileName(const std::string& name);

// Usage errors (malformed flags) exit 2, everything else 1.
int ExitStatusFor(const Status& status);

}  // namespace hetero::cli
