// Placement flags shared by `hetero run` and `hetero compile`: --device LIST, --pin
// KEY=DEVICE, --no-fallback, --min-segment N.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/placement/placement.h"
#include "hetero/status.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/plugin_registry.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

// The devices of a --device list, opened in priority order; fails naming an unknown one.
StatusOr<std::vector<std::shared_ptr<plugins::Device>>> OpenDeviceList(
    const plugins::PluginRegistry& registry, const std::string& list);

// PlacementOptions from --pin (repeatable), --no-fallback and --min-segment.
StatusOr<placement::PlacementOptions> PlacementOptionsFromFlags(const Flags& flags);

// "cpu" or "npu-sim:rngd+cpu (3 segments)": where a plan runs, for one-line summaries.
std::string DescribePlacement(const placement::PlacementPlan& plan);

}  // namespace hetero::cli
