// Buffer, Event, Executable and Stream: the RAII handles a Device hands out.
#include <cstring>
#include <string>
#include <utility>

#include "hetero/logging.h"
#include "runtime/plugins/device.h"

namespace hetero::plugins {
namespace {

// Moves a handle: the source is left empty.
template <typename T>
T* TakeHandle(T*& handle) {
  return std::exchange(handle, nullptr);
}

// hetero_sync over SyncArgs; the waits array lives in `waits`.
hetero_sync MakeSync(const SyncArgs& args, std::vector<hetero_event*>* waits) {
  waits->clear();
  for (Event* event : args.waits) {
    if (event != nullptr && event->raw() != nullptr) waits->push_back(event->raw());
  }
  hetero_sync sync{};
  sync.struct_size = sizeof(sync);
  sync.num_waits = static_cast<uint32_t>(waits->size());
  sync.waits = waits->empty() ? nullptr : waits->data();
  sync.signal = args.signal != nullptr ? args.signal->raw() : nullptr;
  sync.correlation_id = args.correlation_id;
  return sync;
}

Status CheckRange(const char* what, uint64_t offset, uint64_t size, uint64_t buffer_size) {
  if (offset > buffer_size || size > buffer_size - offset) {
    return OutOfRange(std::string(what) + ": bytes [" + std::to_string(offset) + ", " +
                      std::to_string(offset) + "+" + std::to_string(size) +
                      ") outside a buffer of " + std::to_string(buffer_size) + " bytes");
  }
  return OkStatus();
}

// The trampoline event_on_ready calls: runs and frees the std::function.
struct ReadyCallback {
  std::function<void(Status)> fn;
  std::string context;
};

void OnReadyTrampoline(void* user_data, hetero_status* status) noexcept {
  auto* callback = static_cast<ReadyCallback*>(user_data);
  try {
    callback->fn(TakePluginStatus(status, callback->context));
  } catch (...) {
    LogMessage(LogLevel::kError, callback->context + ": callback threw an exception");
  }
  delete callback;
}

}  // namespace

// ---- Buffer ---------------------------------------------------------------------------

Buffer::Buffer(Buffer&& other) noexcept
    : device_(std::move(other.device_)), buffer_(TakeHandle(other.buffer_)), size_(other.size_) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Reset();
    device_ = std::move(other.device_);
    buffer_ = TakeHandle(other.buffer_);
    size_ = other.size_;
  }
  return *this;
}

Buffer::~Buffer() { Reset(); }

void Buffer::Reset() {
  if (buffer_ != nullptr) device_->api().buffer_free(TakeHandle(buffer_));
  device_.reset();
  size_ = 0;
}

StatusOr<void*> Buffer::HostPointer() const {
  if (buffer_ == nullptr) return FailedPrecondition("HostPointer on an empty Buffer");
  if (device_->api().buffer_host_pointer == nullptr) {
    return device_->Unimplemented("buffer_host_pointer");
  }
  void* pointer = nullptr;
  HETERO_RETURN_IF_ERROR(
      device_->Check(device_->api().buffer_host_pointer(buffer_, &pointer), "buffer_host_pointer"));
  return pointer;
}

// ---- Event ----------------------------------------------------------------------------

Event::Event(Event&& other) noexcept
    : device_(std::move(other.device_)), event_(TakeHandle(other.event_)) {}

Event& Event::operator=(Event&& other) noexcept {
  if (this != &other) {
    Reset();
    device_ = std::move(other.device_);
    event_ = TakeHandle(other.event_);
  }
  return *this;
}

Event::~Event() { Reset(); }

void Event::Reset() {
  if (event_ != nullptr) device_->api().event_destroy(TakeHandle(event_));
  device_.reset();
}

Status Event::Wait(uint64_t timeout_ns) const {
  if (event_ == nullptr) return FailedPrecondition("Wait on an empty Event");
  if (device_->api().event_wait == nullptr) return device_->Unimplemented("event_wait");
  return device_->Check(device_->api().event_wait(event_, timeout_ns), "event_wait");
}

StatusOr<bool> Event::IsDone() const {
  if (event_ == nullptr) return FailedPrecondition("IsDone on an empty Event");
  if (device_->api().event_query == nullptr) return device_->Unimplemented("event_query");
  int32_t done = 0;
  HETERO_RETURN_IF_ERROR(device_->Check(device_->api().event_query(event_, &done), "event_query"));
  return done != 0;
}

Status Event::OnReady(std::function<void(Status)> fn) const {
  if (event_ == nullptr) return FailedPrecondition("OnReady on an empty Event");
  if (device_->api().event_on_ready == nullptr) return device_->Unimplemented("event_on_ready");
  auto* callback = new ReadyCallback{std::move(fn), "device " + device_->name() + ": event"};
  hetero_status* status = device_->api().event_on_ready(event_, &OnReadyTrampoline, callback);
  if (status != nullptr) {
    delete callback;  // the contract: on error fn is never called
    return device_->Check(status, "event_on_ready");
  }
  return OkStatus();
}

// ---- Executable -----------------------------------------------------------------------

Executable::Executable(Executable&& other) noexcept
    : device_(std::move(other.device_)),
      executable_(TakeHandle(other.executable_)),
      num_inputs_(other.num_inputs_),
      num_outputs_(other.num_outputs_),
      constants_(std::move(other.constants_)) {}

Executable& Executable::operator=(Executable&& other) noexcept {
  if (this != &other) {
    Reset();
    device_ = std::move(other.device_);
    executable_ = TakeHandle(other.executable_);
    num_inputs_ = other.num_inputs_;
    num_outputs_ = other.num_outputs_;
    constants_ = std::move(other.constants_);
  }
  return *this;
}

