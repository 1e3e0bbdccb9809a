// Chrome-trace writer: lays events out on nested threads, writes slices, metadata and flows.
#include "profiler/trace_writer.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>

#include "profiler/json.h"

namespace hetero::profiler {

namespace {

// One lane of one track, split into as many threads as its overlaps need; each thread
// keeps the end times of its open slices (a stack).
struct LaneThreads {
  std::vector<std::vector<uint64_t>> open_ends;
  std::vector<int> tids;
};

// Places [start, end) on the first thread of the lane where it nests strictly.
size_t PlaceOnLane(LaneThreads& lane, uint64_t start, uint64_t end) {
  for (size_t k = 0; k < lane.open_ends.size(); ++k) {
    auto& stack = lane.open_ends[k];
    while (!stack.empty() && stack.back() <= start) stack.pop_back();
    if (stack.empty() || end <= stack.back()) {
      stack.push_back(end);
      return k;
    }
  }
  lane.open_ends.push_back({end});
  return lane.open_ends.size() - 1;
}

std::string Micros(uint64_t ns, uint64_t base) {
  char buf[48];
  const uint64_t d = ns >= base ? ns - base : 0;
  std::snprintf(buf, sizeof(buf), "%llu.%03llu", static_cast<unsigned long long>(d / 1000),
                static_cast<unsigned long long>(d % 1000));
  return buf;
}

std::string MetadataEvent(const char* name, int pid, int tid, const std::string& key,
                          const std::string& value_json) {
  return std::string("{\"ph\":\"M\",\"name\":\"") + name + "\",\"pid\":" + std::to_string(pid) +
         ",\"tid\":" + std::to_string(tid) + ",\"args\":{" + JsonQuote(key) + ":" + value_json +
         "}}";
}

std::string SliceEvent(const Event& e, const TracePlacement& at, uint64_t base) {
  std::string args = "\"kind\":" + JsonQuote(EventKindName(e.kind));
  if (!e.op.empty()) args += ",\"op\":" + JsonQuote(e.op);
  if (e.correlation_id != 0) args += ",\"correlation_id\":" + std::to_string(e.correlation_id);
  if (e.request_id != 0) args += ",\"request_id\":" + std::to_string(e.request_id);
  for (const auto& [key, value] : e.counters)
    args += "," + JsonQuote(key) + ":" + JsonNumber(value);
  if (e.simulated) args += ",\"simulated\":true";
  const uint64_t end = std::max(e.end_ns, e.start_ns);
  return "{\"ph\":\"X\",\"name\":" + JsonQuote(e.name.empty() ? e.op : e.name) +
         ",\"cat\":" + JsonQuote(EventKindName(e.kind)) + ",\"pid\":" + std::to_string(at.pid) +
         ",\"tid\":" + std::to_string(at.tid) + ",\"ts\":" + Micros(e.start_ns, base) +
         ",\"dur\":" + Micros(end, e.start_ns) + ",\"args\":{" + args + "}}";
}

std::string FlowEvent(const char* phase, uint64_t id, const TracePlacement& at, uint64_t ts,
                      uint64_t base) {
  std::string s = std::string("{\"ph\":\"") + phase + "\",\"name\":\"launch\",\"cat\":\"flow\"" +
                  ",\"id\":" + std::to_string(id) + ",\"pid\":" + std::to_string(at.pid) +
                  ",\"tid\":" + std::to_string(at.tid) + ",\"ts\":" + Micros(ts, base);
  if (phase[0] == 'f') s += ",\"bp\":\"e\"";
  return s + "}";
}

}  // namespace

TraceLayout LayOutTrace(const std::vector<Event>& events) {
  TraceLayout layout;
  layout.placements.resize(events.size());
  // Processes: host first, then tracks in order of first appearance.
  std::map<std::string, int> pid_of;
  std::vector<bool> simulated;
  auto add_process = [&](const std::string& track) {
    if (pid_of.count(track)) return;
    pid_of[track] = static_cast<int>(layout.process_names.size()) + 1;
    layout.process_names.push_back(track);
    layout.thread_names.emplace_back();
    simulated.push_back(false);
  };
  for (const Event& e : events) {
    if (e.track == "host") add_process("host");
  }
  for (const Event& e : events) add_process(e.track.empty() ? "host" : e.track);

  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (events[a].start_ns != events[b].start_ns) return events[a].start_ns < events[b].start_ns;
    return events[a].end_ns > events[b].end_ns;  // parents before children
  });
  std::map<std::pair<int, std::string>, LaneThreads> lanes;
  for (size_t i : order) {
    const Event& e = events[i];
    const int pid = pid_of[e.track.empty() ? "host" : e.track];
    if (e.simulated) simulated[pid - 1] = true;
    LaneThreads& lane = lanes[{pid, e.lane}];
    const size_t k = PlaceOnLane(lane, e.start_ns, std::max(e.end_ns, e.start_ns));
    auto& names = layout.thread_names[pid - 1];
    if (k >= lane.tids.size()) {
      const std::string base_name = e.lane.empty() ? "main" : e.lane;
      names.push_back(k == 0 ? base_name : base_name + " #" + std::to_string(k + 1));
      lane.tids.push_back(static_cast<int>(names.size()));
    }
    layout.placements[i] = {pid, lane.tids[k]};
  }
  for (size_t p = 0; p < simulated.size(); ++p) {
    if (simulated[p]) layout.process_names[p] += " (simulated)";
  }
  return layout;
}

