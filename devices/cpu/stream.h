// Streams and events of the CPU plugin: in-order queues run on the host's arena, and
// one-shot events that order work across streams.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "devices/cpu/cpu_plugin.h"
#include "hetero/status.h"

namespace hetero::cpu {

// A one-shot completion: armed when submitted work names it as its signal, then
// signalled exactly once with that work's status. Thread-safe.
class EventState {
 public:
  // Marks the event as the signal of submitted work; false if it already was.
  bool TryArm();
  bool armed() const;
  bool done() const;
  // Records the status and runs every waiter, once.
  void Signal(Status status);
  // The status the event was signalled with (OK while not done).
  Status status() const;
  // Blocks until done or timeout_ns pass (UINT64_MAX: forever). Unavailable on timeout,
  // else the signalled status.
  Status Wait(uint64_t timeout_ns);
  // Runs fn once when done, on the signalling thread; when already done, returns false
  // without running or keeping fn.
  bool AddWaiter(std::function<void()> fn);
  // event_on_ready: fn(user_data, status) exactly once — when signalled, at once if
  // already done, or with HETERO_CANCELLED from CancelHostCallbacks.
  void AddHostCallback(void (*fn)(void*, hetero_status*), void* user_data);
  // Called by event_destroy: pending host callbacks get HETERO_CANCELLED now.
  void CancelHostCallbacks();

 private:
  struct HostCallback {
    void (*fn)(void*, hetero_status*);
    void* user_data;
  };

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool done_ = false;
  Status status_;
  std::vector<std::function<void()>> waiters_;
  std::vector<HostCallback> host_callbacks_;
};

// The waits, signal and correlation id of one piece of work, decoded from hetero_sync.
struct SyncPoints {
  std::vector<std::shared_ptr<EventState>> waits;
  std::shared_ptr<EventState> signal;
  uint64_t correlation_id = 0;
};

// An in-order queue. Work runs on the host's arena (host->enqueue_task), one item at a
// time; an item whose wait events are not done parks the queue until they are, without
// blocking a thread. The first error is sticky: later work is skipped and its signal
// carries that error. Submit is thread-safe; the destructor waits for queued work.
class Stream {
 public:
  Stream(Device* device, uint32_t id) : device_(device), id_(id) {}
  ~Stream();

  Tag tag = Tag::kStream;
  Device* device() const { return device_; }
  uint32_t id() const { return id_; }

  // Checks and decodes `sync` (NULL: no waits, no signal) and arms its signal.
  StatusOr<SyncPoints> DecodeSync(const hetero_sync* sync, const char* where);
  // Queues work; `run` is called once, on some thread, after the waits are done.
  Status Submit(SyncPoints sync, std::function<Status()> run);
  // Blocks until every queued item is done; returns the sticky error, if any.
  Status Synchronize();

 private:
  struct Work {
    SyncPoints sync;
    std::function<Status()> run;
    size_t next_wait = 0;
  };
  static void DrainTask(void* stream);
  void ScheduleDrain();
  void Drain();
  // Whether the front item can start; if not, arranges a drain when it can.
  bool ReadyToRun(Work& work);

  Device* device_;
  uint32_t id_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::deque<std::unique_ptr<Work>> queue_;
  bool draining_ = false;
  Status error_;
};

}  // namespace hetero::cpu
