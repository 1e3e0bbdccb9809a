// The simulated NPU plugin's entry: the function table, instances (presets loaded, an
// inner CPU plugin for memory and queues), devices and their properties.
#include "devices/cpu/plugin.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <type_traits>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/handle_cast.h"
#include "devices/npu_sim/npu_plugin.h"

#ifndef HETERO_NPU_SIM_PRESET_DIR
#define HETERO_NPU_SIM_PRESET_DIR "devices/npu_sim/presets"
#endif

namespace hetero::npu_sim {

hetero_status* ToAbi(const Status& status) { return cpu::ToAbiStatus(status); }

namespace {

using cpu::CheckedCast;

// The presets to offer: every file of HETERO_NPU_SIM_PRESET_DIR (the environment's, else
// the source tree's), kept to the names in HETERO_NPU_SIM_PRESETS when that is set.
StatusOr<std::vector<Preset>> LoadPresets() {
  const char* env_dir = std::getenv("HETERO_NPU_SIM_PRESET_DIR");
  const std::string dir = env_dir != nullptr && *env_dir ? env_dir : HETERO_NPU_SIM_PRESET_DIR;
  HETERO_ASSIGN_OR_RETURN(std::vector<Preset> all, LoadPresetDir(dir));
  const char* only = std::getenv("HETERO_NPU_SIM_PRESETS");
  if (only == nullptr || *only == '\0') return all;
  std::vector<Preset> kept;
  std::stringstream in(only);
  std::string name;
  while (std::getline(in, name, ',')) {
    auto it = std::find_if(all.begin(), all.end(), [&](const Preset& p) { return p.name == name; });
    if (it == all.end()) {
      return NotFound("HETERO_NPU_SIM_PRESETS names '" + name + "', which is not in " + dir);
    }
    kept.push_back(*it);
  }
  return kept;
}

hetero_status* PluginCreate(const hetero_host_api* host, hetero_plugin** out_plugin) {
  return Guard("npu-sim plugin_create", [&]() -> Status {
    if (out_plugin == nullptr) return InvalidArgument("plugin_create: out_plugin is NULL");
    *out_plugin = nullptr;
    if (host == nullptr || host->struct_size < offsetof(hetero_host_api, log)) {
      return InvalidArgument("plugin_create: host is NULL or too small");
    }
    auto plugin = std::make_unique<Plugin>();
    std::memcpy(&plugin->host, host, std::min<size_t>(host->struct_size, sizeof(hetero_host_api)));
    plugin->host.struct_size = sizeof(hetero_host_api);
    HETERO_ASSIGN_OR_RETURN(plugin->presets, LoadPresets());
    hetero_status* s = hetero_cpu_plugin_get_api(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR,
                                                 &plugin->cpu_api);
    if (s == nullptr) s = plugin->cpu_api->plugin_create(host, &plugin->cpu_plugin);
    if (s != nullptr) {
      Status error = Internal(std::string("plugin_create: inner CPU plugin: ") + s->message);
      s->destroy(s);
      return error;
    }
    *out_plugin = ToHandle(plugin.release());
    return OkStatus();
  });
}

void PluginDestroy(hetero_plugin* handle) {
  auto plugin = FromHandle(handle, "plugin_destroy");
  if (!plugin.ok()) return;
  if ((*plugin)->cpu_plugin != nullptr) (*plugin)->cpu_api->plugin_destroy((*plugin)->cpu_plugin);
  (*plugin)->tag = Tag::kDead;
  delete *plugin;
}

// Buffers, streams, copies and events: the inner CPU plugin's, through its table.
// Every entry below is reached only through a device or handle the inner plugin made.
const hetero_plugin_api& Cpu() {
  static const hetero_plugin_api* api = [] {
    const hetero_plugin_api* a = nullptr;
    hetero_status* s = hetero_cpu_plugin_get_api(HETERO_PLUGIN_ABI_MAJOR, 0, &a);
    if (s != nullptr) s->destroy(s);
    return a;
  }();
  return *api;
}

hetero_status* BufferAllocate(hetero_device* handle, uint64_t size, hetero_buffer** out) {
  auto device = FromHandle(handle, "buffer_allocate");
  if (!device.ok()) return ToAbi(device.status());
  if (size > (*device)->preset->dram_bytes) {
    return ToAbi(ResourceExhausted("buffer_allocate: " + std::to_string(size) +
                                   " bytes exceed the device memory of " +
                                   (*device)->preset->name));
  }
  return Cpu().buffer_allocate((*device)->cpu_device, size, out);
}

hetero_status* StreamCreate(hetero_device* handle, hetero_stream** out) {
  auto device = FromHandle(handle, "stream_create");
  if (!device.ok()) return ToAbi(device.status());
  return Cpu().stream_create((*device)->cpu_device, out);
}

hetero_status* EventCreate(hetero_device* handle, hetero_event** out) {
  auto device = FromHandle(handle, "event_create");
  if (!device.ok()) return ToAbi(device.status());
  return Cpu().event_create((*device)->cpu_device, out);
}

void BufferFree(hetero_buffer* b) { Cpu().buffer_free(b); }
void StreamDestroy(hetero_stream* s) { Cpu().stream_destroy(s); }
hetero_status* StreamSynchronize(hetero_stream* s) { return Cpu().stream_synchronize(s); }
void EventDestroy(hetero_event* e) { Cpu().event_destroy(e); }
hetero_status* EventWait(hetero_event* e, uint64_t t) { return Cpu().event_wait(e, t); }
hetero_status* EventQuery(hetero_event* e, int32_t* d) { return Cpu().event_query(e, d); }
hetero_status* EventOnReady(hetero_event* e, void (*fn)(void*, hetero_status*), void* u) {
  return Cpu().event_on_ready(e, fn, u);
}
hetero_status* CopyH2D(hetero_stream* s, const void* src, hetero_buffer* dst, uint64_t off,
                       uint64_t n, const hetero_sync* sync) {
  return Cpu().copy_host_to_device(s, src, dst, off, n, sync);
}
hetero_status* CopyD2H(hetero_stream* s, const hetero_buffer* src, uint64_t off, void* dst,
                       uint64_t n, const hetero_sync* sync) {
  return Cpu().copy_device_to_host(s, src, off, dst, n, sync);
}
hetero_status* CopyD2D(hetero_stream* s, const hetero_buffer* src, uint64_t so, hetero_buffer* dst,
                       uint64_t d, uint64_t n, const hetero_sync* sync) {
  return Cpu().copy_device_to_device(s, src, so, dst, d, n, sync);
}

// The inner CPU device that stands in for the chip's DRAM: its buffers at the sizes the
// host asked for, and the runs' temporaries (inputs in the chip's format, node outputs,
// narrowed operands) counted on the same counter (f32 values the chip would store
// narrower count at 4 bytes): the simulator's own accounting, labelled simulated.
// Constants (weights) are not counted.
hetero_status* DeviceMemoryStats(hetero_device* handle, int32_t reset, hetero_memory_stats* out) {
  auto device = FromHandle(handle, "device_memory_stats");
  if (!device.ok()) return ToAbi(device.status());
  hetero_status* s = Cpu().device_memory_stats((*device)->cpu_device, reset, out);
  if (s == nullptr)
    out->coverage = HETERO_MEMORY_BUFFERS | HETERO_MEMORY_INTERMEDIATES | HETERO_MEMORY_SIMULATED;
  return s;
}

hetero_plugin_api MakeApi() {
  hetero_plugin_api api{};
  api.struct_size = sizeof(hetero_plugin_api);
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR;
  api.abi_minor = HETERO_PLUGIN_ABI_MINOR;
  api.plugin_name = "npu-sim";
  api.plugin_version = kNpuSimPluginVersion;
  api.plugin_create = &PluginCreate;
  api.plugin_destroy = &PluginDestroy;
  api.device_count = &abi::DeviceCount;
  api.device_properties = &abi::DeviceProperties;
  api.device_open = &abi::DeviceOpen;
  api.device_close = &abi::DeviceClose;
  api.query_support = &abi::QuerySupport;
  api.compile = &abi::Compile;
  api.executable_destroy = &abi::ExecutableDestroy;
  api.buffer_allocate = &BufferAllocate;
  api.buffer_free = &BufferFree;
  api.stream_create = &StreamCreate;
  api.stream_destroy = &StreamDestroy;
  api.copy_host_to_device = &CopyH2D;
  api.copy_device_to_host = &CopyD2H;
  api.execute = &abi::Execute;
  api.stream_synchronize = &StreamSynchronize;
  api.event_create = &EventCreate;
  api.event_destroy = &EventDestroy;
  api.event_wait = &EventWait;
  api.event_query = &EventQuery;
  api.event_on_ready = &EventOnReady;
  api.copy_device_to_device = &CopyD2D;
  api.executable_serialize = &abi::ExecutableSerialize;
  api.executable_deserialize = &abi::ExecutableDeserialize;
  api.set_profiling = &abi::SetProfiling;
  api.device_memory_stats = &DeviceMemoryStats;
  return api;
}

}  // namespace

uint64_t Plugin::NowNs() const {
  if (host.now_ns != nullptr) return host.now_ns(host.host_context);
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

StatusOr<Plugin*> FromHandle(hetero_plugin* h, const char* what) {
  return CheckedCast<Plugin>(h, Tag::kPlugin, what);
}
StatusOr<Device*> FromHandle(hetero_device* h, const char* what) {
  return CheckedCast<Device>(h, Tag::kDevice, what);
}
StatusOr<Executable*> FromHandle(hetero_executable* h, const char* what) {
  return CheckedCast<Executable>(h, Tag::kExecutable, what);
}

}  // namespace hetero::npu_sim

extern "C" hetero_status* hetero_npu_sim_plugin_get_api(uint32_t host_major, uint32_t host_minor,
                                                        const hetero_plugin_api** out_api) {
  using hetero::npu_sim::ToAbi;
  if (out_api == nullptr) return ToAbi(hetero::InvalidArgument("get_api: out_api is NULL"));
  *out_api = nullptr;
  if (host_major != HETERO_PLUGIN_ABI_MAJOR) {
    hetero_status* s = hetero::cpu::MakeAbiStatus(
        HETERO_INCOMPATIBLE_VERSION,
        "npu-sim plugin speaks ABI major " + std::to_string(HETERO_PLUGIN_ABI_MAJOR) +
            ", the host " + std::to_string(host_major) + "." + std::to_string(host_minor));
    return s;
  }
  static const hetero_plugin_api api = hetero::npu_sim::MakeApi();
  *out_api = &api;
  return nullptr;
}

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out_api) {
  return hetero_npu_sim_plugin_get_api(host_major, host_minor, out_api);
}
