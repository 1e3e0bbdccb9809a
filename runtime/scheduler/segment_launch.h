// Launching one segment of one request on its device without blocking: inputs found
// where they already are (reused, copied device to device, or uploaded once), execute,
// the downloads later segments or the caller need, and a continuation when the device
// signals completion.
#pragma once

#include <oneapi/tbb/task_arena.h>

#include <functional>
#include <string>
#include <vector>

#include "profiler/recorder.h"
#include "runtime/scheduler/request.h"
#include "runtime/session/device_executor.h"

namespace hetero::scheduler {

// What the scheduler knows of a segment before any request.
struct SegmentPlan {
  size_t index = 0;
  const DeviceExecutor* executor = nullptr;
  std::string device_name;
  std::vector<std::string> inputs;   // value names, in the executable's input order
  std::vector<std::string> outputs;  // value names, in the executable's output order
  // Download output k after execute: a graph output, or read by a segment on a device
  // that cannot take it device to device.
  std::vector<bool> output_to_host;
  std::vector<size_t> deps;  // segments whose outputs it reads
};

struct LaunchContext {
  tbb::task_arena* arena = nullptr;  // where continuations run
  profiler::Recorder* recorder = nullptr;
};

// Starts segment `plan` of `request`; returns at once. `resume` is called exactly once,
// as a task on ctx.arena, after the segment's outputs are recorded in the request (or
// its error is). A request already failed or cancelled resumes without running.
void LaunchSegment(const SegmentPlan& plan, const RequestPtr& request, const LaunchContext& ctx,
                   std::function<void()> resume);

}  // namespace hetero::scheduler
