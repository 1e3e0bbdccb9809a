// The null plugin's buffers: it has no memory to give.
#include "null_plugin.h"

namespace null_plugin {

hetero_status* BufferAllocate(hetero_device* /*device*/, uint64_t /*size_bytes*/,
                              hetero_buffer** out) {
  if (out != nullptr) *out = nullptr;
  return Unimplemented("buffer_allocate");
}

// No buffer is ever handed out, so there is nothing to free.
void BufferFree(hetero_buffer* /*buffer*/) {}

}  // namespace null_plugin