Executable::~Executable() { Reset(); }

void Executable::Reset() {
  if (executable_ != nullptr) device_->api().executable_destroy(TakeHandle(executable_));
  constants_.clear();
  device_.reset();
}

StatusOr<std::vector<uint8_t>> Executable::Serialize() const {
  if (executable_ == nullptr) return FailedPrecondition("Serialize on an empty Executable");
  if (device_->api().executable_serialize == nullptr) {
    return device_->Unimplemented("executable_serialize");
  }
  std::vector<uint8_t> bytes;
  auto write = [](void* ctx, const void* data, uint64_t size) noexcept {
    try {
      auto* out = static_cast<std::vector<uint8_t>*>(ctx);
      const auto* begin = static_cast<const uint8_t*>(data);
      if (data != nullptr) out->insert(out->end(), begin, begin + size);
    } catch (...) {
    }
  };
  HETERO_RETURN_IF_ERROR(device_->Check(
      device_->api().executable_serialize(executable_, write, &bytes), "executable_serialize"));
  return bytes;
}

// ---- Stream ---------------------------------------------------------------------------

Stream::Stream(Stream&& other) noexcept
    : device_(std::move(other.device_)), stream_(TakeHandle(other.stream_)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    Reset();
    device_ = std::move(other.device_);
    stream_ = TakeHandle(other.stream_);
  }
  return *this;
}

Stream::~Stream() { Reset(); }

void Stream::Reset() {
  if (stream_ != nullptr) device_->api().stream_destroy(TakeHandle(stream_));
  device_.reset();
}

Status Stream::CopyToDevice(const void* src, Buffer& dst, uint64_t dst_offset, uint64_t size,
                            const SyncArgs& args) {
  if (stream_ == nullptr || dst.raw() == nullptr)
    return FailedPrecondition("copy on an empty handle");
  if (src == nullptr && size != 0) return InvalidArgument("copy_host_to_device: NULL source");
  HETERO_RETURN_IF_ERROR(CheckRange("copy_host_to_device", dst_offset, size, dst.size()));
  std::vector<hetero_event*> waits;
  const hetero_sync sync = MakeSync(args, &waits);
  return device_->Check(
      device_->api().copy_host_to_device(stream_, src, dst.raw(), dst_offset, size, &sync),
      "copy_host_to_device");
}

Status Stream::CopyToHost(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size,
                          const SyncArgs& args) {
  if (stream_ == nullptr || src.raw() == nullptr)
    return FailedPrecondition("copy on an empty handle");
  if (dst == nullptr && size != 0) return InvalidArgument("copy_device_to_host: NULL destination");
  HETERO_RETURN_IF_ERROR(CheckRange("copy_device_to_host", src_offset, size, src.size()));
  std::vector<hetero_event*> waits;
  const hetero_sync sync = MakeSync(args, &waits);
  return device_->Check(
      device_->api().copy_device_to_host(stream_, src.raw(), src_offset, dst, size, &sync),
      "copy_device_to_host");
}

Status Stream::CopyDeviceToDevice(const Buffer& src, uint64_t src_offset, Buffer& dst,
                                  uint64_t dst_offset, uint64_t size, const SyncArgs& args) {
  if (stream_ == nullptr || src.raw() == nullptr || dst.raw() == nullptr) {
    return FailedPrecondition("copy on an empty handle");
  }
  if (device_->api().copy_device_to_device == nullptr) {
    return device_->Unimplemented("copy_device_to_device");
  }
  HETERO_RETURN_IF_ERROR(CheckRange("copy_device_to_device source", src_offset, size, src.size()));
  HETERO_RETURN_IF_ERROR(
      CheckRange("copy_device_to_device destination", dst_offset, size, dst.size()));
  std::vector<hetero_event*> waits;
  const hetero_sync sync = MakeSync(args, &waits);
  return device_->Check(device_->api().copy_device_to_device(stream_, src.raw(), src_offset,
                                                             dst.raw(), dst_offset, size, &sync),
                        "copy_device_to_device");
}

Status Stream::Execute(Executable& executable, std::span<Buffer* const> inputs,
                       std::span<const hetero_tensor_desc> input_descs,
                       std::span<Buffer* const> outputs,
                       std::span<const hetero_tensor_desc> output_descs, const SyncArgs& args) {
  if (stream_ == nullptr || executable.raw() == nullptr) {
    return FailedPrecondition("execute on an empty handle");
  }
  if (inputs.size() != input_descs.size() || outputs.size() != output_descs.size()) {
    return InvalidArgument("execute: " + std::to_string(inputs.size()) + " inputs with " +
                           std::to_string(input_descs.size()) + " descs, " +
                           std::to_string(outputs.size()) + " outputs with " +
                           std::to_string(output_descs.size()) + " descs");
  }
  std::vector<hetero_buffer*> in(inputs.size()), out(outputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) in[i] = inputs[i] ? inputs[i]->raw() : nullptr;
  for (size_t i = 0; i < outputs.size(); ++i) out[i] = outputs[i] ? outputs[i]->raw() : nullptr;
  std::vector<hetero_event*> waits;
  const hetero_sync sync = MakeSync(args, &waits);
  return device_->Check(
      device_->api().execute(stream_, executable.raw(), static_cast<uint32_t>(in.size()), in.data(),
                             input_descs.data(), static_cast<uint32_t>(out.size()), out.data(),
                             output_descs.data(), &sync),
      "execute");
}

Status Stream::Synchronize() {
  if (stream_ == nullptr) return FailedPrecondition("Synchronize on an empty Stream");
  return device_->Check(device_->api().stream_synchronize(stream_), "stream_synchronize");
}

}  // namespace hetero::plugins
