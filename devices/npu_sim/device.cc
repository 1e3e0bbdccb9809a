// Devices of the simulated NPU: one per preset, properties from the preset's figures.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "devices/cpu/cpu_plugin.h"
#include "devices/npu_sim/npu_plugin.h"

namespace hetero::npu_sim::abi {
namespace {

StatusOr<const Preset*> PresetAt(Plugin* plugin, uint32_t index, const char* what) {
  if (index >= plugin->presets.size()) {
    return NotFound(std::string(what) + ": no npu-sim device " + std::to_string(index) +
                    " (there are " + std::to_string(plugin->presets.size()) + ")");
  }
  return &plugin->presets[index];
}

hetero_device_properties MakeProperties(const Preset& preset) {
  hetero_device_properties p{};
  p.struct_size = sizeof(p);
  p.kind = HETERO_DEVICE_NPU;
  std::snprintf(p.name, sizeof(p.name), "npu-sim:%s", preset.name.c_str());
  std::snprintf(p.vendor, sizeof(p.vendor), "%s", preset.vendor.c_str());
  std::snprintf(p.driver_version, sizeof(p.driver_version), "hetero npu-sim %s (simulated: %s)",
                kNpuSimPluginVersion, preset.display_name.c_str());
  p.memory_bytes = static_cast<uint64_t>(preset.dram_bytes);
  p.peak_flops[HETERO_DTYPE_BF16] = preset.Supports(DType::kBF16) ? preset.peak_flops_bf16 : 0;
  p.peak_flops[HETERO_DTYPE_F16] = preset.Supports(DType::kF16) ? preset.peak_flops_fp16 : 0;
  p.peak_flops[HETERO_DTYPE_F8E4M3] = preset.Supports(DType::kF8E4M3) ? preset.peak_flops_fp8 : 0;
  p.peak_flops[HETERO_DTYPE_I8] = preset.peak_ops_int8;
  // An f32 graph runs in the default compute format (none on an int8-only chip).
  if (IsFloat(preset.default_dtype)) {
    p.peak_flops[HETERO_DTYPE_F32] = preset.MatrixPeak(preset.default_dtype);
  }
  p.memory_bandwidth = preset.dram_bytes_per_s;
  p.host_link_bandwidth = preset.HostLinkBytesPerS();
  p.launch_overhead_ns = preset.launch_overhead_ns;
  p.capabilities = HETERO_CAP_ASYNC | HETERO_CAP_EVENTS | HETERO_CAP_STATIC_SHAPES_ONLY |
                   HETERO_CAP_SIMULATED | HETERO_CAP_DEVICE_COPY | HETERO_CAP_SERIALIZE;
  p.max_allocation_bytes = p.memory_bytes;
  return p;
}

}  // namespace

hetero_status* DeviceCount(hetero_plugin* handle, uint32_t* out_count) {
  return Guard("npu-sim device_count", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_count"));
    if (out_count == nullptr) return InvalidArgument("device_count: out_count is NULL");
    *out_count = static_cast<uint32_t>(plugin->presets.size());
    return OkStatus();
  });
}

hetero_status* DeviceProperties(hetero_plugin* handle, uint32_t index,
                                hetero_device_properties* out) {
  return Guard("npu-sim device_properties", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_properties"));
    if (out == nullptr) return InvalidArgument("device_properties: out_properties is NULL");
    HETERO_ASSIGN_OR_RETURN(const Preset* preset, PresetAt(plugin, index, "device_properties"));
    const uint32_t size = out->struct_size;
    if (size < offsetof(hetero_device_properties, name)) {
      return InvalidArgument("device_properties: out_properties->struct_size is " +
                             std::to_string(size) + "; set it to the struct's size");
    }
    const hetero_device_properties p = MakeProperties(*preset);
    std::memcpy(out, &p, std::min<size_t>(size, sizeof(p)));
    out->struct_size = std::min<uint32_t>(size, sizeof(p));
    return OkStatus();
  });
}

hetero_status* DeviceOpen(hetero_plugin* handle, uint32_t index, hetero_device** out) {
  return Guard("npu-sim device_open", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("device_open: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_open"));
    HETERO_ASSIGN_OR_RETURN(const Preset* preset, PresetAt(plugin, index, "device_open"));
    auto device = std::make_unique<Device>();
    device->plugin = plugin;
    device->index = index;
    device->preset = preset;
    hetero_status* s = plugin->cpu_api->device_open(plugin->cpu_plugin, 0, &device->cpu_device);
    if (s != nullptr) {
      Status error = Internal(std::string("device_open: inner CPU device: ") + s->message);
      s->destroy(s);
      return error;
    }
    auto inner = cpu::FromHandle(device->cpu_device, "device_open");
    if (!inner.ok()) {
      plugin->cpu_api->device_close(device->cpu_device);
      return inner.status();
    }
    device->memory = &(*inner)->memory;
    *out = ToHandle(device.release());
    return OkStatus();
  });
}

void DeviceClose(hetero_device* handle) {
  auto device = FromHandle(handle, "device_close");
  if (!device.ok()) return;
  Device* d = *device;
  if (d->cpu_device != nullptr) d->plugin->cpu_api->device_close(d->cpu_device);
  d->tag = Tag::kDead;
  delete d;
}

hetero_status* SetProfiling(hetero_device* handle, int32_t enabled) {
  return Guard("npu-sim set_profiling", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "set_profiling"));
    if (enabled && device->plugin->host.profile_record == nullptr) {
      return FailedPrecondition("set_profiling: the host offers no profile_record callback");
    }
    device->profiling.store(enabled != 0, std::memory_order_release);
    return OkStatus();
  });
}

}  // namespace hetero::npu_sim::abi
