// Profiler events as the public API hands them out (Session::TakeProfile): timed slices
// of host, scheduler, transfer and device work in the host's steady clock.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hetero::profiler {

enum class EventKind {
  kHost,       // host work of a request: input checks, shape inference, output assembly
  kScheduler,  // the scheduler deciding and launching (a segment's launch on the host)
  kTransfer,   // a copy between host and device or between devices
  kDeviceOp,   // one op (or fused op) on a device, from the plugin's profile record
};

const char* EventKindName(EventKind kind);  // "host", "scheduler", "transfer", "device_op"

struct Event {
  EventKind kind = EventKind::kHost;
  // Where it ran: "host", or a device name ("cpu", "opencl:0", "npu-sim:rngd"). Becomes
  // the trace's process.
  std::string track;
  // The queue or thread within the track: "request 3", "stream 1". Becomes the trace's
  // thread.
  std::string lane;
  std::string name;  // node name, "segment 2", "copy h2d", "run"
  std::string op;    // op type, empty when not an op
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  // Links a launch (scheduler event) to the device work it caused (the plugin's records
  // echo the id): trace flow arrows follow it. 0 = none.
  uint64_t correlation_id = 0;
  uint64_t request_id = 0;                               // the run this event belongs to; 0 = none
  std::vector<std::pair<std::string, double>> counters;  // "flops", "bytes", ...
  bool simulated = false;  // times are a model's prediction (npu-sim), not measured
};

}  // namespace hetero::profiler