std::string ChromeTraceJson(const std::vector<Event>& events) {
  const TraceLayout layout = LayOutTrace(events);
  uint64_t base = UINT64_MAX;
  for (const Event& e : events) base = std::min(base, e.start_ns);
  if (events.empty()) base = 0;
  std::vector<std::string> out;
  for (size_t p = 0; p < layout.process_names.size(); ++p) {
    const int pid = static_cast<int>(p) + 1;
    out.push_back(
        MetadataEvent("process_name", pid, 0, "name", JsonQuote(layout.process_names[p])));
    out.push_back(MetadataEvent("process_sort_index", pid, 0, "sort_index", std::to_string(pid)));
    for (size_t t = 0; t < layout.thread_names[p].size(); ++t) {
      const int tid = static_cast<int>(t) + 1;
      out.push_back(
          MetadataEvent("thread_name", pid, tid, "name", JsonQuote(layout.thread_names[p][t])));
      out.push_back(
          MetadataEvent("thread_sort_index", pid, tid, "sort_index", std::to_string(tid)));
    }
  }
  std::vector<size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return events[a].start_ns < events[b].start_ns; });
  std::map<uint64_t, size_t> launch_of, first_target_of;
  for (size_t i : order) {
    out.push_back(SliceEvent(events[i], layout.placements[i], base));
    const uint64_t c = events[i].correlation_id;
    if (c == 0) continue;
    if (events[i].kind == EventKind::kScheduler) {
      // The shortest scheduler slice of a launch is the launch itself (a segment's span
      // may enclose it).
      auto [it, fresh] = launch_of.try_emplace(c, i);
      const auto dur = [&](size_t k) { return events[k].end_ns - events[k].start_ns; };
      if (!fresh && dur(i) < dur(it->second)) it->second = i;
    } else if (events[i].kind == EventKind::kDeviceOp || events[i].kind == EventKind::kTransfer) {
      auto [it, fresh] = first_target_of.try_emplace(c, i);
      if (!fresh && events[i].start_ns < events[it->second].start_ns) it->second = i;
    }
  }
  for (const auto& [c, launch] : launch_of) {
    auto target = first_target_of.find(c);
    if (target == first_target_of.end()) continue;
    const Event& from = events[launch];
    const Event& to = events[target->second];
    out.push_back(FlowEvent("s", c, layout.placements[launch], from.start_ns, base));
    out.push_back(FlowEvent("f", c, layout.placements[target->second], to.start_ns, base));
  }
  std::string json =
      "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"hetero\","
      "\"base_host_ns\":" +
      std::to_string(base) + "},\"traceEvents\":[\n";
  for (size_t i = 0; i < out.size(); ++i) json += out[i] + (i + 1 < out.size() ? ",\n" : "\n");
  return json + "]}\n";
}

Status WriteChromeTrace(const std::string& path, const std::vector<Event>& events) {
  return WriteTextFile(path, ChromeTraceJson(events));
}

}  // namespace hetero::profiler
