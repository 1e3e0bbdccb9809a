// Flags that become device compile options (--precision, --buckets) and int8
// calibration inputs (--calibrate).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hetero/status.h"
#include "hetero/tensor.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// Value flags every command that compiles a model accepts (add them to Flags::Parse).
const std::vector<std::string>& DeviceOptionFlagNames();

// Compile options per device name for the devices in `device_names`, from the flags
// above. Fails on a malformed value, or --calibrate without --precision int8 (usage
// errors, FailedPrecondition).
StatusOr<std::map<std::string, std::string>> CompileOptionsFromFlags(
    const Flags& flags, const std::vector<std::string>& device_names);

// SessionOptions::calibration_inputs from --calibrate FILE.npy (the model's first input,
// under the name "") or --calibrate NAME=FILE.npy[,NAME=FILE.npy...]. For a built-in
// model, inputs not given are its sample inputs at the BATCHxSEQ of the first rank-2
// file. A malformed value is a usage error (FailedPrecondition); an unreadable file an
// InvalidArgument naming it. Names, dtypes and shapes are checked by the session.
StatusOr<std::map<std::string, Tensor>> CalibrationInputsFromFlags(const Flags& flags,
                                                                   const std::string& model_spec);

}  // namespace hetero::cli
