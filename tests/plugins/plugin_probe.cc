// plugin_probe PATH...: loads plugin modules through the registry and prints one line per
// device ("device NAME kind=K plugin=P") and per broken plugin; exits 1 if no device.
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/plugins/plugin_registry.h"

int main(int argc, char** argv) {
  using namespace hetero::plugins;
  if (argc < 2) {
    std::fprintf(stderr, "usage: plugin_probe PLUGIN.so...\n");
    return 2;
  }
  RegistryOptions options;
  options.load_builtins = false;
  options.use_plugin_path_env = false;
  options.use_default_dir = false;
  options.num_threads = 1;
  options.plugin_paths.assign(argv + 1, argv + argc);
  auto registry = PluginRegistry::Create(options);
  for (const DeviceEntry& device : registry->devices()) {
    std::printf("device %s kind=%s plugin=%s\n", device.name.c_str(),
                DeviceKindName(device.properties.kind).c_str(), device.plugin->name().c_str());
  }
  for (const BrokenPlugin& broken : registry->broken()) {
    std::printf("broken %s: %s\n", broken.source.c_str(), broken.reason.c_str());
  }
  return registry->devices().empty() ? 1 : 0;
}
