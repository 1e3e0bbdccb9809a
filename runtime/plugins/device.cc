// Plugin and Device: instances, enumeration, properties, support queries, compilation.
#include "runtime/plugins/device.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "runtime/plugins/graph_view.h"

namespace hetero::plugins {
namespace {

std::string FixedString(const char* text, size_t capacity) {
  return std::string(text, strnlen(text, capacity));
}

DeviceProperties ConvertProperties(const hetero_device_properties& in) {
  DeviceProperties out;
  out.kind = in.kind;
  out.name = FixedString(in.name, sizeof(in.name));
  out.vendor = FixedString(in.vendor, sizeof(in.vendor));
  out.driver_version = FixedString(in.driver_version, sizeof(in.driver_version));
  out.memory_bytes = in.memory_bytes;
  for (int i = 0; i < HETERO_DTYPE_COUNT; ++i) out.peak_flops[i] = in.peak_flops[i];
  out.memory_bandwidth = in.memory_bandwidth;
  out.host_link_bandwidth = in.host_link_bandwidth;
  out.launch_overhead_ns = in.launch_overhead_ns;
  out.capabilities = in.capabilities;
  out.max_allocation_bytes = in.max_allocation_bytes;
  return out;
}

// The reason callback given to query_support: copies the plugin's string.
void SetReason(void* context, uint32_t node_index, const char* reason) noexcept {
  try {
    auto* result = static_cast<SupportResult*>(context);
    if (node_index < result->reason.size() && reason != nullptr) {
      result->reason[node_index] = std::string(reason, strnlen(reason, 1024));
    }
  } catch (...) {
  }
}

}  // namespace

double DeviceProperties::PeakFlops(DType dtype) const {
  return peak_flops[static_cast<size_t>(ToPluginDType(dtype))];
}

uint64_t DeviceProperties::MaxAllocation() const {
  return max_allocation_bytes != 0 ? max_allocation_bytes : memory_bytes;
}

std::string DeviceKindName(int32_t kind) {
  switch (kind) {
    case HETERO_DEVICE_CPU: return "cpu";
    case HETERO_DEVICE_GPU: return "gpu";
    case HETERO_DEVICE_NPU: return "npu";
    case HETERO_DEVICE_ACCELERATOR: return "accelerator";
    default: return "unknown(" + std::to_string(kind) + ")";
  }
}

std::vector<std::string> CapabilityNames(uint64_t capabilities) {
  static constexpr std::pair<uint64_t, const char*> kNames[] = {
      {HETERO_CAP_ASYNC, "async"},
      {HETERO_CAP_EVENTS, "events"},
      {HETERO_CAP_STATIC_SHAPES_ONLY, "static_shapes_only"},
      {HETERO_CAP_DEVICE_COPY, "device_copy"},
      {HETERO_CAP_SERIALIZE, "serialize"},
      {HETERO_CAP_SIMULATED, "simulated"},
      {HETERO_CAP_HOST_MEMORY, "host_memory"},
  };
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if (capabilities & bit) names.push_back(name);
  }
  return names;
}

// ---- Plugin -------------------------------------------------------------------------

StatusOr<std::shared_ptr<Plugin>> Plugin::Create(std::shared_ptr<const PluginLibrary> library,
                                                 std::shared_ptr<HostServices> host) {
  if (library == nullptr || host == nullptr)
    return InvalidArgument("Plugin::Create: null argument");
  std::shared_ptr<Plugin> plugin(new Plugin());
  plugin->library_ = std::move(library);
  plugin->host_ = std::move(host);
  plugin->binding_ = plugin->host_->Bind(plugin->library_->name());
  hetero_plugin* raw = nullptr;
  HETERO_RETURN_IF_ERROR(
      plugin->Check(plugin->api().plugin_create(plugin->binding_->api(), &raw), "plugin_create"));
  if (raw == nullptr) {
    return Internal("plugin " + plugin->library_->label() + ": plugin_create returned no instance");
  }
  plugin->plugin_ = raw;
  return plugin;
}

