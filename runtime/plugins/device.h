// RAII wrappers over a plugin's C table: Plugin (an instance), Device, Buffer, Stream,
// Event and Executable. Every method checks optional entries before calling and turns
// the plugin's statuses into Status.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "hetero/dtype.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"

namespace hetero::plugins {

class Device;
class GraphView;

// hetero_device_properties in C++ terms.
struct DeviceProperties {
  int32_t kind = HETERO_DEVICE_CPU;  // hetero_device_kind
  std::string name;
  std::string vendor;
  std::string driver_version;
  uint64_t memory_bytes = 0;
  std::array<double, HETERO_DTYPE_COUNT> peak_flops{};  // indexed by hetero_dtype
  double memory_bandwidth = 0;                          // bytes/s
  double host_link_bandwidth = 0;                       // bytes/s
  double launch_overhead_ns = 0;
  uint64_t capabilities = 0;  // HETERO_CAP_*
  uint64_t max_allocation_bytes = 0;

  bool Has(uint64_t capability) const { return (capabilities & capability) != 0; }
  double PeakFlops(DType dtype) const;
  // max_allocation_bytes, or memory_bytes when the plugin left it 0.
  uint64_t MaxAllocation() const;
};

// hetero_memory_stats in C++ terms (ABI 1.1).
struct MemoryStats {
  uint64_t coverage = 0;  // HETERO_MEMORY_* bits
  uint64_t bytes_in_use = 0;
  uint64_t peak_bytes_in_use = 0;
  uint64_t allocations = 0;
};

// Names of the set HETERO_MEMORY_* bits: {"buffers", "intermediates", ...}.
std::vector<std::string> MemoryCoverageNames(uint64_t coverage);

// "cpu", "gpu", "npu", "accelerator", or "unknown(N)".
std::string DeviceKindName(int32_t kind);
// Names of the set HETERO_CAP_* bits: {"async", "events", ...}.
std::vector<std::string> CapabilityNames(uint64_t capabilities);

// One instance of a plugin (plugin_create .. plugin_destroy). Shared: every Device
// opened from it keeps it alive. Thread-safe as far as the plugin is (the ABI requires
// calls on different objects to be safe concurrently).
class Plugin : public std::enable_shared_from_this<Plugin> {
 public:
  // Creates an instance bound to `host` (which must outlive the instance).
  static StatusOr<std::shared_ptr<Plugin>> Create(std::shared_ptr<const PluginLibrary> library,
                                                  std::shared_ptr<HostServices> host);
  ~Plugin();
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const PluginLibrary& library() const { return *library_; }
  const hetero_plugin_api& api() const { return library_->api(); }
  hetero_plugin* raw() const { return plugin_; }
  const std::string& name() const { return library_->name(); }
  HostServices& host() const { return *host_; }

  StatusOr<uint32_t> DeviceCount() const;
  StatusOr<DeviceProperties> Properties(uint32_t index) const;
  // Opens device `index` (checked against DeviceCount). `display_name` is how errors
  // and the registry name it ("null:0"); empty means "<plugin>:<index>".
  StatusOr<std::shared_ptr<Device>> OpenDevice(uint32_t index, std::string display_name = "");

  // "unimplemented by plugin 'x': <entry>" — the error for a NULL optional entry.
  Status Unimplemented(std::string_view entry) const;
  // Converts a plugin status, naming the plugin and the entry.
  Status Check(hetero_status* status, std::string_view entry) const;

 private:
  Plugin() = default;
  std::shared_ptr<const PluginLibrary> library_;
  std::shared_ptr<HostServices> host_;
  std::unique_ptr<HostBinding> binding_;
  hetero_plugin* plugin_ = nullptr;
};

// Per-node answer of query_support.
struct SupportResult {
  std::vector<bool> supported;      // one per view node
  std::vector<std::string> reason;  // why not ("" when supported or no reason given)
  size_t num_supported() const;
};

// Waits before and a signal after one piece of stream work (hetero_sync).
class Event;
struct SyncArgs {
  std::vector<Event*> waits;
  Event* signal = nullptr;
  uint64_t correlation_id = 0;
};

// Device memory. Move-only; frees on destruction. Keeps its device alive.
class Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  ~Buffer();
  uint64_t size() const { return size_; }
  hetero_buffer* raw() const { return buffer_; }
  bool valid() const { return buffer_ != nullptr; }
  // The host address of the memory (HETERO_CAP_HOST_MEMORY plugins only).
  StatusOr<void*> HostPointer() const;
  void Reset();

 private:
  friend class Device;
  std::shared_ptr<Device> device_;
  hetero_buffer* buffer_ = nullptr;
  uint64_t size_ = 0;
};

