// Shared by the test plugins: statuses, stub entries and a complete base table.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "hetero_plugin.h"

namespace test_plugin {

struct Status : hetero_status {
  std::string text;
};

// Statuses created and not yet destroyed: the loader tests read it through
// test_plugin_live_statuses to check every status is freed.
inline std::atomic<int> live_statuses{0};

inline void DestroyStatus(hetero_status* status) {
  live_statuses.fetch_sub(1);
  delete static_cast<Status*>(status);
}

inline hetero_status* MakeStatus(hetero_status_code code, const std::string& message) {
  auto* status = new Status();
  status->text = message;
  status->struct_size = sizeof(hetero_status);
  status->code = code;
  status->message = status->text.c_str();
  status->destroy = DestroyStatus;
  live_statuses.fetch_add(1);
  return status;
}

inline hetero_status* Unimplemented() { return MakeStatus(HETERO_UNIMPLEMENTED, "test plugin"); }

struct Instance {
  const hetero_host_api* host;
};

inline hetero_status* Create(const hetero_host_api* host, hetero_plugin** out) {
  *out = reinterpret_cast<hetero_plugin*>(new Instance{host});
  return nullptr;
}
inline void Destroy(hetero_plugin* plugin) { delete reinterpret_cast<Instance*>(plugin); }
inline hetero_status* Count(hetero_plugin*, uint32_t* out) {
  *out = 1;
  return nullptr;
}
inline hetero_status* Properties(hetero_plugin*, uint32_t index, hetero_device_properties* out) {
  if (index != 0) return MakeStatus(HETERO_OUT_OF_RANGE, "one device");
  const uint32_t size = out->struct_size;
  hetero_device_properties p{};
  p.kind = HETERO_DEVICE_GPU;
  std::snprintf(p.name, sizeof(p.name), "test device");
  std::memcpy(out, &p, size < sizeof(p) ? size : sizeof(p));
  out->struct_size = size;
  return nullptr;
}
inline hetero_status* Open(hetero_plugin*, uint32_t, hetero_device** out) {
  *out = reinterpret_cast<hetero_device*>(new int(0));
  return nullptr;
}
inline void Close(hetero_device* device) { delete reinterpret_cast<int*>(device); }
inline hetero_status* Query(hetero_device*, const hetero_graph_view*, hetero_support_result*) {
  return nullptr;
}
inline hetero_status* Compile(hetero_device*, const hetero_graph_view*,
                              const hetero_compile_options*, hetero_executable**) {
  return Unimplemented();
}
inline void ExecutableDestroy(hetero_executable*) {}
inline hetero_status* Allocate(hetero_device*, uint64_t, hetero_buffer**) {
  return Unimplemented();
}
inline void Free(hetero_buffer*) {}
inline hetero_status* StreamCreate(hetero_device*, hetero_stream**) { return Unimplemented(); }
inline void StreamDestroy(hetero_stream*) {}
inline hetero_status* H2D(hetero_stream*, const void*, hetero_buffer*, uint64_t, uint64_t,
                          const hetero_sync*) {
  return Unimplemented();
}
inline hetero_status* D2H(hetero_stream*, const hetero_buffer*, uint64_t, void*, uint64_t,
                          const hetero_sync*) {
  return Unimplemented();
}
inline hetero_status* Execute(hetero_stream*, hetero_executable*, uint32_t, hetero_buffer* const*,
                              const hetero_tensor_desc*, uint32_t, hetero_buffer* const*,
                              const hetero_tensor_desc*, const hetero_sync*) {
  return Unimplemented();
}
inline hetero_status* Sync(hetero_stream*) { return Unimplemented(); }

// A valid v1 table whose required entries are stubs (creation and listing work).
inline hetero_plugin_api BaseTable(const char* name) {
  hetero_plugin_api api{};
  api.struct_size = sizeof(api);
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR;
  api.abi_minor = HETERO_PLUGIN_ABI_MINOR;
  api.plugin_name = name;
  api.plugin_version = "0.0.1";
  api.plugin_create = Create;
  api.plugin_destroy = Destroy;
  api.device_count = Count;
  api.device_properties = Properties;
  api.device_open = Open;
  api.device_close = Close;
  api.query_support = Query;
  api.compile = Compile;
  api.executable_destroy = ExecutableDestroy;
  api.buffer_allocate = Allocate;
  api.buffer_free = Free;
  api.stream_create = StreamCreate;
  api.stream_destroy = StreamDestroy;
  api.copy_host_to_device = H2D;
  api.copy_device_to_host = D2H;
  api.execute = Execute;
  api.stream_synchronize = Sync;
  return api;
}

}  // namespace test_plugin
