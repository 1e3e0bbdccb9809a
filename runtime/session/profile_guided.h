// Measured per-op times from a `hetero bench --format json` file, for placement
// (SessionOptions::profile_guided, `--profile-guided FILE`).
#pragma once

#include <map>
#include <string>

#include "hetero/status.h"

namespace hetero {

// node name -> device name -> seconds per inference: the median of every "ops" row of
// every result (rows with status other than "run" are ignored). Fails naming the file
// when it cannot be read or is not a bench result.
StatusOr<std::map<std::string, std::map<std::string, double>>> ReadMeasuredOpTimes(
    const std::string& path);

}  // namespace hetero
