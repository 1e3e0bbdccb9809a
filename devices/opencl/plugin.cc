// The OpenCL plugin's exported entry, its function table, handles and instances.
#include <cstring>
#include <memory>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/opencl_plugin.h"

namespace hetero::opencl {
namespace {

using cpu::Guard;
using cpu::MakeAbiStatus;

hetero_status* PluginCreate(const hetero_host_api* host, hetero_plugin** out_plugin) {
  return Guard("opencl plugin_create", [&]() -> Status {
    if (host == nullptr || out_plugin == nullptr) {
      return InvalidArgument("opencl plugin_create: NULL argument");
    }
    auto plugin = std::make_unique<Plugin>();
    const size_t n =
        host->struct_size < sizeof(hetero_host_api) ? host->struct_size : sizeof(hetero_host_api);
    std::memcpy(&plugin->host, host, n);
    plugin->devices = EnumerateDevices();
    *out_plugin = reinterpret_cast<hetero_plugin*>(plugin.release());
    return OkStatus();
  });
}

void PluginDestroy(hetero_plugin* handle) {
  auto* plugin = reinterpret_cast<Plugin*>(handle);
  if (plugin == nullptr || plugin->tag != Tag::kPlugin) return;
  plugin->tag = Tag::kDead;
  delete plugin;
}

hetero_plugin_api MakeTable() {
  hetero_plugin_api api{};
  api.struct_size = sizeof(hetero_plugin_api);
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR;
  api.abi_minor = HETERO_PLUGIN_ABI_MINOR;
  api.plugin_name = "opencl";
  api.plugin_version = "0.1.0";
  api.plugin_create = PluginCreate;
  api.plugin_destroy = PluginDestroy;
  api.device_count = abi::DeviceCount;
  api.device_properties = abi::DeviceProperties;
  api.device_open = abi::DeviceOpen;
  api.device_close = abi::DeviceClose;
  api.query_support = abi::QuerySupport;
  api.compile = abi::Compile;
  api.executable_destroy = abi::ExecutableDestroy;
  api.buffer_allocate = abi::BufferAllocate;
  api.buffer_free = abi::BufferFree;
  api.stream_create = abi::StreamCreate;
  api.stream_destroy = abi::StreamDestroy;
  api.copy_host_to_device = abi::CopyHostToDevice;
  api.copy_device_to_host = abi::CopyDeviceToHost;
  api.execute = abi::Execute;
  api.stream_synchronize = abi::StreamSynchronize;
  api.event_create = abi::EventCreate;
  api.event_destroy = abi::EventDestroy;
  api.event_wait = abi::EventWait;
  api.event_query = abi::EventQuery;
  api.event_on_ready = abi::EventOnReady;
  api.set_profiling = abi::SetProfiling;
  api.device_memory_stats = abi::DeviceMemoryStats;
  return api;
}

const hetero_plugin_api kTable = MakeTable();

template <typename T>
StatusOr<T*> Checked(T* p, Tag tag, const char* what, const char* kind) {
  if (p == nullptr || p->tag != tag) {
    return InvalidArgument(std::string("opencl ") + what + ": " + kind +
                           " handle is NULL or not an opencl " + kind);
  }
  return p;
}

}  // namespace

void Plugin::Log(hetero_log_level level, const std::string& message) const {
  if (host.log != nullptr) host.log(host.host_context, level, message.c_str());
}

uint64_t Plugin::NowNs() const {
  return host.now_ns != nullptr ? host.now_ns(host.host_context) : 0;
}

StatusOr<Plugin*> FromHandle(hetero_plugin* h, const char* what) {
  return Checked(reinterpret_cast<Plugin*>(h), Tag::kPlugin, what, "plugin");
}
StatusOr<Device*> FromHandle(hetero_device* h, const char* what) {
  return Checked(reinterpret_cast<Device*>(h), Tag::kDevice, what, "device");
}
StatusOr<Buffer*> FromHandle(const hetero_buffer* h, const char* what) {
  return Checked(reinterpret_cast<Buffer*>(const_cast<hetero_buffer*>(h)), Tag::kBuffer, what,
                 "buffer");
}
StatusOr<Stream*> FromHandle(hetero_stream* h, const char* what) {
  return Checked(reinterpret_cast<Stream*>(h), Tag::kStream, what, "stream");
}
StatusOr<EventHandle*> FromHandle(hetero_event* h, const char* what) {
  return Checked(reinterpret_cast<EventHandle*>(h), Tag::kEvent, what, "event");
}
StatusOr<Executable*> FromHandle(hetero_executable* h, const char* what) {
  return Checked(reinterpret_cast<Executable*>(h), Tag::kExecutable, what, "executable");
}

}  // namespace hetero::opencl

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out_api) {
  using hetero::cpu::MakeAbiStatus;
  if (out_api == nullptr) return MakeAbiStatus(HETERO_INVALID_ARGUMENT, "opencl: out_api is NULL");
  *out_api = nullptr;
  if (host_major != HETERO_PLUGIN_ABI_MAJOR) {
    return MakeAbiStatus(HETERO_INCOMPATIBLE_VERSION,
                         "opencl plugin speaks ABI " + std::to_string(HETERO_PLUGIN_ABI_MAJOR) +
                             ".x; the host " + std::to_string(host_major) + "." +
                             std::to_string(host_minor));
  }
  *out_api = &hetero::opencl::kTable;
  return nullptr;
}
