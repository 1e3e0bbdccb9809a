// The plugins linked into hetero. devices/CMakeLists.txt defines HETERO_HAVE_CPU_PLUGIN
// and links the CPU plugin's library when devices/cpu is built.
#include "devices/abi/hetero_plugin.h"
#include "runtime/plugins/plugin_registry.h"

#if HETERO_HAVE_CPU_PLUGIN
extern "C" hetero_status* hetero_cpu_plugin_get_api(uint32_t host_major, uint32_t host_minor,
                                                    const hetero_plugin_api** out_api);
#endif

namespace hetero::plugins::internal {

std::vector<BuiltinPlugin> CompiledInPlugins() {
  std::vector<BuiltinPlugin> plugins;
#if HETERO_HAVE_CPU_PLUGIN
  plugins.push_back({"cpu", &hetero_cpu_plugin_get_api});
#endif
  return plugins;
}

}  // namespace hetero::plugins::internal
