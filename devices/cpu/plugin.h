// The CPU plugin's entry point, for the host that links it in as a built-in plugin.
#pragma once

#include <cstdint>

#include "devices/abi/hetero_plugin.h"

namespace hetero::cpu {
inline constexpr const char* kCpuPluginVersion = "0.1.0";
}  // namespace hetero::cpu

// Same contract as HETERO_PLUGIN_ENTRY_NAME (hetero_plugin_get_api_fn): the static table
// of the CPU plugin, or HETERO_INCOMPATIBLE_VERSION when host_major is not ours.
extern "C" hetero_status* hetero_cpu_plugin_get_api(uint32_t host_major, uint32_t host_minor,
                                                    const hetero_plugin_api** out_api);
