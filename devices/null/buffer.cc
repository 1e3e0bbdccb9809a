// The null plugin's buffers: it has no memory to give, so its memory statistics are
// all zero.
#include <algorithm>
#include <cstring>

#include "null_plugin.h"

namespace null_plugin {

hetero_status* BufferAllocate(hetero_device* /*device*/, uint64_t /*size_bytes*/,
                              hetero_buffer** out) {
  if (out != nullptr) *out = nullptr;
  return Unimplemented("buffer_allocate");
}

// No buffer is ever handed out, so there is nothing to free.
void BufferFree(hetero_buffer* /*buffer*/) {}

// ABI 1.1. A real device counts its buffers (and whatever its executables allocate) as
// they come and go, keeps the peak, and restarts the peak at the bytes in use when
// reset_peak is set. Fill a full local copy, then write only the struct_size the host set.
hetero_status* DeviceMemoryStats(hetero_device* device, int32_t /*reset_peak*/,
                                 hetero_memory_stats* out_stats) {
  if (device == nullptr || out_stats == nullptr) {
    return MakeStatus(HETERO_INVALID_ARGUMENT, "null plugin: device_memory_stats: NULL argument");
  }
  if (!HETERO_HAS_FIELD(out_stats, hetero_memory_stats, peak_bytes_in_use)) {
    return MakeStatus(HETERO_INVALID_ARGUMENT,
                      "null plugin: device_memory_stats: out_stats struct_size is too small");
  }
  hetero_memory_stats stats{};
  stats.struct_size = out_stats->struct_size;
  stats.coverage = HETERO_MEMORY_BUFFERS;  // zero buffers: nothing is ever allocated
  std::memcpy(out_stats, &stats, std::min<size_t>(out_stats->struct_size, sizeof(stats)));
  return nullptr;
}

}  // namespace null_plugin
