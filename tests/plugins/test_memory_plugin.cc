// "hostmem": a small working test plugin (two devices, host-memory buffers, synchronous
// copies, events, profiling of copies) that exercises the host's RAII wrappers.
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

#include "tests/plugins/test_plugin_common.h"

namespace {

using test_plugin::MakeStatus;

struct Plugin {
  const hetero_host_api* host;
};
struct Device {
  Plugin* plugin;
  uint32_t index;
  bool profiling = false;
};
struct Buffer {
  std::vector<unsigned char> bytes;
};
struct Stream {
  Device* device;
};
struct Event {
  std::mutex mutex;
  bool signalled = false;
  std::vector<std::pair<void (*)(void*, hetero_status*), void*>> callbacks;
};

template <typename T>
T* As(void* handle) {
  return static_cast<T*>(handle);
}

hetero_status* Create(const hetero_host_api* host, hetero_plugin** out) {
  *out = reinterpret_cast<hetero_plugin*>(new Plugin{host});
  return nullptr;
}
void Destroy(hetero_plugin* plugin) { delete As<Plugin>(plugin); }
hetero_status* Count(hetero_plugin*, uint32_t* out) {
  *out = 2;
  return nullptr;
}
hetero_status* Properties(hetero_plugin*, uint32_t index, hetero_device_properties* out) {
  if (index >= 2) return MakeStatus(HETERO_OUT_OF_RANGE, "hostmem has 2 devices");
  const uint32_t size = out->struct_size;
  hetero_device_properties p{};
  p.kind = HETERO_DEVICE_ACCELERATOR;
  std::snprintf(p.name, sizeof(p.name), "hostmem device %u", index);
  std::snprintf(p.vendor, sizeof(p.vendor), "tests");
  p.memory_bytes = 1 << 20;
  p.peak_flops[HETERO_DTYPE_F32] = 1e9;
  p.peak_flops[HETERO_DTYPE_BF16] = 2e9;
  p.memory_bandwidth = 1e10;
  p.capabilities = HETERO_CAP_HOST_MEMORY | HETERO_CAP_EVENTS | HETERO_CAP_DEVICE_COPY;
  std::memcpy(out, &p, size < sizeof(p) ? size : sizeof(p));
  out->struct_size = size;
  return nullptr;
}
hetero_status* Open(hetero_plugin* plugin, uint32_t index, hetero_device** out) {
  *out = reinterpret_cast<hetero_device*>(new Device{As<Plugin>(plugin), index});
  return nullptr;
}
void Close(hetero_device* device) { delete As<Device>(device); }
hetero_status* Query(hetero_device*, const hetero_graph_view* graph, hetero_support_result* r) {
  for (uint32_t i = 0; i < graph->num_nodes; ++i) {
    const bool add = std::strcmp(graph->nodes[i].op, "Add") == 0;
    r->support[i] = add ? HETERO_SUPPORT_YES : HETERO_SUPPORT_NO;
    if (!add) r->set_reason(r->reason_context, i, "hostmem only claims Add");
  }
  return nullptr;
}
hetero_status* Allocate(hetero_device*, uint64_t size, hetero_buffer** out) {
  if (size > (1 << 20)) return MakeStatus(HETERO_RESOURCE_EXHAUSTED, "hostmem holds 1 MiB");
  *out = reinterpret_cast<hetero_buffer*>(new Buffer{std::vector<unsigned char>(size)});
  return nullptr;
}
void Free(hetero_buffer* buffer) { delete As<Buffer>(buffer); }
hetero_status* StreamCreate(hetero_device* device, hetero_stream** out) {
  *out = reinterpret_cast<hetero_stream*>(new Stream{As<Device>(device)});
  return nullptr;
}
void StreamDestroy(hetero_stream* stream) { delete As<Stream>(stream); }

void Signal(hetero_event* handle) {
  Event* event = As<Event>(handle);
  decltype(event->callbacks) callbacks;
  {
    std::lock_guard<std::mutex> lock(event->mutex);
    event->signalled = true;
    callbacks.swap(event->callbacks);
  }
  for (auto& [fn, data] : callbacks) fn(data, nullptr);
}

// Synchronous work: checks waits, runs, records a profile record, signals.
template <typename Work>
hetero_status* Run(Stream* stream, const hetero_sync* sync, const char* name, Work&& work) {
  for (uint32_t i = 0; sync && i < sync->num_waits; ++i) {
    Event* wait = As<Event>(sync->waits[i]);
    std::lock_guard<std::mutex> lock(wait->mutex);
    if (!wait->signalled)
      return MakeStatus(HETERO_FAILED_PRECONDITION, "waits on an unsignalled event");
  }
  const hetero_host_api* host = stream->device->plugin->host;
  const uint64_t start = host->now_ns(host->host_context);
  if (hetero_status* status = work()) return status;
  if (stream->device->profiling) {
    hetero_profile_record record{};
    record.struct_size = sizeof(record);
    record.correlation_id = sync ? sync->correlation_id : 0;
    record.name = name;
    record.device_index = stream->device->index;
    record.start_ns = start;
    record.end_ns = host->now_ns(host->host_context);
    host->profile_record(host->host_context, &record);
  }
  if (sync && sync->signal) Signal(sync->signal);
  return nullptr;
}

hetero_status* H2D(hetero_stream* stream, const void* src, hetero_buffer* dst, uint64_t offset,
                   uint64_t size, const hetero_sync* sync) {
  return Run(As<Stream>(stream), sync, "copy h2d", [&]() -> hetero_status* {
    auto& bytes = As<Buffer>(dst)->bytes;
    if (offset > bytes.size() || size > bytes.size() - offset) {
      return MakeStatus(HETERO_OUT_OF_RANGE, "copy outside the buffer");
    }
    if (size) std::memcpy(bytes.data() + offset, src, size);
    return nullptr;
  });
}
hetero_status* D2H(hetero_stream* stream, const hetero_buffer* src, uint64_t offset, void* dst,
                   uint64_t size, const hetero_sync* sync) {
  return Run(As<Stream>(stream), sync, "copy d2h", [&]() -> hetero_status* {
    const auto& bytes = reinterpret_cast<const Buffer*>(src)->bytes;
    if (offset > bytes.size() || size > bytes.size() - offset) {
      return MakeStatus(HETERO_OUT_OF_RANGE, "copy outside the buffer");
    }
    if (size) std::memcpy(dst, bytes.data() + offset, size);
    return nullptr;
  });
}
hetero_status* D2D(hetero_stream* stream, const hetero_buffer* src, uint64_t src_offset,
                   hetero_buffer* dst, uint64_t dst_offset, uint64_t size,
                   const hetero_sync* sync) {
  return Run(As<Stream>(stream), sync, "copy d2d", [&]() -> hetero_status* {
    const auto& from = reinterpret_cast<const Buffer*>(src)->bytes;
    auto& to = As<Buffer>(dst)->bytes;
    if (size) std::memmove(to.data() + dst_offset, from.data() + src_offset, size);
    return nullptr;
  });
}
hetero_status* Sync(hetero_stream*) { return nullptr; }

hetero_status* EventCreate(hetero_device*, hetero_event** out) {
  *out = reinterpret_cast<hetero_event*>(new Event());
  return nullptr;
}
void EventDestroy(hetero_event* handle) {
  Event* event = As<Event>(handle);
  for (auto& [fn, data] : event->callbacks) {
    fn(data, MakeStatus(HETERO_CANCELLED, "event destroyed before it was signalled"));
  }
  delete event;
}
hetero_status* EventWait(hetero_event* handle, uint64_t) {
  Event* event = As<Event>(handle);
  std::lock_guard<std::mutex> lock(event->mutex);
  return event->signalled ? nullptr : MakeStatus(HETERO_UNAVAILABLE, "timed out");
}
hetero_status* EventQuery(hetero_event* handle, int32_t* done) {
  Event* event = As<Event>(handle);
  std::lock_guard<std::mutex> lock(event->mutex);
  *done = event->signalled ? 1 : 0;
  return nullptr;
}
hetero_status* EventOnReady(hetero_event* handle, void (*fn)(void*, hetero_status*), void* data) {
  Event* event = As<Event>(handle);
  {
    std::lock_guard<std::mutex> lock(event->mutex);
    if (!event->signalled) {
      event->callbacks.emplace_back(fn, data);
      return nullptr;
    }
  }
  fn(data, nullptr);
  return nullptr;
}
hetero_status* HostPointer(hetero_buffer* buffer, void** out) {
  *out = As<Buffer>(buffer)->bytes.data();
  return nullptr;
}
hetero_status* SetProfiling(hetero_device* device, int32_t enabled) {
  As<Device>(device)->profiling = enabled != 0;
  return nullptr;
}

hetero_plugin_api MakeTable() {
  hetero_plugin_api api = test_plugin::BaseTable("hostmem");
  api.plugin_create = Create;
  api.plugin_destroy = Destroy;
  api.device_count = Count;
  api.device_properties = Properties;
  api.device_open = Open;
  api.device_close = Close;
  api.query_support = Query;
  api.buffer_allocate = Allocate;
  api.buffer_free = Free;
  api.stream_create = StreamCreate;
  api.stream_destroy = StreamDestroy;
  api.copy_host_to_device = H2D;
  api.copy_device_to_host = D2H;
  api.copy_device_to_device = D2D;
  api.stream_synchronize = Sync;
  api.event_create = EventCreate;
  api.event_destroy = EventDestroy;
  api.event_wait = EventWait;
  api.event_query = EventQuery;
  api.event_on_ready = EventOnReady;
  api.buffer_host_pointer = HostPointer;
  api.set_profiling = SetProfiling;
  return api;
}

const hetero_plugin_api kTable = MakeTable();

}  // namespace

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t, const hetero_plugin_api** out) {
  if (host_major != HETERO_PLUGIN_ABI_MAJOR) {
    return MakeStatus(HETERO_INCOMPATIBLE_VERSION, "hostmem speaks ABI 1");
  }
  *out = &kTable;
  return nullptr;
}
