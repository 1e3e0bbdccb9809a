// PluginRegistry: finds, loads and instantiates plugins; names their devices.
#include "runtime/plugins/plugin_registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "hetero/logging.h"

namespace hetero::plugins {
namespace internal {
std::vector<BuiltinPlugin> CompiledInPlugins();  // builtin_plugins.cc
}  // namespace internal

namespace {

std::mutex& BuiltinMutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<BuiltinPlugin>& RegisteredBuiltins() {
  static std::vector<BuiltinPlugin> plugins;
  return plugins;
}

std::vector<std::string> SplitPathList(const char* text) {
  std::vector<std::string> parts;
  if (text == nullptr) return parts;
  std::string current;
  for (const char* p = text;; ++p) {
    if (*p == ':' || *p == '\0') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
      if (*p == '\0') break;
    } else {
      current += *p;
    }
  }
  return parts;
}

std::string CanonicalPath(const std::string& path) {
  std::error_code error;
  auto canonical = std::filesystem::canonical(path, error);
  return error ? path : canonical.string();
}

}  // namespace

void RegisterBuiltinPlugin(std::string name, hetero_plugin_get_api_fn entry) {
  std::lock_guard<std::mutex> lock(BuiltinMutex());
  auto& plugins = RegisteredBuiltins();
  for (BuiltinPlugin& plugin : plugins) {
    if (plugin.name == name) {
      plugin.entry = entry;
      return;
    }
  }
  plugins.push_back({std::move(name), entry});
}

std::vector<BuiltinPlugin> BuiltinPlugins() {
  std::vector<BuiltinPlugin> plugins = internal::CompiledInPlugins();
  std::lock_guard<std::mutex> lock(BuiltinMutex());
  for (const BuiltinPlugin& registered : RegisteredBuiltins()) {
    auto same = [&](const BuiltinPlugin& p) { return p.name == registered.name; };
    auto it = std::find_if(plugins.begin(), plugins.end(), same);
    if (it != plugins.end()) {
      it->entry = registered.entry;
    } else {
      plugins.push_back(registered);
    }
  }
  return plugins;
}

bool IsPluginFileName(std::string_view file_name) {
  auto matches = [&](std::string_view prefix) {
    return file_name.size() > prefix.size() + 3 && file_name.substr(0, prefix.size()) == prefix &&
           file_name.substr(file_name.size() - 3) == ".so";
  };
  return matches("libhetero_plugin_") || matches("hetero_plugin_");
}

std::vector<std::string> PluginFilesIn(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code error;
  std::filesystem::directory_iterator it(directory, error), end;
  for (; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (IsPluginFileName(name) && !it->is_directory(error)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::unique_ptr<PluginRegistry> PluginRegistry::Create(const RegistryOptions& options) {
  std::unique_ptr<PluginRegistry> registry(new PluginRegistry());
  registry->host_ =
      options.host ? options.host : std::make_shared<HostServices>(options.num_threads);
  if (options.load_builtins) {
    for (const BuiltinPlugin& builtin : BuiltinPlugins()) {
      const std::string source = "built-in " + builtin.name;
      registry->Add(PluginLibrary::FromEntry(source, builtin.entry), source);
    }
  }
  for (const std::string& path : options.plugin_paths) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      for (const std::string& file : PluginFilesIn(path)) registry->LoadPath(file);
    } else {
      registry->LoadPath(path);
    }
  }
  if (options.use_plugin_path_env) {
    for (const std::string& directory : SplitPathList(std::getenv("HETERO_PLUGIN_PATH"))) {
      for (const std::string& file : PluginFilesIn(directory)) registry->LoadPath(file);
    }
  }
  if (options.use_default_dir) {
    const std::string directory = DefaultPluginDirectory();
    if (!directory.empty()) {
      for (const std::string& file : PluginFilesIn(directory)) registry->LoadPath(file, true);
    }
  }
  return registry;
}

std::string DefaultPluginDirectory() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const std::filesystem::path lib = exe.parent_path().parent_path() / "lib";
  if (!std::filesystem::is_directory(lib, error)) return "";
  return lib.string();
}

void PluginRegistry::LoadPath(const std::string& path, bool skip_duplicate_names) {
  const std::string canonical = CanonicalPath(path);
  if (std::find(loaded_files_.begin(), loaded_files_.end(), canonical) != loaded_files_.end()) {
    return;  // the same file through two routes
  }
  loaded_files_.push_back(canonical);
  Add(PluginLibrary::Open(path), path, skip_duplicate_names);
}

