// The OpenCL plugin's events (cl user events completed by stream markers) and the
// delivery of per-node profile records read from kernel events.
#include <chrono>
#include <memory>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/opencl_plugin.h"

namespace hetero::opencl {
namespace {

using cpu::Guard;

uint64_t ProfilingInfo(cl_event e, cl_profiling_info what) {
  cl_ulong value = 0;
  if (clGetEventProfilingInfo(e, what, sizeof(value), &value, nullptr) != CL_SUCCESS) return 0;
  return value;
}

// Device timestamps become host ones by aligning the last command's end with the host
// clock at the moment the callback runs (an upper bound, off by the callback latency).
void CL_CALLBACK OnProfileDone(cl_event, cl_int, void* user_data) {
  std::unique_ptr<ProfileBatch> batch(static_cast<ProfileBatch*>(user_data));
  const Plugin& plugin = *batch->device->plugin;
  const uint64_t host_now = plugin.NowNs();
  const uint64_t last_end = ProfilingInfo(batch->events.back(), CL_PROFILING_COMMAND_END);
  for (size_t i = 0; i < batch->events.size(); ++i) {
    const uint64_t start = ProfilingInfo(batch->events[i], CL_PROFILING_COMMAND_START);
    const uint64_t end = ProfilingInfo(batch->events[i], CL_PROFILING_COMMAND_END);
    const uint64_t back_start = last_end > start ? last_end - start : 0;
    const uint64_t back_end = last_end > end ? last_end - end : 0;
    hetero_profile_record r{};
    r.struct_size = sizeof(r);
    r.correlation_id = batch->correlation_id;
    r.name = batch->names[i].first.c_str();
    r.op = batch->names[i].second.c_str();
    r.device_index = batch->device->index;
    r.stream_id = batch->stream_id;
    r.start_ns = host_now > back_start ? host_now - back_start : 0;
    r.end_ns = host_now > back_end ? host_now - back_end : r.start_ns;
    if (r.end_ns < r.start_ns) r.end_ns = r.start_ns;
    if (plugin.host.profile_record != nullptr && batch->device->profiling.load()) {
      plugin.host.profile_record(plugin.host.host_context, &r);
    }
  }
  for (cl_event e : batch->events) clReleaseEvent(e);
}

}  // namespace

EventState::~EventState() {
  if (user_event == nullptr) return;
  // Never signalled: release any command still waiting on it, with an error.
  if (!done) clSetUserEventStatus(user_event, -1);
  clReleaseEvent(user_event);
}

Status DeliverProfile(std::unique_ptr<ProfileBatch> batch) {
  if (batch->events.empty()) return OkStatus();
  const cl_int err =
      clSetEventCallback(batch->events.back(), CL_COMPLETE, OnProfileDone, batch.get());
  if (err != CL_SUCCESS) {
    for (cl_event e : batch->events) clReleaseEvent(e);
    return ClStatus(err, "clSetEventCallback for profiling");
  }
  batch.release();
  return OkStatus();
}

namespace abi {

hetero_status* EventCreate(hetero_device* handle, hetero_event** out) {
  return Guard("opencl event_create", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "event_create"));
    if (out == nullptr) return InvalidArgument("opencl event_create: out is NULL");
    auto event = std::make_unique<EventHandle>();
    event->device = device;
    event->state = std::make_shared<EventState>();
    cl_int err = CL_SUCCESS;
    event->state->user_event = clCreateUserEvent(device->context, &err);
    if (err != CL_SUCCESS) return ClStatus(err, "clCreateUserEvent");
    *out = reinterpret_cast<hetero_event*>(event.release());
    return OkStatus();
  });
}

void EventDestroy(hetero_event* handle) {
  auto* event = reinterpret_cast<EventHandle*>(handle);
  if (event == nullptr || event->tag != Tag::kEvent) return;
  event->tag = Tag::kDead;
  std::vector<std::pair<void (*)(void*, hetero_status*), void*>> callbacks;
  {
    std::lock_guard<std::mutex> lock(event->state->mu);
    callbacks.swap(event->state->callbacks);
  }
  for (auto& [fn, user] : callbacks) {
    fn(user, cpu::MakeAbiStatus(HETERO_CANCELLED, "opencl: event destroyed before it fired"));
  }
  delete event;
}

hetero_status* EventWait(hetero_event* handle, uint64_t timeout_ns) {
  return Guard("opencl event_wait", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_wait"));
    EventState& e = *event->state;
    std::unique_lock<std::mutex> lock(e.mu);
    if (timeout_ns == UINT64_MAX) {
      e.cv.wait(lock, [&] { return e.done; });
    } else if (!e.cv.wait_for(lock, std::chrono::nanoseconds(timeout_ns), [&] { return e.done; })) {
      return Status(StatusCode::kUnavailable,
                    "opencl event_wait: timed out after " + std::to_string(timeout_ns) + " ns");
    }
    if (e.code != HETERO_OK) return Internal(e.error);
    return OkStatus();
  });
}

hetero_status* EventQuery(hetero_event* handle, int32_t* out_done) {
  return Guard("opencl event_query", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_query"));
    if (out_done == nullptr) return InvalidArgument("opencl event_query: out_done is NULL");
    std::lock_guard<std::mutex> lock(event->state->mu);
    *out_done = event->state->done ? 1 : 0;
    return OkStatus();
  });
}

hetero_status* EventOnReady(hetero_event* handle, void (*fn)(void*, hetero_status*),
                            void* user_data) {
  return Guard("opencl event_on_ready", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_on_ready"));
    if (fn == nullptr) return InvalidArgument("opencl event_on_ready: fn is NULL");
    EventState& e = *event->state;
    std::unique_lock<std::mutex> lock(e.mu);
    if (!e.done) {
      e.callbacks.emplace_back(fn, user_data);
      return OkStatus();
    }
    const bool failed = e.code != HETERO_OK;
    const std::string error = e.error;
    lock.unlock();
    fn(user_data, failed ? cpu::MakeAbiStatus(HETERO_INTERNAL, error) : nullptr);
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::opencl
