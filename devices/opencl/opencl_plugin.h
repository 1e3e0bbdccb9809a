// The OpenCL plugin's objects behind the ABI's opaque handles, shared by its files.
#pragma once

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "devices/cpu/memory_counter.h"
#include "devices/cpu/program.h"
#include "hetero/status.h"

namespace hetero::opencl {

// Every handle starts with a tag, so a NULL or foreign handle is refused.
enum class Tag : uint32_t {
  kPlugin = 0x4f434c31,
  kDevice = 0x4f434c32,
  kBuffer = 0x4f434c33,
  kStream = 0x4f434c34,
  kEvent = 0x4f434c35,
  kExecutable = 0x4f434c36,
  kDead = 0xdeadbeef,
};

// What the driver says about one OpenCL device, read once per plugin instance.
struct DeviceInfo {
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;
  std::string name, vendor, driver_version, extensions;
  cl_device_type type = 0;
  uint64_t global_mem = 0;
  uint64_t max_alloc = 0;
  uint64_t local_mem = 0;
  size_t max_work_group = 1;
  uint32_t compute_units = 1;
  uint32_t clock_mhz = 0;
};

struct Plugin {
  Tag tag = Tag::kPlugin;
  hetero_host_api host{};
  std::vector<DeviceInfo> devices;
  std::atomic<uint32_t> next_stream_id{0};
  void Log(hetero_log_level level, const std::string& message) const;
  uint64_t NowNs() const;
};

struct Device {
  Tag tag = Tag::kDevice;
  Plugin* plugin = nullptr;
  uint32_t index = 0;
  const DeviceInfo* info = nullptr;
  cl_context context = nullptr;
  std::atomic<bool> profiling{false};
  // cl_mem buffers, executables' uploaded constants, running executables' intermediates
  cpu::MemoryCounter memory;
};

struct Buffer {
  Tag tag = Tag::kBuffer;
  Device* device = nullptr;
  uint64_t size = 0;
  cl_mem mem = nullptr;  // at least 4 bytes even for size 0
};

// A one-shot event: a cl user event completed when the work that signals it is done.
struct EventState {
  std::mutex mu;
  std::condition_variable cv;
  bool armed = false;  // work that signals it was enqueued
  bool done = false;
  int32_t code = HETERO_OK;
  std::string error;
  cl_event user_event = nullptr;
  std::vector<std::pair<void (*)(void*, hetero_status*), void*>> callbacks;
  ~EventState();
};

struct EventHandle {
  Tag tag = Tag::kEvent;
  Device* device = nullptr;
  std::shared_ptr<EventState> state;
};

struct Stream {
  Tag tag = Tag::kStream;
  Device* device = nullptr;
  uint32_t id = 0;
  cl_command_queue queue = nullptr;
  std::shared_ptr<std::mutex> error_mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::string> first_error = std::make_shared<std::string>();
};

struct CompiledProgram;  // executable.cc

struct Executable {
  Tag tag = Tag::kExecutable;
  Device* device = nullptr;
  std::shared_ptr<CompiledProgram> program;
};

template <typename T, typename H>
H* ToHandle(T* p) {
  return reinterpret_cast<H*>(p);
}

StatusOr<Plugin*> FromHandle(hetero_plugin* handle, const char* what);
StatusOr<Device*> FromHandle(hetero_device* handle, const char* what);
StatusOr<Buffer*> FromHandle(const hetero_buffer* handle, const char* what);
StatusOr<Stream*> FromHandle(hetero_stream* handle, const char* what);
StatusOr<EventHandle*> FromHandle(hetero_event* handle, const char* what);
StatusOr<Executable*> FromHandle(hetero_executable* handle, const char* what);

// An OpenCL error code as text: "CL_OUT_OF_RESOURCES (-5)".
std::string ClError(cl_int code);
// Error status for a failed OpenCL call; out-of-resources codes become RESOURCE_EXHAUSTED.
Status ClStatus(cl_int code, const std::string& what);

// Enumerates every device of every platform; none is not an error.
std::vector<DeviceInfo> EnumerateDevices();

// Work submission helpers (stream.cc): a barrier on the waits before the work, and after
// it a marker that completes the signal event (and records errors on the stream).
Status EnqueueWaits(Stream& stream, const hetero_sync* sync);
// An index (or element) check done on the device: the kernel sets flag[0] and flag[1] = the
// bad index; the flags are read back before the work's completion marker.
struct RangeCheck {
  cl_int flag[2] = {0, 0};
  std::string what;  // "node 'g' (Gather)"
  int64_t dim = 0;
  // Set for an element check (flag[1] is the element): "integer division by zero".
  std::string failure;
};
Status EnqueueSignal(Stream& stream, const hetero_sync* sync,
                     std::vector<std::unique_ptr<RangeCheck>> checks = {});
// Signals sync's event (if any) with `error` at once and records it on the stream.
Status FailSignal(Stream& stream, const hetero_sync* sync, const Status& error);

// Per-node completion: called by the marker's callback with per-node kernel events.
struct ProfileBatch {
  Device* device = nullptr;
  uint32_t stream_id = 0;
  uint64_t correlation_id = 0;
  std::vector<std::pair<std::string, std::string>> names;  // node name, op
  std::vector<cl_event> events;
};
// Registers a callback on the last event that emits one record per event, then releases
// them. Takes ownership of batch.
Status DeliverProfile(std::unique_ptr<ProfileBatch> batch);

namespace abi {
hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count);
hetero_status* DeviceProperties(hetero_plugin* plugin, uint32_t index,
                                hetero_device_properties* out);
hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out);
void DeviceClose(hetero_device* device);
hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result);
hetero_status* SetProfiling(hetero_device* device, int32_t enabled);
hetero_status* BufferAllocate(hetero_device* device, uint64_t size, hetero_buffer** out);
void BufferFree(hetero_buffer* buffer);
hetero_status* DeviceMemoryStats(hetero_device* device, int32_t reset_peak,
                                 hetero_memory_stats* out_stats);
hetero_status* StreamCreate(hetero_device* device, hetero_stream** out);
void StreamDestroy(hetero_stream* stream);
hetero_status* StreamSynchronize(hetero_stream* stream);
hetero_status* CopyHostToDevice(hetero_stream* stream, const void* src, hetero_buffer* dst,
                                uint64_t dst_offset, uint64_t size, const hetero_sync* sync);
hetero_status* CopyDeviceToHost(hetero_stream* stream, const hetero_buffer* src,
                                uint64_t src_offset, void* dst, uint64_t size,
                                const hetero_sync* sync);
hetero_status* EventCreate(hetero_device* device, hetero_event** out);
void EventDestroy(hetero_event* event);
hetero_status* EventWait(hetero_event* event, uint64_t timeout_ns);
hetero_status* EventQuery(hetero_event* event, int32_t* out_done);
hetero_status* EventOnReady(hetero_event* event, void (*fn)(void*, hetero_status*),
                            void* user_data);
hetero_status* Compile(hetero_device* device, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out);
void ExecutableDestroy(hetero_executable* executable);
hetero_status* Execute(hetero_stream* stream, hetero_executable* executable, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync);
}  // namespace abi

}  // namespace hetero::opencl