void PluginRegistry::Add(StatusOr<std::shared_ptr<const PluginLibrary>> library,
                         const std::string& source, bool skip_duplicate_names) {
  auto broken = [&](const Status& status) {
    HETERO_LOG(kDebug) << "plugin " << source << " ignored: " << status.message();
    broken_.push_back({source, status.message()});
  };
  if (!library.ok()) return broken(library.status());
  const std::string& name = (*library)->name();
  for (const auto& plugin : plugins_) {
    if (plugin->name() == name) {
      if (skip_duplicate_names) return;
      return broken(AlreadyExists(name, plugin->library()));
    }
  }
  auto plugin = Plugin::Create(*library, host_);
  if (!plugin.ok()) return broken(plugin.status());
  auto count = (*plugin)->DeviceCount();
  if (!count.ok()) return broken(count.status());
  std::vector<DeviceEntry> entries;
  for (uint32_t i = 0; i < *count; ++i) {
    auto properties = (*plugin)->Properties(i);
    if (!properties.ok()) return broken(properties.status());
    DeviceEntry entry;
    entry.plugin = *plugin;
    entry.index = i;
    entry.properties = std::move(*properties);
    entries.push_back(std::move(entry));
  }
  for (DeviceEntry& entry : entries) {
    const bool single_cpu = entries.size() == 1 && entry.properties.kind == HETERO_DEVICE_CPU;
    entry.name = single_cpu ? name : name + ":" + std::to_string(entry.index);
    devices_.push_back(std::move(entry));
  }
  plugins_.push_back(std::move(*plugin));
}

Status PluginRegistry::AlreadyExists(const std::string& name, const PluginLibrary& existing) {
  return FailedPrecondition("a plugin named '" + name + "' is already loaded from " +
                            existing.label());
}

StatusOr<const DeviceEntry*> PluginRegistry::FindDevice(std::string_view name) const {
  for (const DeviceEntry& entry : devices_) {
    if (entry.name == name) return &entry;
  }
  // Aliases: a single-device plugin's bare name, and "cpu:0" for "cpu".
  for (const DeviceEntry& entry : devices_) {
    const std::string& plugin = entry.plugin->name();
    const bool single = std::count_if(devices_.begin(), devices_.end(), [&](const DeviceEntry& e) {
                          return e.plugin == entry.plugin;
                        }) == 1;
    if (single && (name == plugin || name == plugin + ":0")) return &entry;
  }
  // A device whose own name is "<plugin>:<variant>" answers to it ("npu-sim:rngd").
  for (const DeviceEntry& entry : devices_) {
    const std::string& own = entry.properties.name;
    if (own == name && own.rfind(entry.plugin->name() + ":", 0) == 0) return &entry;
  }
  std::string message = "no device '" + std::string(name) +
                        "'; available: " + (devices_.empty() ? std::string("none") : DeviceNames());
  if (!broken_.empty()) {
    message += "; broken plugins:";
    for (const BrokenPlugin& b : broken_) message += " " + b.source + " (" + b.reason + ")";
  }
  return NotFound(message);
}

StatusOr<std::shared_ptr<Device>> PluginRegistry::OpenDevice(std::string_view name) const {
  HETERO_ASSIGN_OR_RETURN(const DeviceEntry* entry, FindDevice(name));
  // Asked for by its variant name ("npu-sim:rngd"), it keeps that name in plans, errors
  // and profiles; asked for by index, it takes the registry's name.
  const std::string by_index = entry->plugin->name() + ":" + std::to_string(entry->index);
  const bool variant = name != entry->name && name != by_index && name != entry->plugin->name();
  return entry->plugin->OpenDevice(entry->index, variant ? std::string(name) : entry->name);
}

StatusOr<std::shared_ptr<Plugin>> PluginRegistry::FindPlugin(std::string_view name) const {
  for (const auto& plugin : plugins_) {
    if (plugin->name() == name) return plugin;
  }
  std::string names;
  for (const auto& plugin : plugins_) names += (names.empty() ? "" : ", ") + plugin->name();
  return NotFound("no plugin '" + std::string(name) +
                  "'; loaded: " + (names.empty() ? std::string("none") : names));
}

std::string PluginRegistry::DeviceNames() const {
  std::string names;
  for (const DeviceEntry& entry : devices_) names += (names.empty() ? "" : ", ") + entry.name;
  return names;
}

std::unique_ptr<PluginRegistry> LoadPluginRegistry(const std::vector<std::string>& plugin_paths,
                                                   int num_threads) {
  RegistryOptions options;
  options.plugin_paths = plugin_paths;
  options.num_threads = num_threads;
  return PluginRegistry::Create(options);
}

StatusOr<std::shared_ptr<const PluginLibrary>> ResolvePluginLibrary(std::string_view name_or_path) {
  const std::string text(name_or_path);
  const bool is_path = text.find('/') != std::string::npos ||
                       (text.size() > 3 && text.substr(text.size() - 3) == ".so");
  if (is_path) return PluginLibrary::Open(text);
  for (const BuiltinPlugin& builtin : BuiltinPlugins()) {
    if (builtin.name == text) return PluginLibrary::FromEntry("built-in " + text, builtin.entry);
  }
  for (const std::string& directory : SplitPathList(std::getenv("HETERO_PLUGIN_PATH"))) {
    for (const char* prefix : {"libhetero_plugin_", "hetero_plugin_"}) {
      const std::string candidate = directory + "/" + prefix + text + ".so";
      std::error_code error;
      if (std::filesystem::exists(candidate, error)) return PluginLibrary::Open(candidate);
    }
  }
  return NotFound("no plugin '" + text + "': not a built-in, and no libhetero_plugin_" + text +
                  ".so in HETERO_PLUGIN_PATH");
}

}  // namespace hetero::plugins
