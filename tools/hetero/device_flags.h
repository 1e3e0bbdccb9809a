// Flags that become device compile options: --precision, --calibrate, --buckets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hetero/status.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// Value flags every command that compiles a model accepts (add them to Flags::Parse).
const std::vector<std::string>& DeviceOptionFlagNames();

// Compile options per device name for the devices in `device_names`, from the flags
// above. Fails on a malformed value (a usage error).
StatusOr<std::map<std::string, std::string>> CompileOptionsFromFlags(
    const Flags& flags, const std::vector<std::string>& device_names);

}  // namespace hetero::cli
