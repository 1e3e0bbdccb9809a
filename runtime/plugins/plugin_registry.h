// PluginRegistry: every plugin hetero can see (built-in, HETERO_PLUGIN_PATH, --plugin)
// and the devices they offer, with the plugins that failed kept as records.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"

namespace hetero::plugins {

// A plugin linked into hetero, registered by its entry function.
struct BuiltinPlugin {
  std::string name;
  hetero_plugin_get_api_fn entry = nullptr;
};

// Adds a built-in plugin for every registry created afterwards (thread-safe). A second
// registration of the same name replaces the first.
void RegisterBuiltinPlugin(std::string name, hetero_plugin_get_api_fn entry);
// The built-ins: those compiled in (builtin_plugins.cc: "cpu" when present) followed by
// those registered with RegisterBuiltinPlugin.
std::vector<BuiltinPlugin> BuiltinPlugins();

// A plugin that could not be used, and why.
struct BrokenPlugin {
  std::string source;  // the path, or "built-in NAME"
  std::string reason;  // one line
};

// One device of a loaded plugin.
struct DeviceEntry {
  std::string name;  // "cpu", "null:0", "opencl:1"
  std::shared_ptr<Plugin> plugin;
  uint32_t index = 0;
  DeviceProperties properties;
};

struct RegistryOptions {
  bool load_builtins = true;
  // Scan the directories of HETERO_PLUGIN_PATH (':'-separated).
  bool use_plugin_path_env = true;
  // Scan the plugin directory beside the running program (<dir of the executable>/../lib,
  // where the build and an install put the device modules). A module there whose
  // plugin name is already loaded (the cpu module next to the built-in cpu) is skipped
  // without a broken record.
  bool use_default_dir = true;
  // Explicit plugin files (--plugin PATH); a directory is scanned like a path entry.
  std::vector<std::string> plugin_paths;
  // Host arena size; 0 = hardware concurrency. Ignored when `host` is given.
  int num_threads = 0;
  std::shared_ptr<HostServices> host;
};

// <directory of the running executable>/../lib, or "" when it cannot be found.
std::string DefaultPluginDirectory();
// Whether a file name looks like a plugin: libhetero_plugin_*.so or hetero_plugin_*.so.
bool IsPluginFileName(std::string_view file_name);
// The plugin files in a directory, sorted by name (none if it cannot be read).
std::vector<std::string> PluginFilesIn(const std::string& directory);

// Built once, then read-only: safe to share between threads. Plugins are loaded in the
// order built-ins, explicit paths, HETERO_PLUGIN_PATH directories; the same file twice
// is loaded once; a second plugin with an already-used name is recorded as broken.
class PluginRegistry {
 public:
  // Never fails as a whole: anything that goes wrong with one plugin becomes a
  // BrokenPlugin record (and a warning in the log at debug level).
  static std::unique_ptr<PluginRegistry> Create(const RegistryOptions& options = {});

  const std::vector<std::shared_ptr<Plugin>>& plugins() const { return plugins_; }
  const std::vector<BrokenPlugin>& broken() const { return broken_; }
  const std::vector<DeviceEntry>& devices() const { return devices_; }
  HostServices& host() const { return *host_; }
  std::shared_ptr<HostServices> shared_host() const { return host_; }

  // By name: "null:0", or a single-device plugin's bare name ("cpu" / "cpu:0").
  // kNotFound lists the available devices (and broken plugins, if any).
  StatusOr<const DeviceEntry*> FindDevice(std::string_view name) const;
  StatusOr<std::shared_ptr<Device>> OpenDevice(std::string_view name) const;
  // A loaded plugin by its name ("null"), or kNotFound.
  StatusOr<std::shared_ptr<Plugin>> FindPlugin(std::string_view name) const;
  // "cpu, null:0" — for messages.
  std::string DeviceNames() const;

 private:
  PluginRegistry() = default;
  void Add(StatusOr<std::shared_ptr<const PluginLibrary>> library, const std::string& source,
           bool skip_duplicate_names = false);
  void LoadPath(const std::string& path, bool skip_duplicate_names = false);
  static Status AlreadyExists(const std::string& name, const PluginLibrary& existing);

  std::shared_ptr<HostServices> host_;
  std::vector<std::shared_ptr<Plugin>> plugins_;
  std::vector<BrokenPlugin> broken_;
  std::vector<DeviceEntry> devices_;
  std::vector<std::string> loaded_files_;  // canonical paths already loaded
};

// The registry hetero's commands use: built-ins, HETERO_PLUGIN_PATH and the given
// --plugin paths, on an arena of `num_threads` (0 = all cores).
std::unique_ptr<PluginRegistry> LoadPluginRegistry(const std::vector<std::string>& plugin_paths,
                                                   int num_threads = 0);

// For tools given "--plugin NAME|PATH" (hetero-conformance): a path (contains '/' or
// ends in ".so") is opened; otherwise NAME is a built-in, or libhetero_plugin_NAME.so /
// hetero_plugin_NAME.so in a HETERO_PLUGIN_PATH directory.
StatusOr<std::shared_ptr<const PluginLibrary>> ResolvePluginLibrary(std::string_view name_or_path);

}  // namespace hetero::plugins
