// The OpenCL plugin's devices: enumeration through the ICD loader, properties read
// from the driver, contexts, and profiling switches.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/opencl_plugin.h"

namespace hetero::opencl {
namespace {

using cpu::Guard;

std::string InfoString(cl_device_id id, cl_device_info what) {
  size_t size = 0;
  if (clGetDeviceInfo(id, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string s(size, '\0');
  if (clGetDeviceInfo(id, what, size, s.data(), nullptr) != CL_SUCCESS) return "";
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

template <typename T>
T InfoValue(cl_device_id id, cl_device_info what) {
  T value{};
  if (clGetDeviceInfo(id, what, sizeof(T), &value, nullptr) != CL_SUCCESS) return T{};
  return value;
}

DeviceInfo ReadDevice(cl_platform_id platform, cl_device_id id) {
  DeviceInfo d;
  d.platform = platform;
  d.id = id;
  d.name = InfoString(id, CL_DEVICE_NAME);
  d.vendor = InfoString(id, CL_DEVICE_VENDOR);
  d.driver_version = InfoString(id, CL_DRIVER_VERSION);
  d.extensions = InfoString(id, CL_DEVICE_EXTENSIONS);
  d.type = InfoValue<cl_device_type>(id, CL_DEVICE_TYPE);
  d.global_mem = InfoValue<cl_ulong>(id, CL_DEVICE_GLOBAL_MEM_SIZE);
  d.max_alloc = InfoValue<cl_ulong>(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  d.local_mem = InfoValue<cl_ulong>(id, CL_DEVICE_LOCAL_MEM_SIZE);
  d.max_work_group = InfoValue<size_t>(id, CL_DEVICE_MAX_WORK_GROUP_SIZE);
  if (d.max_work_group == 0) d.max_work_group = 1;
  d.compute_units = InfoValue<cl_uint>(id, CL_DEVICE_MAX_COMPUTE_UNITS);
  d.clock_mhz = InfoValue<cl_uint>(id, CL_DEVICE_MAX_CLOCK_FREQUENCY);
  // Tests lower the largest allocation (bytes) to reach the limit quickly.
  if (const char* limit = std::getenv("HETERO_OPENCL_MAX_ALLOC"); limit != nullptr) {
    const uint64_t bytes = std::strtoull(limit, nullptr, 10);
    if (bytes > 0 && (d.max_alloc == 0 || bytes < d.max_alloc)) d.max_alloc = bytes;
  }
  return d;
}

}  // namespace

std::vector<DeviceInfo> EnumerateDevices() {
  std::vector<DeviceInfo> out;
  cl_uint num_platforms = 0;
  if (clGetPlatformIDs(0, nullptr, &num_platforms) != CL_SUCCESS || num_platforms == 0) {
    return out;  // no ICD or no platform: no devices, not an error
  }
  std::vector<cl_platform_id> platforms(num_platforms);
  if (clGetPlatformIDs(num_platforms, platforms.data(), nullptr) != CL_SUCCESS) return out;
  for (cl_platform_id p : platforms) {
    cl_uint n = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &n) != CL_SUCCESS || n == 0) continue;
    std::vector<cl_device_id> ids(n);
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, n, ids.data(), nullptr) != CL_SUCCESS) continue;
    for (cl_device_id id : ids) out.push_back(ReadDevice(p, id));
  }
  return out;
}

std::string ClError(cl_int code) {
  switch (code) {
    case CL_OUT_OF_RESOURCES: return "CL_OUT_OF_RESOURCES (-5)";
    case CL_OUT_OF_HOST_MEMORY: return "CL_OUT_OF_HOST_MEMORY (-6)";
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: return "CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)";
    case CL_BUILD_PROGRAM_FAILURE: return "CL_BUILD_PROGRAM_FAILURE (-11)";
    case CL_INVALID_WORK_GROUP_SIZE: return "CL_INVALID_WORK_GROUP_SIZE (-54)";
    case CL_INVALID_BUFFER_SIZE: return "CL_INVALID_BUFFER_SIZE (-61)";
    case CL_INVALID_KERNEL_ARGS: return "CL_INVALID_KERNEL_ARGS (-52)";
    case CL_INVALID_VALUE: return "CL_INVALID_VALUE (-30)";
    default: return "OpenCL error " + std::to_string(code);
  }
}

Status ClStatus(cl_int code, const std::string& what) {
  const std::string message = "opencl: " + what + " failed: " + ClError(code);
  if (code == CL_OUT_OF_RESOURCES || code == CL_OUT_OF_HOST_MEMORY ||
      code == CL_MEM_OBJECT_ALLOCATION_FAILURE) {
    return ResourceExhausted(message);
  }
  return Internal(message);
}

namespace abi {

hetero_status* DeviceCount(hetero_plugin* handle, uint32_t* out_count) {
  return Guard("opencl device_count", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_count"));
    if (out_count == nullptr) return InvalidArgument("opencl device_count: out_count is NULL");
    *out_count = static_cast<uint32_t>(plugin->devices.size());
    return OkStatus();
  });
}

// Peak f32 estimate: compute units x clock x 8 lanes x 2 FLOPs per FMA. Drivers do not
// report SIMD width, so 8 f32 lanes per compute unit is an assumption (AVX2 on a CPU
// device, a conservative figure per GPU compute unit).
hetero_status* DeviceProperties(hetero_plugin* handle, uint32_t index,
                                hetero_device_properties* out) {
  return Guard("opencl device_properties", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_properties"));
    if (out == nullptr) return InvalidArgument("opencl device_properties: out is NULL");
    if (index >= plugin->devices.size()) {
      return OutOfRange("opencl: device " + std::to_string(index) + " does not exist (there are " +
                        std::to_string(plugin->devices.size()) + ")");
    }
    const DeviceInfo& d = plugin->devices[index];
    hetero_device_properties p{};
    p.struct_size = sizeof(p);
    p.kind = (d.type & CL_DEVICE_TYPE_GPU)   ? HETERO_DEVICE_GPU
             : (d.type & CL_DEVICE_TYPE_CPU) ? HETERO_DEVICE_CPU
                                             : HETERO_DEVICE_ACCELERATOR;
    std::snprintf(p.name, sizeof(p.name), "%s", d.name.c_str());
    std::snprintf(p.vendor, sizeof(p.vendor), "%s", d.vendor.c_str());
    std::snprintf(p.driver_version, sizeof(p.driver_version), "%s", d.driver_version.c_str());
    p.memory_bytes = d.global_mem;
    p.max_allocation_bytes = d.max_alloc;
    p.peak_flops[HETERO_DTYPE_F32] = double(d.compute_units) * d.clock_mhz * 1e6 * 8 * 2;
    p.capabilities = HETERO_CAP_ASYNC | HETERO_CAP_EVENTS;
    p.launch_overhead_ns = 20000;
    const uint32_t host_size = out->struct_size;
    std::memcpy(out, &p, host_size < sizeof(p) ? host_size : sizeof(p));
    out->struct_size = host_size;
    return OkStatus();
  });
}

