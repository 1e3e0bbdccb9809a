// The OpenCL plugin's streams (in-order cl_command_queues with profiling), copies, and
// the waits and signals that tie hetero events to cl events.
#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/opencl_plugin.h"

namespace hetero::opencl {
namespace {

using cpu::Guard;

// What a marker's completion callback needs; deleted by the callback.
struct SignalContext {
  std::shared_ptr<EventState> event;  // may be null
  std::shared_ptr<std::mutex> error_mu;
  std::shared_ptr<std::string> first_error;
  std::vector<std::unique_ptr<RangeCheck>> checks;
};

void Complete(SignalContext* ctx, std::string error, cl_int exec_status) {
  for (const auto& check : ctx->checks) {
    if (!error.empty() || check->flag[0] == 0) continue;
    error = !check->failure.empty() ? check->what + ": " + check->failure + " at element " +
                                          std::to_string(check->flag[1])
                                    : check->what + ": index " + std::to_string(check->flag[1]) +
                                          " out of range for dim " + std::to_string(check->dim);
    exec_status = CL_INVALID_VALUE;
  }
  if (!error.empty()) {
    std::lock_guard<std::mutex> lock(*ctx->error_mu);
    if (ctx->first_error->empty()) *ctx->first_error = error;
  }
  if (ctx->event == nullptr) return;
  EventState& e = *ctx->event;
  std::vector<std::pair<void (*)(void*, hetero_status*), void*>> callbacks;
  {
    std::lock_guard<std::mutex> lock(e.mu);
    e.done = true;
    if (!error.empty()) {
      e.code = HETERO_INTERNAL;
      e.error = error;
    }
    callbacks.swap(e.callbacks);
  }
  clSetUserEventStatus(e.user_event, error.empty() ? CL_COMPLETE : exec_status);
  e.cv.notify_all();
  for (auto& [fn, user] : callbacks) {
    fn(user, error.empty() ? nullptr : cpu::MakeAbiStatus(HETERO_INTERNAL, error));
  }
}

void CL_CALLBACK OnMarkerDone(cl_event marker, cl_int exec_status, void* user_data) {
  std::unique_ptr<SignalContext> ctx(static_cast<SignalContext*>(user_data));
  clReleaseEvent(marker);
  Complete(ctx.get(),
           exec_status < 0 ? "opencl: work on the stream failed: " + ClError(exec_status) : "",
           exec_status);
}

Status CheckCopy(const Buffer& buffer, uint64_t offset, uint64_t size, const void* host,
                 const char* what) {
  if (host == nullptr && size > 0)
    return InvalidArgument(std::string(what) + ": host pointer is NULL");
  if (offset > buffer.size || size > buffer.size - offset) {
    return OutOfRange(std::string(what) + ": range [" + std::to_string(offset) + ", " +
                      std::to_string(offset + size) + ") is outside the buffer of " +
                      std::to_string(buffer.size) + " bytes");
  }
  return OkStatus();
}

}  // namespace

Status EnqueueWaits(Stream& stream, const hetero_sync* sync) {
  if (sync == nullptr || sync->num_waits == 0) return OkStatus();
  if (sync->waits == nullptr) return InvalidArgument("opencl: sync->waits is NULL");
  std::vector<cl_event> events;
  for (uint32_t i = 0; i < sync->num_waits; ++i) {
    HETERO_ASSIGN_OR_RETURN(EventHandle * e, FromHandle(sync->waits[i], "sync wait"));
    events.push_back(e->state->user_event);
  }
  const cl_int err = clEnqueueBarrierWithWaitList(stream.queue, static_cast<cl_uint>(events.size()),
                                                  events.data(), nullptr);
  if (err != CL_SUCCESS) return ClStatus(err, "clEnqueueBarrierWithWaitList");
  return OkStatus();
}

Status EnqueueSignal(Stream& stream, const hetero_sync* sync,
                     std::vector<std::unique_ptr<RangeCheck>> checks) {
  auto ctx = std::make_unique<SignalContext>();
  ctx->checks = std::move(checks);
  ctx->error_mu = stream.error_mu;
  ctx->first_error = stream.first_error;
  if (sync != nullptr && sync->signal != nullptr) {
    HETERO_ASSIGN_OR_RETURN(EventHandle * e, FromHandle(sync->signal, "sync signal"));
    std::lock_guard<std::mutex> lock(e->state->mu);
    if (e->state->armed) return FailedPrecondition("opencl: the signal event was already used");
    e->state->armed = true;
    ctx->event = e->state;
  }
  cl_event marker = nullptr;
  cl_int err = clEnqueueMarkerWithWaitList(stream.queue, 0, nullptr, &marker);
  if (err == CL_SUCCESS) err = clSetEventCallback(marker, CL_COMPLETE, OnMarkerDone, ctx.get());
  if (err != CL_SUCCESS) {
    if (ctx->event != nullptr) {
      std::lock_guard<std::mutex> lock(ctx->event->mu);
      ctx->event->armed = false;
    }
    if (marker != nullptr) clReleaseEvent(marker);
    return ClStatus(err, "enqueueing the completion marker");
  }
  ctx.release();
  clFlush(stream.queue);
  return OkStatus();
}

Status FailSignal(Stream& stream, const hetero_sync* sync, const Status& error) {
  SignalContext ctx{nullptr, stream.error_mu, stream.first_error, {}};
  if (sync != nullptr && sync->signal != nullptr) {
    HETERO_ASSIGN_OR_RETURN(EventHandle * e, FromHandle(sync->signal, "sync signal"));
    std::lock_guard<std::mutex> lock(e->state->mu);
    if (!e->state->armed) {
      e->state->armed = true;
      ctx.event = e->state;
    }
  }
  Complete(&ctx, error.message(), CL_INVALID_OPERATION);
  return OkStatus();
}

namespace abi {

hetero_status* StreamCreate(hetero_device* handle, hetero_stream** out) {
  return Guard("opencl stream_create", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "stream_create"));
    if (out == nullptr) return InvalidArgument("opencl stream_create: out is NULL");
    auto stream = std::make_unique<Stream>();
    stream->device = device;
    stream->id = device->plugin->next_stream_id.fetch_add(1);
    cl_queue_properties props[] = {CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE, 0};
    cl_int err = CL_SUCCESS;
    stream->queue =
        clCreateCommandQueueWithProperties(device->context, device->info->id, props, &err);
    if (err != CL_SUCCESS) return ClStatus(err, "clCreateCommandQueueWithProperties");
    *out = reinterpret_cast<hetero_stream*>(stream.release());
    return OkStatus();
  });
}

