// PluginLibrary: one plugin's code (a dlopen'ed module or a built-in entry) and its
// checked, version-negotiated function table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"

namespace hetero::plugins {

// The ABI version this host speaks.
inline constexpr uint32_t kHostAbiMajor = HETERO_PLUGIN_ABI_MAJOR;
inline constexpr uint32_t kHostAbiMinor = HETERO_PLUGIN_ABI_MINOR;

// A loaded plugin. Immutable after Open / FromEntry, so safe to share between threads.
// The module stays loaded until the last shared_ptr to it is gone; every Plugin
// instance holds one.
class PluginLibrary {
 public:
  // dlopen(path, RTLD_NOW | RTLD_LOCAL), dlsym(HETERO_PLUGIN_ENTRY_NAME), then the
  // checks of FromEntry. Errors name the path: a missing file, a file that is not a
  // loadable module, a module without the entry symbol, a version or table problem.
  static StatusOr<std::shared_ptr<const PluginLibrary>> Open(const std::string& path);
  // A plugin linked into hetero. `label` names it in errors ("built-in cpu").
  static StatusOr<std::shared_ptr<const PluginLibrary>> FromEntry(std::string label,
                                                                  hetero_plugin_get_api_fn entry);
  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  // The plugin's table as this host knows it: entries past the plugin's struct_size
  // read as NULL, entries past the host's own struct are never seen.
  const hetero_plugin_api& api() const { return api_; }
  const std::string& name() const { return name_; }        // api.plugin_name
  const std::string& version() const { return version_; }  // api.plugin_version
  // The module's path, or "" for a built-in.
  const std::string& path() const { return path_; }
  bool builtin() const { return path_.empty(); }
  // "path/to/libhetero_plugin_x.so" or "built-in x": how errors name this plugin.
  const std::string& label() const { return label_; }
  uint32_t plugin_abi_minor() const { return plugin_minor_; }
  // min(host minor, plugin minor): what both sides use.
  uint32_t negotiated_minor() const { return negotiated_minor_; }
  // The plugin's table struct_size (may exceed sizeof(hetero_plugin_api)).
  uint32_t plugin_table_size() const { return plugin_table_size_; }

 private:
  PluginLibrary() = default;
  static StatusOr<std::shared_ptr<const PluginLibrary>> Init(std::unique_ptr<PluginLibrary> lib,
                                                             hetero_plugin_get_api_fn entry);

  void* handle_ = nullptr;  // from dlopen; nullptr for built-ins
  hetero_plugin_api api_{};
  std::string name_;
  std::string version_;
  std::string path_;
  std::string label_;
  uint32_t plugin_minor_ = 0;
  uint32_t negotiated_minor_ = 0;
  uint32_t plugin_table_size_ = 0;
};

// Converts a status a plugin returned into a Status and frees it with its own destroy.
// NULL is OK. `context` prefixes the message ("plugin 'x': buffer_allocate: ...").
Status TakePluginStatus(hetero_status* status, std::string_view context);

// hetero_status_code -> StatusCode (INCOMPATIBLE_VERSION becomes kFailedPrecondition;
// unknown codes kInternal).
StatusCode FromPluginCode(int32_t code);

}  // namespace hetero::plugins