hetero_status* DeviceOpen(hetero_plugin* handle, uint32_t index, hetero_device** out) {
  return Guard("opencl device_open", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_open"));
    if (out == nullptr) return InvalidArgument("opencl device_open: out is NULL");
    if (index >= plugin->devices.size()) {
      return OutOfRange("opencl: device " + std::to_string(index) + " does not exist (there are " +
                        std::to_string(plugin->devices.size()) + ")");
    }
    auto device = std::make_unique<Device>();
    device->plugin = plugin;
    device->index = index;
    device->info = &plugin->devices[index];
    cl_int err = CL_SUCCESS;
    cl_context_properties props[] = {
        CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(device->info->platform), 0};
    device->context = clCreateContext(props, 1, &device->info->id, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) return ClStatus(err, "clCreateContext for " + device->info->name);
    *out = reinterpret_cast<hetero_device*>(device.release());
    return OkStatus();
  });
}

void DeviceClose(hetero_device* handle) {
  auto* device = reinterpret_cast<Device*>(handle);
  if (device == nullptr || device->tag != Tag::kDevice) return;
  device->tag = Tag::kDead;
  if (device->context != nullptr) clReleaseContext(device->context);
  delete device;
}

hetero_status* SetProfiling(hetero_device* handle, int32_t enabled) {
  return Guard("opencl set_profiling", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "set_profiling"));
    device->profiling.store(enabled != 0, std::memory_order_release);
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::opencl
