// The CPU plugin's objects behind the ABI's opaque handles, shared by its files.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "devices/abi/hetero_plugin.h"
#include "devices/cpu/memory_counter.h"
#include "hetero/status.h"

namespace hetero::cpu {

// Every handle starts with a tag, so a NULL or foreign handle is refused with an error
// instead of being used.
enum class Tag : uint32_t {
  kPlugin = 0x43505531,
  kDevice = 0x43505532,
  kBuffer = 0x43505533,
  kStream = 0x43505534,
  kEvent = 0x43505535,
  kExecutable = 0x43505536,
  kDead = 0xdeadbeef,
};

// Facts about the machine, found once per plugin instance (device.cc).
struct MachineInfo {
  std::string model_name;
  std::string vendor;
  uint64_t memory_bytes = 0;
  unsigned cores = 1;
  double ghz = 0;
  int fma_lanes_f32 = 0;      // f32 lanes of one FMA instruction (4, 8 or 16)
  double peak_flops_f32 = 0;  // nominal: cores x GHz x lanes x 2 FMA units x 2 FLOPs
};

struct Plugin {
  Tag tag = Tag::kPlugin;
  hetero_host_api host{};  // the host's table, fields it lacks left NULL
  MachineInfo machine;
  std::atomic<uint32_t> next_stream_id{0};

  void Log(hetero_log_level level, const std::string& message) const;
  uint64_t NowNs() const;
  // Runs fn over [0, count) on the host's arena in chunks of about `grain`, or inline
  // when the host offers no parallel_for. fn must not throw.
  void ParallelFor(uint64_t count, uint64_t grain,
                   const std::function<void(uint64_t, uint64_t)>& fn) const;
};

struct Device {
  Tag tag = Tag::kDevice;
  Plugin* plugin = nullptr;
  uint32_t index = 0;
  std::atomic<bool> profiling{false};
  // Buffers and the intermediates of running executables (mutable: runs see a const
  // Device).
  mutable MemoryCounter memory;
};

struct Buffer {
  Tag tag = Tag::kBuffer;
  Device* device = nullptr;
  uint64_t size = 0;
  void* data = nullptr;  // 64-byte aligned, at least 64 bytes even for size 0
};

class Stream;
class EventState;
struct Program;
class RunArenaPool;

struct EventHandle {
  Tag tag = Tag::kEvent;
  Plugin* plugin = nullptr;
  std::shared_ptr<EventState> state;
};

struct Executable {
  Tag tag = Tag::kExecutable;
  Device* device = nullptr;
  std::shared_ptr<const Program> program;
  // Intermediate buffers kept between runs; queued runs hold it like the program.
  std::shared_ptr<RunArenaPool> arenas;
};

// Handle casts.
inline hetero_plugin* ToHandle(Plugin* p) { return reinterpret_cast<hetero_plugin*>(p); }
inline hetero_device* ToHandle(Device* d) { return reinterpret_cast<hetero_device*>(d); }
inline hetero_buffer* ToHandle(Buffer* b) { return reinterpret_cast<hetero_buffer*>(b); }
inline hetero_event* ToHandle(EventHandle* e) { return reinterpret_cast<hetero_event*>(e); }
inline hetero_executable* ToHandle(Executable* e) {
  return reinterpret_cast<hetero_executable*>(e);
}

// Checked conversions from handles: fail when NULL or not of the kind expected.
StatusOr<Plugin*> FromHandle(hetero_plugin* handle, const char* what);
StatusOr<Device*> FromHandle(hetero_device* handle, const char* what);
StatusOr<Buffer*> FromHandle(const hetero_buffer* handle, const char* what);
StatusOr<Stream*> FromHandle(hetero_stream* handle, const char* what);
StatusOr<EventHandle*> FromHandle(hetero_event* handle, const char* what);
StatusOr<Executable*> FromHandle(hetero_executable* handle, const char* what);

// Machine facts (device.cc).
MachineInfo DetectMachine();
// Bytes per second of a parallel memcpy, measured once per process.
double MachineBandwidth(const Plugin& plugin);
// f32 FLOP/s the device declares: one core's FMA rate on the kernels' path, measured once
// per process, times the cores (the nominal peak_flops_f32 where nothing can be measured).
double MachinePeakFlops(const Plugin& plugin);
// Rates of the bf16 and int8 GEMM tiles' instructions (FLOP/s, integer op/s), measured
// once per process, times the cores; 0 where the kernels in use have no such tile.
struct MachineDotPeaks {
  double bf16 = 0;
  double int8 = 0;
};
MachineDotPeaks MachineDotRates(const Plugin& plugin);

// The entries of the function table, one group per file.
namespace abi {
// device.cc
hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count);
hetero_status* DeviceProperties(hetero_plugin* plugin, uint32_t index,
                                hetero_device_properties* out);
hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out);
void DeviceClose(hetero_device* device);
hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result);
hetero_status* SetProfiling(hetero_device* device, int32_t enabled);
// buffer.cc
hetero_status* BufferAllocate(hetero_device* device, uint64_t size, hetero_buffer** out);
void BufferFree(hetero_buffer* buffer);
hetero_status* BufferHostPointer(hetero_buffer* buffer, void** out_pointer);
hetero_status* DeviceMemoryStats(hetero_device* device, int32_t reset_peak,
                                 hetero_memory_stats* out_stats);
// stream.cc
hetero_status* StreamCreate(hetero_device* device, hetero_stream** out);
void StreamDestroy(hetero_stream* stream);
hetero_status* StreamSynchronize(hetero_stream* stream);
hetero_status* EventCreate(hetero_device* device, hetero_event** out);
void EventDestroy(hetero_event* event);
hetero_status* EventWait(hetero_event* event, uint64_t timeout_ns);
hetero_status* EventQuery(hetero_event* event, int32_t* out_done);
hetero_status* EventOnReady(hetero_event* event, void (*fn)(void*, hetero_status*),
                            void* user_data);
// transfer.cc
hetero_status* CopyHostToDevice(hetero_stream* stream, const void* src, hetero_buffer* dst,
                                uint64_t dst_offset, uint64_t size, const hetero_sync* sync);
hetero_status* CopyDeviceToHost(hetero_stream* stream, const hetero_buffer* src,
                                uint64_t src_offset, void* dst, uint64_t size,
                                const hetero_sync* sync);
hetero_status* CopyDeviceToDevice(hetero_stream* stream, const hetero_buffer* src,
                                  uint64_t src_offset, hetero_buffer* dst, uint64_t dst_offset,
                                  uint64_t size, const hetero_sync* sync);
// executable.cc
hetero_status* ExecutableSerialize(hetero_executable* executable,
                                   void (*write)(void* ctx, const void* bytes, uint64_t size),
                                   void* ctx);
hetero_status* ExecutableDeserialize(hetero_device* device, const void* bytes, uint64_t size,
                                     hetero_executable** out);
hetero_status* Compile(hetero_device* device, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out);
void ExecutableDestroy(hetero_executable* executable);
hetero_status* Execute(hetero_stream* stream, hetero_executable* executable, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync);
}  // namespace abi

}  // namespace hetero::cpu
