// CPU buffers: 64-byte aligned host memory, sized against the machine before allocating,
// and the device's memory statistics.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/cpu_plugin.h"

namespace hetero::cpu::abi {

hetero_status* BufferAllocate(hetero_device* handle, uint64_t size, hetero_buffer** out) {
  return Guard("cpu buffer_allocate", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("buffer_allocate: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "buffer_allocate"));
    const uint64_t limit = device->plugin->machine.memory_bytes;
    if ((limit != 0 && size > limit) || size > (uint64_t{1} << 62)) {
      return ResourceExhausted("buffer_allocate: " + std::to_string(size) +
                               " bytes is more than the machine's " + std::to_string(limit));
    }
    // Rounded up to the alignment; a zero-size buffer still gets a valid pointer.
    const uint64_t rounded = (std::max<uint64_t>(size, 1) + 63) / 64 * 64;
    void* data = std::aligned_alloc(64, rounded);
    if (data == nullptr) {
      return ResourceExhausted("buffer_allocate: cannot allocate " + std::to_string(size) +
                               " bytes");
    }
    auto buffer = std::make_unique<Buffer>();
    buffer->device = device;
    buffer->size = size;
    buffer->data = data;
    device->memory.Add(size);
    *out = ToHandle(buffer.release());
    return OkStatus();
  });
}

void BufferFree(hetero_buffer* handle) {
  GuardVoid([&] {
    auto buffer = FromHandle(handle, "buffer_free");
    if (!buffer.ok()) return;
    std::free((*buffer)->data);
    (*buffer)->device->memory.Sub((*buffer)->size);
    (*buffer)->tag = Tag::kDead;
    delete *buffer;
  });
}

hetero_status* BufferHostPointer(hetero_buffer* handle, void** out_pointer) {
  return Guard("cpu buffer_host_pointer", [&]() -> Status {
    if (out_pointer == nullptr) return InvalidArgument("buffer_host_pointer: out is NULL");
    *out_pointer = nullptr;
    HETERO_ASSIGN_OR_RETURN(Buffer * buffer, FromHandle(handle, "buffer_host_pointer"));
    *out_pointer = buffer->data;
    return OkStatus();
  });
}

hetero_status* DeviceMemoryStats(hetero_device* handle, int32_t reset_peak,
                                 hetero_memory_stats* out_stats) {
  return Guard("cpu device_memory_stats", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "device_memory_stats"));
    return device->memory.Fill(HETERO_MEMORY_BUFFERS | HETERO_MEMORY_INTERMEDIATES, reset_peak != 0,
                               out_stats);
  });
}

}  // namespace hetero::cpu::abi
