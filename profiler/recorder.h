// Recorder: a thread-safe collector of profiler events. Off, Add costs one relaxed load.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "profiler/event.h"

namespace hetero::profiler {

class Recorder {
 public:
  explicit Recorder(bool enabled = true) : enabled_(enabled) {}

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void SetEnabled(bool enabled) { enabled_.store(enabled, std::memory_order_relaxed); }

  // Dropped when disabled. Thread-safe.
  void Add(Event event);
  // Every event recorded so far, sorted by start time; the recorder is left empty.
  std::vector<Event> Take();
  size_t size() const;

 private:
  std::atomic<bool> enabled_;
  mutable std::mutex mutex_;
  std::vector<Event> events_;
};

}  // namespace hetero::profiler
