// The null plugin's one exported symbol and its function table.
#include <cstring>
#include <new>
#include <string>

#include "null_plugin.h"

namespace null_plugin {
namespace {

void DestroyStatus(hetero_status* status) {
  delete[] status->message;
  delete status;
}

// What MakeStatus returns when it cannot allocate: immutable, so never freed.
void KeepStatus(hetero_status*) {}
hetero_status kOutOfMemory = {sizeof(hetero_status), HETERO_RESOURCE_EXHAUSTED,
                              "null plugin: out of memory", KeepStatus};

// Entries left NULL are optional and not supported: the host checks before calling.
hetero_plugin_api MakeTable() {
  hetero_plugin_api api{};
  api.struct_size = sizeof(hetero_plugin_api);
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR;
  api.abi_minor = HETERO_PLUGIN_ABI_MINOR;
  api.plugin_name = "null";
  api.plugin_version = "1.0.0";
  api.plugin_create = PluginCreate;
  api.plugin_destroy = PluginDestroy;
  api.device_count = DeviceCount;
  api.device_properties = DeviceProperties;
  api.device_open = DeviceOpen;
  api.device_close = DeviceClose;
  api.query_support = QuerySupport;
  api.compile = Compile;
  api.executable_destroy = ExecutableDestroy;
  api.buffer_allocate = BufferAllocate;
  api.buffer_free = BufferFree;
  api.stream_create = StreamCreate;
  api.stream_destroy = StreamDestroy;
  api.copy_host_to_device = CopyHostToDevice;
  api.copy_device_to_host = CopyDeviceToHost;
  api.execute = Execute;
  api.stream_synchronize = StreamSynchronize;
  api.device_memory_stats = DeviceMemoryStats;  // ABI 1.1
  return api;
}

// Static and immutable: built once, before any caller can see it.
const hetero_plugin_api kTable = MakeTable();

}  // namespace

hetero_status* MakeStatus(hetero_status_code code, const std::string& message) {
  auto* status = new (std::nothrow) hetero_status{};
  auto* text = new (std::nothrow) char[message.size() + 1];
  if (status == nullptr || text == nullptr) {
    delete status;
    delete[] text;
    return &kOutOfMemory;
  }
  std::memcpy(text, message.c_str(), message.size() + 1);
  status->struct_size = sizeof(hetero_status);
  status->code = code;
  status->message = text;
  status->destroy = DestroyStatus;
  return status;
}

hetero_status* Unimplemented(const char* entry) {
  return MakeStatus(HETERO_UNIMPLEMENTED, std::string("null plugin: ") + entry +
                                              " is not implemented (the null device runs nothing)");
}

}  // namespace null_plugin

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out_api) {
  if (out_api == nullptr) {
    return null_plugin::MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: out_api is NULL");
  }
  *out_api = nullptr;
  if (host_major != HETERO_PLUGIN_ABI_MAJOR) {
    return null_plugin::MakeStatus(
        HETERO_INCOMPATIBLE_VERSION,
        "null plugin speaks ABI " + std::to_string(HETERO_PLUGIN_ABI_MAJOR) + ".x; the host " +
            std::to_string(host_major) + "." + std::to_string(host_minor));
  }
  *out_api = &null_plugin::kTable;
  return nullptr;
}