void StreamDestroy(hetero_stream* handle) {
  auto* stream = reinterpret_cast<Stream*>(handle);
  if (stream == nullptr || stream->tag != Tag::kStream) return;
  stream->tag = Tag::kDead;
  if (stream->queue != nullptr) {
    clFinish(stream->queue);
    clReleaseCommandQueue(stream->queue);
  }
  delete stream;
}

hetero_status* StreamSynchronize(hetero_stream* handle) {
  return Guard("opencl stream_synchronize", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(handle, "stream_synchronize"));
    const cl_int err = clFinish(stream->queue);
    if (err != CL_SUCCESS) return ClStatus(err, "clFinish");
    std::lock_guard<std::mutex> lock(*stream->error_mu);
    if (!stream->first_error->empty()) return Internal(*stream->first_error);
    return OkStatus();
  });
}

hetero_status* CopyHostToDevice(hetero_stream* handle, const void* src, hetero_buffer* dst,
                                uint64_t dst_offset, uint64_t size, const hetero_sync* sync) {
  return Guard("opencl copy_host_to_device", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(handle, "copy_host_to_device"));
    HETERO_ASSIGN_OR_RETURN(Buffer * buffer, FromHandle(dst, "copy_host_to_device"));
    HETERO_RETURN_IF_ERROR(CheckCopy(*buffer, dst_offset, size, src, "copy_host_to_device"));
    HETERO_RETURN_IF_ERROR(EnqueueWaits(*stream, sync));
    if (size > 0) {
      const cl_int err = clEnqueueWriteBuffer(stream->queue, buffer->mem, CL_FALSE, dst_offset,
                                              size, src, 0, nullptr, nullptr);
      if (err != CL_SUCCESS) return ClStatus(err, "clEnqueueWriteBuffer");
    }
    return EnqueueSignal(*stream, sync);
  });
}

hetero_status* CopyDeviceToHost(hetero_stream* handle, const hetero_buffer* src,
                                uint64_t src_offset, void* dst, uint64_t size,
                                const hetero_sync* sync) {
  return Guard("opencl copy_device_to_host", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(handle, "copy_device_to_host"));
    HETERO_ASSIGN_OR_RETURN(Buffer * buffer, FromHandle(src, "copy_device_to_host"));
    HETERO_RETURN_IF_ERROR(CheckCopy(*buffer, src_offset, size, dst, "copy_device_to_host"));
    HETERO_RETURN_IF_ERROR(EnqueueWaits(*stream, sync));
    if (size > 0) {
      const cl_int err = clEnqueueReadBuffer(stream->queue, buffer->mem, CL_FALSE, src_offset, size,
                                             dst, 0, nullptr, nullptr);
      if (err != CL_SUCCESS) return ClStatus(err, "clEnqueueReadBuffer");
    }
    return EnqueueSignal(*stream, sync);
  });
}

}  // namespace abi
}  // namespace hetero::opencl
