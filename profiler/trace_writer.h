// Chrome-trace / Perfetto JSON from profiler events: one process per track (host first,
// then devices), one thread per lane, strictly nested slices, flow arrows launch → kernel.
#pragma once

#include <string>
#include <vector>

#include "hetero/status.h"
#include "profiler/event.h"

namespace hetero::profiler {

// Where an event lands in the trace.
struct TracePlacement {
  int pid = 0;
  int tid = 0;
};

// Assigns every event a (pid, tid) so that the slices of each thread nest strictly:
// an event that would overlap a slice of its lane without nesting inside it moves to an
// overflow thread of that lane ("stream 0 #2"). `thread_names[pid][tid]` and
// `process_names[pid]` name them. Events need not be sorted. Returned in input order.
struct TraceLayout {
  std::vector<TracePlacement> placements;
  std::vector<std::string> process_names;              // index pid - 1
  std::vector<std::vector<std::string>> thread_names;  // [pid - 1][tid - 1]
};
TraceLayout LayOutTrace(const std::vector<Event>& events);

// The whole trace document: {"traceEvents": [...], "displayTimeUnit": "ns", ...}.
// Timestamps are microseconds from the earliest event (its host ns in "otherData").
std::string ChromeTraceJson(const std::vector<Event>& events);

// Writes ChromeTraceJson to `path`; fails naming the path.
Status WriteChromeTrace(const std::string& path, const std::vector<Event>& events);

}  // namespace hetero::profiler