Plugin::~Plugin() {
  if (plugin_ != nullptr) api().plugin_destroy(plugin_);
}

Status Plugin::Unimplemented(std::string_view entry) const {
  return hetero::Unimplemented(std::string(entry) + ": unimplemented by plugin '" + name() + "'");
}

Status Plugin::Check(hetero_status* status, std::string_view entry) const {
  if (status == nullptr) return OkStatus();
  return TakePluginStatus(status, "plugin '" + name() + "': " + std::string(entry));
}

StatusOr<uint32_t> Plugin::DeviceCount() const {
  uint32_t count = 0;
  HETERO_RETURN_IF_ERROR(Check(api().device_count(plugin_, &count), "device_count"));
  return count;
}

StatusOr<DeviceProperties> Plugin::Properties(uint32_t index) const {
  HETERO_ASSIGN_OR_RETURN(uint32_t count, DeviceCount());
  if (index >= count) {
    return OutOfRange("plugin '" + name() + "': device " + std::to_string(index) + " of " +
                      std::to_string(count));
  }
  hetero_device_properties properties{};
  properties.struct_size = sizeof(properties);
  HETERO_RETURN_IF_ERROR(
      Check(api().device_properties(plugin_, index, &properties), "device_properties"));
  return ConvertProperties(properties);
}

StatusOr<std::shared_ptr<Device>> Plugin::OpenDevice(uint32_t index, std::string display_name) {
  HETERO_ASSIGN_OR_RETURN(DeviceProperties properties, Properties(index));
  std::shared_ptr<Device> device(new Device());
  device->plugin_ = shared_from_this();
  device->index_ = index;
  device->name_ = display_name.empty() ? name() + ":" + std::to_string(index) : display_name;
  device->properties_ = std::move(properties);
  hetero_device* raw = nullptr;
  HETERO_RETURN_IF_ERROR(Check(api().device_open(plugin_, index, &raw), "device_open"));
  if (raw == nullptr) return Internal("plugin '" + name() + "': device_open returned no device");
  device->device_ = raw;
  return device;
}

// ---- Device -------------------------------------------------------------------------

Device::~Device() {
  if (device_ != nullptr) api().device_close(device_);
}

Status Device::Unimplemented(std::string_view entry) const {
  return hetero::Unimplemented("device " + name_ + ": " + std::string(entry) +
                               ": unimplemented by plugin '" + plugin_->name() + "'");
}

Status Device::Check(hetero_status* status, std::string_view entry) const {
  if (status == nullptr) return OkStatus();
  return TakePluginStatus(status, "device " + name_ + ": " + std::string(entry));
}

size_t SupportResult::num_supported() const {
  size_t n = 0;
  for (bool s : supported) n += s ? 1 : 0;
  return n;
}

StatusOr<SupportResult> Device::QuerySupport(const GraphView& graph) const {
  const size_t n = graph.num_nodes();
  std::vector<int32_t> support(n, HETERO_SUPPORT_NO);
  SupportResult result;
  result.reason.resize(n);
  hetero_support_result out{};
  out.struct_size = sizeof(out);
  out.support = support.data();
  out.reason_context = &result;
  out.set_reason = &SetReason;
  HETERO_RETURN_IF_ERROR(Check(api().query_support(device_, graph.view(), &out), "query_support"));
  result.supported.resize(n);
  for (size_t i = 0; i < n; ++i) {
    result.supported[i] = support[i] == HETERO_SUPPORT_YES;
    if (result.supported[i]) result.reason[i].clear();
  }
  return result;
}

StatusOr<Executable> Device::Compile(const GraphView& graph, std::string_view options) {
  const std::string options_text(options);
  hetero_compile_options compile_options{};
  compile_options.struct_size = sizeof(compile_options);
  compile_options.options = options_text.empty() ? nullptr : options_text.c_str();
  hetero_executable* raw = nullptr;
  HETERO_RETURN_IF_ERROR(
      Check(api().compile(device_, graph.view(), &compile_options, &raw), "compile"));
  if (raw == nullptr) return Internal("device " + name_ + ": compile returned no executable");
  Executable executable;
  executable.device_ = shared_from_this();
  executable.executable_ = raw;
  executable.num_inputs_ = graph.view()->num_inputs;
  executable.num_outputs_ = graph.view()->num_outputs;
  executable.constants_ = graph.constants();
  return executable;
}

