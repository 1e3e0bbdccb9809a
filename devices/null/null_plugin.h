// The null plugin's internal declarations: its objects, statuses and entry points.
#pragma once

#include <string>

#include "hetero_plugin.h"

// The ABI's opaque handles, defined by this plugin. Each holds what it needs; nothing
// is global, so two instances never share state.
struct hetero_plugin {
  const hetero_host_api* host;
};

struct hetero_device {
  hetero_plugin* plugin;
  uint32_t index;
};

namespace null_plugin {

// A heap status with a copied message; its destroy frees it.
hetero_status* MakeStatus(hetero_status_code code, const std::string& message);
// HETERO_UNIMPLEMENTED naming the entry: "null plugin: compile is not implemented".
hetero_status* Unimplemented(const char* entry);
// Runs `body`, turning any C++ exception into HETERO_INTERNAL: no exception crosses the ABI.
template <typename Body>
hetero_status* Guard(const char* entry, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return MakeStatus(HETERO_INTERNAL, std::string("null plugin: ") + entry + " failed");
  }
}

// device.cc
hetero_status* PluginCreate(const hetero_host_api* host, hetero_plugin** out_plugin);
void PluginDestroy(hetero_plugin* plugin);
hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count);
hetero_status* DeviceProperties(hetero_plugin* plugin, uint32_t index,
                                hetero_device_properties* out_properties);
hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out);
void DeviceClose(hetero_device* device);
hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result);

// executable.cc
hetero_status* Compile(hetero_device* device, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out);
void ExecutableDestroy(hetero_executable* executable);

// buffer.cc
hetero_status* BufferAllocate(hetero_device* device, uint64_t size_bytes, hetero_buffer** out);
void BufferFree(hetero_buffer* buffer);
hetero_status* DeviceMemoryStats(hetero_device* device, int32_t reset_peak,
                                 hetero_memory_stats* out_stats);

// stream.cc
hetero_status* StreamCreate(hetero_device* device, hetero_stream** out);
void StreamDestroy(hetero_stream* stream);
hetero_status* CopyHostToDevice(hetero_stream* stream, const void* src, hetero_buffer* dst,
                                uint64_t dst_offset, uint64_t size_bytes, const hetero_sync* sync);
hetero_status* CopyDeviceToHost(hetero_stream* stream, const hetero_buffer* src,
                                uint64_t src_offset, void* dst, uint64_t size_bytes,
                                const hetero_sync* sync);
hetero_status* Execute(hetero_stream* stream, hetero_executable* executable, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync);
hetero_status* StreamSynchronize(hetero_stream* stream);

}  // namespace null_plugin
