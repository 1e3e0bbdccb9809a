// The CPU plugin's entry: version negotiation, the function table, plugin instances.
#include "devices/cpu/plugin.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <type_traits>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/handle_cast.h"

namespace hetero::cpu {
namespace {

hetero_status* PluginCreate(const hetero_host_api* host, hetero_plugin** out_plugin) {
  return Guard("cpu plugin_create", [&]() -> Status {
    if (out_plugin == nullptr) return InvalidArgument("plugin_create: out_plugin is NULL");
    *out_plugin = nullptr;
    if (host == nullptr) return InvalidArgument("plugin_create: host is NULL");
    if (host->struct_size < offsetof(hetero_host_api, log)) {
      return InvalidArgument("plugin_create: host struct_size " +
                             std::to_string(host->struct_size) + " is too small");
    }
    auto plugin = std::make_unique<Plugin>();
    std::memcpy(&plugin->host, host, std::min<size_t>(host->struct_size, sizeof(hetero_host_api)));
    plugin->host.struct_size = sizeof(hetero_host_api);
    plugin->machine = DetectMachine();
    *out_plugin = ToHandle(plugin.release());
    return OkStatus();
  });
}

void PluginDestroy(hetero_plugin* handle) {
  GuardVoid([&] {
    auto plugin = FromHandle(handle, "plugin_destroy");
    if (!plugin.ok()) return;
    (*plugin)->tag = Tag::kDead;
    delete *plugin;
  });
}

hetero_plugin_api MakeApi() {
  hetero_plugin_api api{};
  api.struct_size = sizeof(hetero_plugin_api);
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR;
  api.abi_minor = HETERO_PLUGIN_ABI_MINOR;
  api.plugin_name = "cpu";
  api.plugin_version = kCpuPluginVersion;
  api.plugin_create = &PluginCreate;
  api.plugin_destroy = &PluginDestroy;
  api.device_count = &abi::DeviceCount;
  api.device_properties = &abi::DeviceProperties;
  api.device_open = &abi::DeviceOpen;
  api.device_close = &abi::DeviceClose;
  api.query_support = &abi::QuerySupport;
  api.compile = &abi::Compile;
  api.executable_destroy = &abi::ExecutableDestroy;
  api.buffer_allocate = &abi::BufferAllocate;
  api.buffer_free = &abi::BufferFree;
  api.stream_create = &abi::StreamCreate;
  api.stream_destroy = &abi::StreamDestroy;
  api.copy_host_to_device = &abi::CopyHostToDevice;
  api.copy_device_to_host = &abi::CopyDeviceToHost;
  api.execute = &abi::Execute;
  api.stream_synchronize = &abi::StreamSynchronize;
  api.event_create = &abi::EventCreate;
  api.event_destroy = &abi::EventDestroy;
  api.event_wait = &abi::EventWait;
  api.event_query = &abi::EventQuery;
  api.event_on_ready = &abi::EventOnReady;
  api.copy_device_to_device = &abi::CopyDeviceToDevice;
  api.buffer_host_pointer = &abi::BufferHostPointer;
  api.executable_serialize = &abi::ExecutableSerialize;
  api.executable_deserialize = &abi::ExecutableDeserialize;
  api.set_profiling = &abi::SetProfiling;
  api.device_memory_stats = &abi::DeviceMemoryStats;
  return api;
}

}  // namespace

void Plugin::Log(hetero_log_level level, const std::string& message) const {
  if (host.log != nullptr) host.log(host.host_context, level, message.c_str());
}

uint64_t Plugin::NowNs() const {
  if (host.now_ns != nullptr) return host.now_ns(host.host_context);
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void Plugin::ParallelFor(uint64_t count, uint64_t grain,
                         const std::function<void(uint64_t, uint64_t)>& fn) const {
  if (count == 0) return;
  if (host.parallel_for == nullptr || count <= grain) {
    fn(0, count);
    return;
  }
  host.parallel_for(
      host.host_context, count, grain,
      [](void* arg, uint64_t begin, uint64_t end) {
        (*static_cast<const std::function<void(uint64_t, uint64_t)>*>(arg))(begin, end);
      },
      const_cast<std::function<void(uint64_t, uint64_t)>*>(&fn));
}

StatusOr<Plugin*> FromHandle(hetero_plugin* h, const char* what) {
  return CheckedCast<Plugin>(h, Tag::kPlugin, what);
}
StatusOr<Device*> FromHandle(hetero_device* h, const char* what) {
  return CheckedCast<Device>(h, Tag::kDevice, what);
}
StatusOr<Buffer*> FromHandle(const hetero_buffer* h, const char* what) {
  return CheckedCast<Buffer>(h, Tag::kBuffer, what);
}
StatusOr<Stream*> FromHandle(hetero_stream* h, const char* what) {
  return CheckedCast<Stream>(h, Tag::kStream, what);
}
StatusOr<EventHandle*> FromHandle(hetero_event* h, const char* what) {
  return CheckedCast<EventHandle>(h, Tag::kEvent, what);
}
StatusOr<Executable*> FromHandle(hetero_executable* h, const char* what) {
  return CheckedCast<Executable>(h, Tag::kExecutable, what);
}

}  // namespace hetero::cpu

extern "C" hetero_status* hetero_cpu_plugin_get_api(uint32_t host_major, uint32_t host_minor,
                                                    const hetero_plugin_api** out_api) {
  using hetero::cpu::MakeAbiStatus;
  if (out_api == nullptr) return MakeAbiStatus(HETERO_INVALID_ARGUMENT, "get_api: out_api is NULL");
  *out_api = nullptr;
  if (host_major != HETERO_PLUGIN_ABI_MAJOR) {
    return MakeAbiStatus(HETERO_INCOMPATIBLE_VERSION,
                         "cpu plugin speaks ABI " + std::to_string(HETERO_PLUGIN_ABI_MAJOR) + "." +
                             std::to_string(HETERO_PLUGIN_ABI_MINOR) + ", the host " +
                             std::to_string(host_major) + "." + std::to_string(host_minor) +
                             ": majors differ");
  }
  // Any minor of this major works: the host reads only the fields both sides know.
  static const hetero_plugin_api api = hetero::cpu::MakeApi();
  *out_api = &api;
  return nullptr;
}
