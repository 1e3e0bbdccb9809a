// Recorder: events appended under a mutex, handed out sorted by start.
#include "profiler/recorder.h"

#include <algorithm>

namespace hetero::profiler {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kHost: return "host";
    case EventKind::kScheduler: return "scheduler";
    case EventKind::kTransfer: return "transfer";
    case EventKind::kDeviceOp: return "device_op";
  }
  return "unknown";
}

void Recorder::Add(Event event) {
  if (!enabled()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  events_.push_back(std::move(event));
}

std::vector<Event> Recorder::Take() {
  std::vector<Event> out;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out.swap(events_);
  }
  std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) {
    return a.start_ns < b.start_ns || (a.start_ns == b.start_ns && a.end_ns > b.end_ns);
  });
  return out;
}

size_t Recorder::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

}  // namespace hetero::profiler
