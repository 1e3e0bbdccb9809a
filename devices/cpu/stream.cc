// Streams and events: in-order queues drained on the host's arena, one-shot events.
#include "devices/cpu/stream.h"

#include <chrono>
#include <string>

#include "devices/cpu/abi_status.h"

namespace hetero::cpu {

bool EventState::TryArm() {
  std::lock_guard<std::mutex> lock(mu_);
  if (armed_) return false;
  armed_ = true;
  return true;
}

bool EventState::armed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return armed_;
}

bool EventState::done() const {
  std::lock_guard<std::mutex> lock(mu_);
  return done_;
}

Status EventState::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void EventState::Signal(Status status) {
  std::vector<std::function<void()>> waiters;
  std::vector<HostCallback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (done_) return;
    done_ = true;
    status_ = std::move(status);
    waiters.swap(waiters_);
    callbacks.swap(host_callbacks_);
  }
  cv_.notify_all();
  for (auto& fn : waiters) fn();
  for (const HostCallback& cb : callbacks) cb.fn(cb.user_data, ToAbiStatus(status_));
}

void EventState::AddHostCallback(void (*fn)(void*, hetero_status*), void* user_data) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_) {
      host_callbacks_.push_back({fn, user_data});
      return;
    }
  }
  fn(user_data, ToAbiStatus(status_));
}

void EventState::CancelHostCallbacks() {
  std::vector<HostCallback> callbacks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks.swap(host_callbacks_);
  }
  for (const HostCallback& cb : callbacks) {
    cb.fn(cb.user_data, MakeAbiStatus(HETERO_CANCELLED, "event destroyed before it was signalled"));
  }
}

Status EventState::Wait(uint64_t timeout_ns) {
  std::unique_lock<std::mutex> lock(mu_);
  if (timeout_ns == UINT64_MAX) {
    cv_.wait(lock, [&] { return done_; });
  } else {
    const auto timeout = std::chrono::nanoseconds(std::min<uint64_t>(timeout_ns, INT64_MAX / 2));
    if (!cv_.wait_for(lock, timeout, [&] { return done_; })) {
      return Status(StatusCode::kUnavailable,
                    "event_wait: not signalled within " + std::to_string(timeout_ns) + " ns");
    }
  }
  return status_;
}

bool EventState::AddWaiter(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (done_) return false;
  waiters_.push_back(std::move(fn));
  return true;
}

Stream::~Stream() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && !draining_; });
}

StatusOr<SyncPoints> Stream::DecodeSync(const hetero_sync* sync, const char* where) {
  SyncPoints points;
  if (sync == nullptr) return points;
  if (sync->struct_size < offsetof(hetero_sync, correlation_id) + sizeof(uint64_t)) {
    return InvalidArgument(std::string(where) + ": sync struct_size " +
                           std::to_string(sync->struct_size) + " is too small");
  }
  if (sync->num_waits > 0 && sync->waits == nullptr) {
    return InvalidArgument(std::string(where) + ": sync has " + std::to_string(sync->num_waits) +
                           " waits but waits is NULL");
  }
  for (uint32_t i = 0; i < sync->num_waits; ++i) {
    HETERO_ASSIGN_OR_RETURN(EventHandle * ev, FromHandle(sync->waits[i], where));
    if (ev->plugin != device_->plugin) {
      return InvalidArgument(std::string(where) + ": wait event " + std::to_string(i) +
                             " belongs to another plugin instance");
    }
    if (!ev->state->armed()) {
      // Nothing will ever signal it: waiting would hang the stream.
      return FailedPrecondition(std::string(where) + ": wait event " + std::to_string(i) +
                                " is not the signal of any submitted work");
    }
    points.waits.push_back(ev->state);
  }
  if (sync->signal != nullptr) {
    HETERO_ASSIGN_OR_RETURN(EventHandle * ev, FromHandle(sync->signal, where));
    if (ev->plugin != device_->plugin) {
      return InvalidArgument(std::string(where) + ": signal event belongs to another plugin");
    }
    if (!ev->state->TryArm()) {
      return FailedPrecondition(std::string(where) +
                                ": the signal event was already used (events are one-shot)");
    }
    points.signal = ev->state;
  }
  points.correlation_id = sync->correlation_id;
  return points;
}

Status Stream::Submit(SyncPoints sync, std::function<Status()> run) {
  auto work = std::make_unique<Work>();
  work->sync = std::move(sync);
  work->run = std::move(run);
  bool schedule = false;
  Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_.ok() && queue_.empty() && !draining_) {
      refused = error_;
    } else {
      queue_.push_back(std::move(work));
      if (!draining_) schedule = draining_ = true;
    }
  }
  if (!refused.ok()) {
    // A failed stream refuses at once, and fails the signal so no waiter hangs. The
    // signal runs callbacks: never under the stream's lock.
    if (work->sync.signal) work->sync.signal->Signal(refused);
    return refused;
  }
  if (schedule) ScheduleDrain();
  return OkStatus();
}

