// PluginLibrary: dlopen, the entry symbol, and the checks on the returned table.
#include "runtime/plugins/plugin_library.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

namespace hetero::plugins {
namespace {

// Offset just past an entry of hetero_plugin_api.
#define HETERO_END_OF(field) \
  (offsetof(hetero_plugin_api, field) + sizeof(((hetero_plugin_api*)nullptr)->field))

// The table of v1.0 ends with set_profiling: every v1 plugin's table is at least this big.
constexpr size_t kMinTableSize = HETERO_END_OF(set_profiling);
// A table larger than this is garbage, not a newer minor.
constexpr size_t kMaxTableSize = 1 << 16;

struct RequiredEntry {
  const char* name;
  size_t offset;
};

#define HETERO_REQUIRED(field) \
  { #field, offsetof(hetero_plugin_api, field) }
constexpr RequiredEntry kRequiredEntries[] = {
    HETERO_REQUIRED(plugin_create),       HETERO_REQUIRED(plugin_destroy),
    HETERO_REQUIRED(device_count),        HETERO_REQUIRED(device_properties),
    HETERO_REQUIRED(device_open),         HETERO_REQUIRED(device_close),
    HETERO_REQUIRED(query_support),       HETERO_REQUIRED(compile),
    HETERO_REQUIRED(executable_destroy),  HETERO_REQUIRED(buffer_allocate),
    HETERO_REQUIRED(buffer_free),         HETERO_REQUIRED(stream_create),
    HETERO_REQUIRED(stream_destroy),      HETERO_REQUIRED(copy_host_to_device),
    HETERO_REQUIRED(copy_device_to_host), HETERO_REQUIRED(execute),
    HETERO_REQUIRED(stream_synchronize),
};
#undef HETERO_REQUIRED

bool EntryPresent(const hetero_plugin_api& api, size_t offset) {
  void* pointer = nullptr;
  std::memcpy(&pointer, reinterpret_cast<const char*>(&api) + offset, sizeof(pointer));
  return pointer != nullptr;
}

std::string CopyString(const char* text, size_t limit = 256) {
  if (text == nullptr) return "";
  return std::string(text, strnlen(text, limit));
}

bool IsPrintableName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                    (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

StatusCode FromPluginCode(int32_t code) {
  switch (code) {
    case HETERO_INVALID_ARGUMENT: return StatusCode::kInvalidArgument;
    case HETERO_NOT_FOUND: return StatusCode::kNotFound;
    case HETERO_UNIMPLEMENTED: return StatusCode::kUnimplemented;
    case HETERO_OUT_OF_RANGE: return StatusCode::kOutOfRange;
    case HETERO_RESOURCE_EXHAUSTED: return StatusCode::kResourceExhausted;
    case HETERO_FAILED_PRECONDITION: return StatusCode::kFailedPrecondition;
    case HETERO_DATA_LOSS: return StatusCode::kDataLoss;
    case HETERO_UNAVAILABLE: return StatusCode::kUnavailable;
    case HETERO_CANCELLED: return StatusCode::kCancelled;
    case HETERO_INCOMPATIBLE_VERSION: return StatusCode::kFailedPrecondition;
    default: return StatusCode::kInternal;
  }
}

Status TakePluginStatus(hetero_status* status, std::string_view context) {
  if (status == nullptr) return OkStatus();
  std::string message = CopyString(status->message, 4096);
  if (message.empty()) message = "(no message)";
  const int32_t code = status->code;
  if (status->destroy != nullptr) status->destroy(status);
  if (code == HETERO_OK) message = "returned an error status with code OK: " + message;
  if (code == HETERO_INCOMPATIBLE_VERSION) message = "incompatible version: " + message;
  return Status(FromPluginCode(code), std::string(context) + ": " + message);
}

PluginLibrary::~PluginLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

StatusOr<std::shared_ptr<const PluginLibrary>> PluginLibrary::Open(const std::string& path) {
  auto lib = std::unique_ptr<PluginLibrary>(new PluginLibrary());
  lib->path_ = path;
  lib->label_ = path;
  dlerror();
  lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle_ == nullptr) {
    const char* error = dlerror();
    return InvalidArgument("plugin " + path +
                           ": cannot load: " + (error ? error : "dlopen failed"));
  }
  dlerror();
  void* symbol = dlsym(lib->handle_, HETERO_PLUGIN_ENTRY_NAME);
  if (symbol == nullptr) {
    return InvalidArgument("plugin " + path + ": not a hetero plugin: no symbol " +
                           HETERO_PLUGIN_ENTRY_NAME);
  }
  hetero_plugin_get_api_fn entry = nullptr;
  std::memcpy(&entry, &symbol, sizeof(entry));
  return Init(std::move(lib), entry);
}

StatusOr<std::shared_ptr<const PluginLibrary>> PluginLibrary::FromEntry(
    std::string label, hetero_plugin_get_api_fn entry) {
  auto lib = std::unique_ptr<PluginLibrary>(new PluginLibrary());
  lib->label_ = std::move(label);
  if (entry == nullptr) return InvalidArgument("plugin " + lib->label_ + ": NULL entry function");
  return Init(std::move(lib), entry);
}

StatusOr<std::shared_ptr<const PluginLibrary>> PluginLibrary::Init(
    std::unique_ptr<PluginLibrary> lib, hetero_plugin_get_api_fn entry) {
  const std::string where = "plugin " + lib->label_;
  const hetero_plugin_api* table = nullptr;
  hetero_status* status = nullptr;
  try {
    status = entry(kHostAbiMajor, kHostAbiMinor, &table);
  } catch (...) {
    return Internal(where + ": " + HETERO_PLUGIN_ENTRY_NAME + " threw an exception");
  }
  HETERO_RETURN_IF_ERROR(TakePluginStatus(status, where + ": " + HETERO_PLUGIN_ENTRY_NAME));
  if (table == nullptr) {
    return InvalidArgument(where + ": " + HETERO_PLUGIN_ENTRY_NAME + " returned no table");
  }
  // struct_size, abi_major and abi_minor lead the table in every major version.
  if (table->abi_major != kHostAbiMajor) {
    return Status(StatusCode::kFailedPrecondition,
                  where + " was built for ABI " + std::to_string(table->abi_major) +
                      ".x; this hetero speaks " + std::to_string(kHostAbiMajor) + ".x");
  }
  const uint32_t size = table->struct_size;
  if (size < kMinTableSize || size > kMaxTableSize) {
    return InvalidArgument(where + ": function table struct_size " + std::to_string(size) +
                           " is not valid for ABI " + std::to_string(kHostAbiMajor) +
                           ".x (at least " + std::to_string(kMinTableSize) + ")");
  }
  // Copy what both sides know; fields this host knows but the plugin lacks stay NULL.
  const size_t known = std::min<size_t>(size, sizeof(hetero_plugin_api));
  std::memcpy(&lib->api_, table, known);
  lib->api_.struct_size = static_cast<uint32_t>(known);
  lib->plugin_table_size_ = size;
  lib->plugin_minor_ = table->abi_minor;
  lib->negotiated_minor_ = std::min(kHostAbiMinor, table->abi_minor);
  // Both sides use the lower minor: entries a 1.0 plugin does not know are never called,
  // whatever its table holds past them.
  if (lib->negotiated_minor_ < 1) {
    lib->api_.device_memory_stats = nullptr;
    lib->api_.struct_size = std::min<uint32_t>(lib->api_.struct_size, kMinTableSize);
  }
  lib->name_ = CopyString(table->plugin_name, 64);
  lib->version_ = CopyString(table->plugin_version, 64);
  if (!IsPrintableName(lib->name_)) {
    return InvalidArgument(where + ": plugin_name '" + lib->name_ +
                           "' is not a name (letters, digits, '_' and '-')");
  }
  for (const RequiredEntry& required : kRequiredEntries) {
    if (!EntryPresent(lib->api_, required.offset)) {
      return InvalidArgument(where + " ('" + lib->name_ + "'): required entry " + required.name +
                             " is NULL");
    }
  }
  return std::shared_ptr<const PluginLibrary>(std::move(lib));
}

}  // namespace hetero::plugins