// A one-shot completion signal. Move-only.
class Event {
 public:
  Event() = default;
  Event(Event&& other) noexcept;
  Event& operator=(Event&& other) noexcept;
  ~Event();
  hetero_event* raw() const { return event_; }
  // Waits up to timeout_ns; kUnavailable on timeout; the error of the signalling work.
  Status Wait(uint64_t timeout_ns = UINT64_MAX) const;
  StatusOr<bool> IsDone() const;
  // Calls fn exactly once, from any thread, when the event is signalled (with the
  // work's status). If this returns an error fn is never called. fn must not throw
  // (an exception is caught and logged).
  Status OnReady(std::function<void(Status)> fn) const;
  void Reset();

 private:
  friend class Device;
  std::shared_ptr<Device> device_;
  hetero_event* event_ = nullptr;
};

// A compiled subgraph. Move-only. Keeps the view's constants alive.
class Executable {
 public:
  Executable() = default;
  Executable(Executable&& other) noexcept;
  Executable& operator=(Executable&& other) noexcept;
  ~Executable();
  hetero_executable* raw() const { return executable_; }
  uint32_t num_inputs() const { return num_inputs_; }
  uint32_t num_outputs() const { return num_outputs_; }
  StatusOr<std::vector<uint8_t>> Serialize() const;
  void Reset();

 private:
  friend class Device;
  std::shared_ptr<Device> device_;
  hetero_executable* executable_ = nullptr;
  uint32_t num_inputs_ = 0;
  uint32_t num_outputs_ = 0;
  std::vector<Tensor> constants_;
};

// An in-order queue of device work. Move-only; a Stream must not be used from two
// threads at once. Host memory of a copy must stay valid until its signal fires or
// Synchronize returns. Offsets and sizes are checked against the buffers here before
// the plugin sees them.
class Stream {
 public:
  Stream() = default;
  Stream(Stream&& other) noexcept;
  Stream& operator=(Stream&& other) noexcept;
  ~Stream();
  hetero_stream* raw() const { return stream_; }

  Status CopyToDevice(const void* src, Buffer& dst, uint64_t dst_offset, uint64_t size,
                      const SyncArgs& sync = {});
  Status CopyToHost(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size,
                    const SyncArgs& sync = {});
  Status CopyDeviceToDevice(const Buffer& src, uint64_t src_offset, Buffer& dst,
                            uint64_t dst_offset, uint64_t size, const SyncArgs& sync = {});
  Status Execute(Executable& executable, std::span<Buffer* const> inputs,
                 std::span<const hetero_tensor_desc> input_descs, std::span<Buffer* const> outputs,
                 std::span<const hetero_tensor_desc> output_descs, const SyncArgs& sync = {});
  Status Synchronize();
  void Reset();

 private:
  friend class Device;
  std::shared_ptr<Device> device_;
  hetero_stream* stream_ = nullptr;
};

// An opened device. Shared: its buffers, streams, events and executables keep it open.
class Device : public std::enable_shared_from_this<Device> {
 public:
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  const std::string& name() const { return name_; }  // "null:0", "cpu"
  uint32_t index() const { return index_; }
  const DeviceProperties& properties() const { return properties_; }
  Plugin& plugin() const { return *plugin_; }
  const hetero_plugin_api& api() const { return plugin_->api(); }
  hetero_device* raw() const { return device_; }

  StatusOr<SupportResult> QuerySupport(const GraphView& graph) const;
  // `options` is "key=value;..." (plugin-defined), may be empty.
  StatusOr<Executable> Compile(const GraphView& graph, std::string_view options = "");
  StatusOr<Executable> Deserialize(const void* bytes, uint64_t size);
  StatusOr<Buffer> Allocate(uint64_t size_bytes);
  StatusOr<Stream> CreateStream();
  StatusOr<Event> CreateEvent();
  Status SetProfiling(bool enabled);
  // The device's memory statistics; with reset_peak the peak restarts at the bytes in
  // use now (after being read). kUnimplemented for plugins without the entry (ABI 1.0
  // plugins and those that leave it NULL).
  StatusOr<MemoryStats> ReadMemoryStats(bool reset_peak = false) const;

  // Error helpers that name this device and the entry.
  Status Unimplemented(std::string_view entry) const;
  Status Check(hetero_status* status, std::string_view entry) const;

 private:
  friend class Plugin;
  Device() = default;
  std::shared_ptr<Plugin> plugin_;
  hetero_device* device_ = nullptr;
  uint32_t index_ = 0;
  std::string name_;
  DeviceProperties properties_;
};

}  // namespace hetero::plugins