Status Stream::Synchronize() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && !draining_; });
  return error_;
}

void Stream::DrainTask(void* stream) { static_cast<Stream*>(stream)->Drain(); }

void Stream::ScheduleDrain() {
  const hetero_host_api& host = device_->plugin->host;
  if (host.enqueue_task != nullptr) {
    host.enqueue_task(host.host_context, &Stream::DrainTask, this);
  } else {
    Drain();  // a host without a task queue: run on the submitting thread
  }
}

bool Stream::ReadyToRun(Work& work) {
  while (work.next_wait < work.sync.waits.size()) {
    const auto& event = work.sync.waits[work.next_wait];
    if (event->AddWaiter([this] { ScheduleDrain(); })) return false;
    ++work.next_wait;  // already done
  }
  return true;
}

void Stream::Drain() {
  for (;;) {
    Work* work = nullptr;
    Status sticky;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) {
        draining_ = false;
        idle_cv_.notify_all();
        return;
      }
      work = queue_.front().get();
      sticky = error_;
    }
    // Parked: a waiter re-schedules the drain; this thread must not touch the stream now.
    if (!ReadyToRun(*work)) return;
    Status status = sticky;
    for (const auto& event : work->sync.waits) {
      if (status.ok()) status = event->status();
    }
    if (status.ok()) {
      try {
        status = work->run();
      } catch (const std::bad_alloc&) {
        status = ResourceExhausted("stream work: out of memory");
      } catch (...) {
        status = Internal("stream work threw an exception");
      }
    }
    std::shared_ptr<EventState> signal = std::move(work->sync.signal);
    std::unique_ptr<Work> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!status.ok() && error_.ok()) error_ = status;
      done = std::move(queue_.front());
      queue_.pop_front();
    }
    done.reset();
    if (signal) signal->Signal(status);
  }
}

namespace abi {

hetero_status* StreamCreate(hetero_device* handle, hetero_stream** out) {
  return Guard("cpu stream_create", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("stream_create: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "stream_create"));
    auto* stream = new Stream(device, device->plugin->next_stream_id.fetch_add(1));
    *out = reinterpret_cast<hetero_stream*>(stream);
    return OkStatus();
  });
}

void StreamDestroy(hetero_stream* handle) {
  GuardVoid([&] {
    auto stream = FromHandle(handle, "stream_destroy");
    if (!stream.ok()) return;
    (*stream)->tag = Tag::kDead;
    delete *stream;
  });
}

hetero_status* StreamSynchronize(hetero_stream* handle) {
  return Guard("cpu stream_synchronize", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(handle, "stream_synchronize"));
    return stream->Synchronize();
  });
}

hetero_status* EventCreate(hetero_device* handle, hetero_event** out) {
  return Guard("cpu event_create", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("event_create: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "event_create"));
    auto event = std::make_unique<EventHandle>();
    event->plugin = device->plugin;
    event->state = std::make_shared<EventState>();
    *out = ToHandle(event.release());
    return OkStatus();
  });
}

void EventDestroy(hetero_event* handle) {
  GuardVoid([&] {
    auto event = FromHandle(handle, "event_destroy");
    if (!event.ok()) return;
    (*event)->state->CancelHostCallbacks();
    (*event)->tag = Tag::kDead;
    delete *event;  // work that signals or waits on it keeps its state alive
  });
}

hetero_status* EventWait(hetero_event* handle, uint64_t timeout_ns) {
  return Guard("cpu event_wait", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_wait"));
    return event->state->Wait(timeout_ns);
  });
}

hetero_status* EventQuery(hetero_event* handle, int32_t* out_done) {
  return Guard("cpu event_query", [&]() -> Status {
    if (out_done == nullptr) return InvalidArgument("event_query: out_done is NULL");
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_query"));
    *out_done = event->state->done() ? 1 : 0;
    return OkStatus();
  });
}

hetero_status* EventOnReady(hetero_event* handle, void (*fn)(void*, hetero_status*),
                            void* user_data) {
  return Guard("cpu event_on_ready", [&]() -> Status {
    if (fn == nullptr) return InvalidArgument("event_on_ready: fn is NULL");
    HETERO_ASSIGN_OR_RETURN(EventHandle * event, FromHandle(handle, "event_on_ready"));
    event->state->AddHostCallback(fn, user_data);
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::cpu
