// The CPU plugin as a loadable module: the ABI's one exported symbol, forwarding to the
// same entry the built-in plugin uses.
#include "devices/abi/hetero_plugin.h"
#include "devices/cpu/plugin.h"

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out_api) {
  return hetero_cpu_plugin_get_api(host_major, host_minor, out_api);
}

// The symbol above must be the one the header names.
static_assert(sizeof(HETERO_PLUGIN_ENTRY_NAME) == sizeof("hetero_plugin_get_api"));
