// The OpenCL plugin's buffers: one cl_mem each, refused beyond the largest allocation;
// the device's memory statistics.
#include <memory>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/opencl_plugin.h"

namespace hetero::opencl::abi {

hetero_status* BufferAllocate(hetero_device* handle, uint64_t size, hetero_buffer** out) {
  return cpu::Guard("opencl buffer_allocate", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "buffer_allocate"));
    if (out == nullptr) return InvalidArgument("opencl buffer_allocate: out is NULL");
    *out = nullptr;
    if (device->info->max_alloc != 0 && size > device->info->max_alloc) {
      return ResourceExhausted("opencl buffer_allocate: " + std::to_string(size) +
                               " bytes exceed the largest allocation of " + device->info->name +
                               " (" + std::to_string(device->info->max_alloc) + " bytes)");
    }
    auto buffer = std::make_unique<Buffer>();
    buffer->device = device;
    buffer->size = size;
    cl_int err = CL_SUCCESS;
    const size_t bytes = size < 4 ? 4 : static_cast<size_t>(size);
    buffer->mem = clCreateBuffer(device->context, CL_MEM_READ_WRITE, bytes, nullptr, &err);
    if (err != CL_SUCCESS) {
      return ClStatus(err, "clCreateBuffer of " + std::to_string(size) + " bytes");
    }
    device->memory.Add(size);
    *out = reinterpret_cast<hetero_buffer*>(buffer.release());
    return OkStatus();
  });
}

void BufferFree(hetero_buffer* handle) {
  auto* buffer = reinterpret_cast<Buffer*>(handle);
  if (buffer == nullptr || buffer->tag != Tag::kBuffer) return;
  buffer->tag = Tag::kDead;
  // The driver keeps the memory alive until enqueued commands that use it are done.
  if (buffer->mem != nullptr) clReleaseMemObject(buffer->mem);
  buffer->device->memory.Sub(buffer->size);
  delete buffer;
}

hetero_status* DeviceMemoryStats(hetero_device* handle, int32_t reset_peak,
                                 hetero_memory_stats* out_stats) {
  return cpu::Guard("opencl device_memory_stats", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "device_memory_stats"));
    return device->memory.Fill(
        HETERO_MEMORY_BUFFERS | HETERO_MEMORY_INTERMEDIATES | HETERO_MEMORY_CONSTANTS,
        reset_peak != 0, out_stats);
  });
}

}  // namespace hetero::opencl::abi
