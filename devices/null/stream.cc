// The null plugin's streams, copies and execution: none.
#include "null_plugin.h"

namespace null_plugin {

hetero_status* StreamCreate(hetero_device* /*device*/, hetero_stream** out) {
  if (out != nullptr) *out = nullptr;
  return Unimplemented("stream_create");
}

// No stream is ever handed out, so there is nothing to destroy.
void StreamDestroy(hetero_stream* /*stream*/) {}

hetero_status* CopyHostToDevice(hetero_stream* /*stream*/, const void* /*src*/,
                                hetero_buffer* /*dst*/, uint64_t /*dst_offset*/,
                                uint64_t /*size_bytes*/, const hetero_sync* /*sync*/) {
  return Unimplemented("copy_host_to_device");
}

hetero_status* CopyDeviceToHost(hetero_stream* /*stream*/, const hetero_buffer* /*src*/,
                                uint64_t /*src_offset*/, void* /*dst*/, uint64_t /*size_bytes*/,
                                const hetero_sync* /*sync*/) {
  return Unimplemented("copy_device_to_host");
}

hetero_status* Execute(hetero_stream* /*stream*/, hetero_executable* /*executable*/,
                       uint32_t /*num_inputs*/, hetero_buffer* const* /*inputs*/,
                       const hetero_tensor_desc* /*input_descs*/, uint32_t /*num_outputs*/,
                       hetero_buffer* const* /*outputs*/,
                       const hetero_tensor_desc* /*output_descs*/, const hetero_sync* /*sync*/) {
  return Unimplemented("execute");
}

hetero_status* StreamSynchronize(hetero_stream* /*stream*/) {
  return Unimplemented("stream_synchronize");
}

}  // namespace null_plugin