StatusOr<Executable> Device::Deserialize(const void* bytes, uint64_t size) {
  if (api().executable_deserialize == nullptr) return Unimplemented("executable_deserialize");
  hetero_executable* raw = nullptr;
  HETERO_RETURN_IF_ERROR(
      Check(api().executable_deserialize(device_, bytes, size, &raw), "executable_deserialize"));
  if (raw == nullptr) {
    return Internal("device " + name_ + ": executable_deserialize returned no executable");
  }
  Executable executable;
  executable.device_ = shared_from_this();
  executable.executable_ = raw;
  return executable;
}

StatusOr<Buffer> Device::Allocate(uint64_t size_bytes) {
  hetero_buffer* raw = nullptr;
  HETERO_RETURN_IF_ERROR(Check(api().buffer_allocate(device_, size_bytes, &raw),
                               "buffer_allocate(" + std::to_string(size_bytes) + " bytes)"));
  if (raw == nullptr) return Internal("device " + name_ + ": buffer_allocate returned no buffer");
  Buffer buffer;
  buffer.device_ = shared_from_this();
  buffer.buffer_ = raw;
  buffer.size_ = size_bytes;
  return buffer;
}

StatusOr<Stream> Device::CreateStream() {
  hetero_stream* raw = nullptr;
  HETERO_RETURN_IF_ERROR(Check(api().stream_create(device_, &raw), "stream_create"));
  if (raw == nullptr) return Internal("device " + name_ + ": stream_create returned no stream");
  Stream stream;
  stream.device_ = shared_from_this();
  stream.stream_ = raw;
  return stream;
}

StatusOr<Event> Device::CreateEvent() {
  if (api().event_create == nullptr || api().event_destroy == nullptr) {
    return Unimplemented("event_create");
  }
  hetero_event* raw = nullptr;
  HETERO_RETURN_IF_ERROR(Check(api().event_create(device_, &raw), "event_create"));
  if (raw == nullptr) return Internal("device " + name_ + ": event_create returned no event");
  Event event;
  event.device_ = shared_from_this();
  event.event_ = raw;
  return event;
}

Status Device::SetProfiling(bool enabled) {
  if (api().set_profiling == nullptr) return Unimplemented("set_profiling");
  return Check(api().set_profiling(device_, enabled ? 1 : 0), "set_profiling");
}

StatusOr<MemoryStats> Device::ReadMemoryStats(bool reset_peak) const {
  const hetero_plugin_api& table = api();
  if (!HETERO_HAS_FIELD(&table, hetero_plugin_api, device_memory_stats) ||
      table.device_memory_stats == nullptr) {
    return Unimplemented("device_memory_stats");
  }
  hetero_memory_stats stats{};
  stats.struct_size = sizeof(stats);
  HETERO_RETURN_IF_ERROR(
      Check(table.device_memory_stats(device_, reset_peak ? 1 : 0, &stats), "device_memory_stats"));
  MemoryStats out;
  out.coverage = stats.coverage;
  out.bytes_in_use = stats.bytes_in_use;
  out.peak_bytes_in_use = std::max(stats.peak_bytes_in_use, stats.bytes_in_use);
  out.allocations = stats.allocations;
  return out;
}

std::vector<std::string> MemoryCoverageNames(uint64_t coverage) {
  static constexpr std::pair<uint64_t, const char*> kNames[] = {
      {HETERO_MEMORY_BUFFERS, "buffers"},
      {HETERO_MEMORY_INTERMEDIATES, "intermediates"},
      {HETERO_MEMORY_CONSTANTS, "constants"},
      {HETERO_MEMORY_SIMULATED, "simulated"},
  };
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if ((coverage & bit) != 0) names.push_back(name);
  }
  return names;
}

}  // namespace hetero::plugins
