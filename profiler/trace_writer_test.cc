// The Chrome-trace writer's output parses, names every process and thread, nests slices
// strictly on each thread, keeps time order, and links launches to kernels with flows.
#include "profiler/trace_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "profiler/json.h"

namespace hetero::profiler {
namespace {

Event Make(EventKind kind, const std::string& track, const std::string& lane,
           const std::string& name, uint64_t start, uint64_t end, uint64_t correlation = 0) {
  Event e;
  e.kind = kind;
  e.track = track;
  e.lane = lane;
  e.name = name;
  e.start_ns = start;
  e.end_ns = end;
  e.correlation_id = correlation;
  return e;
}

std::vector<Event> SampleEvents() {
  std::vector<Event> events;
  // Host: a run containing two launches; a second request overlapping on the same lane.
  events.push_back(Make(EventKind::kHost, "host", "request 1", "run", 1000, 9000));
  events.push_back(Make(EventKind::kScheduler, "host", "request 1", "segment 0", 1100, 1500, 7));
  events.push_back(Make(EventKind::kScheduler, "host", "request 1", "segment 1", 5000, 5200, 8));
  events.push_back(Make(EventKind::kHost, "host", "request 1", "overlapping", 8000, 12000));
  // Device ops: partial overlap on stream 0 must be split onto another thread.
  events.push_back(Make(EventKind::kDeviceOp, "cpu", "stream 0", "mm", 1600, 3000, 7));
  events.push_back(Make(EventKind::kDeviceOp, "cpu", "stream 0", "add", 2500, 4000, 7));
  Event sim = Make(EventKind::kDeviceOp, "npu-sim:rngd", "stream 0", "attn", 5300, 5900, 8);
  sim.simulated = true;
  sim.counters = {{"flops", 1e6}};
  events.push_back(sim);
  events.push_back(Make(EventKind::kTransfer, "npu-sim:rngd", "stream 0", "copy h2d", 5250, 5290));
  return events;
}

struct Slice {
  double ts, end;
  std::string name;
};

TEST(TraceWriterTest, ParsesWithMetadataNestingOrderAndFlows) {
  const std::vector<Event> events = SampleEvents();
  auto doc = ParseJson(ChromeTraceJson(events));
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->StringOr("displayTimeUnit", ""), "ns");
  const JsonValue* trace = doc->Find("traceEvents");
  ASSERT_TRUE(trace != nullptr && trace->is_array());

  std::map<int, std::string> process_names;
  std::map<std::pair<int, int>, std::string> thread_names;
  std::map<std::pair<int, int>, std::vector<Slice>> slices;
  std::map<double, std::vector<std::string>> flow_phases;
  std::map<double, double> flow_s_ts, flow_f_ts;
  size_t slice_count = 0;
  double last_ts = -1;
  for (const JsonValue& e : trace->items()) {
    const std::string ph = e.StringOr("ph", "");
    const int pid = static_cast<int>(e.NumberOr("pid", -1));
    const int tid = static_cast<int>(e.NumberOr("tid", -1));
    if (ph == "M") {
      const JsonValue* args = e.Find("args");
      ASSERT_NE(args, nullptr);
      if (e.StringOr("name", "") == "process_name") process_names[pid] = args->StringOr("name", "");
      if (e.StringOr("name", "") == "thread_name")
        thread_names[{pid, tid}] = args->StringOr("name", "");
    } else if (ph == "X") {
      const double ts = e.NumberOr("ts", -1);
      EXPECT_GE(ts, last_ts) << "slices are written in start order";
      last_ts = ts;
      slices[{pid, tid}].push_back({ts, ts + e.NumberOr("dur", -1), e.StringOr("name", "")});
      ++slice_count;
    } else if (ph == "s") {
      flow_s_ts[e.NumberOr("id", 0)] = e.NumberOr("ts", -1);
    } else if (ph == "f") {
      EXPECT_EQ(e.StringOr("bp", ""), "e");
      flow_f_ts[e.NumberOr("id", 0)] = e.NumberOr("ts", -1);
    }
  }
  EXPECT_EQ(slice_count, events.size());
  // One process per track, host first; simulated devices say so.
  ASSERT_EQ(process_names.size(), 3u);
  EXPECT_EQ(process_names[1], "host");
  EXPECT_EQ(process_names[2], "cpu");
  EXPECT_EQ(process_names[3], "npu-sim:rngd (simulated)");
  // Every thread with slices is named; the overlaps went to overflow threads.
  for (const auto& [key, list] : slices) {
    EXPECT_TRUE(thread_names.count(key)) << key.first << "/" << key.second;
  }
  EXPECT_EQ(thread_names[std::make_pair(1, 1)], "request 1");
  EXPECT_EQ(thread_names[std::make_pair(1, 2)], "request 1 #2");
  EXPECT_EQ(thread_names[std::make_pair(2, 2)], "stream 0 #2");
  // Strict nesting on every thread: a slice starting inside another ends inside it.
  for (const auto& [key, list] : slices) {
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t j = 0; j < list.size(); ++j) {
        if (i == j) continue;
        const Slice& a = list[i];
        const Slice& b = list[j];
        if (b.ts >= a.ts && b.ts < a.end) {
          EXPECT_LE(b.end, a.end) << b.name << " overlaps " << a.name;
        }
      }
    }
  }
  // Flows: launch 7 -> mm (1.6 us after base 1.0 us), launch 8 -> attn; never backwards.
  ASSERT_EQ(flow_s_ts.size(), 2u);
  ASSERT_EQ(flow_f_ts.size(), 2u);
  EXPECT_DOUBLE_EQ(flow_s_ts[7], 0.1);
  EXPECT_DOUBLE_EQ(flow_f_ts[7], 0.6);
  EXPECT_DOUBLE_EQ(flow_f_ts[8], 4.3);
  for (const auto& [id, ts] : flow_s_ts) EXPECT_LE(ts, flow_f_ts[id]);
}

TEST(TraceWriterTest, NestedChildrenStayOnTheirParentsThread) {
  std::vector<Event> events = {Make(EventKind::kHost, "host", "main", "outer", 0, 100),
                               Make(EventKind::kHost, "host", "main", "inner", 10, 20),
                               Make(EventKind::kHost, "host", "main", "after", 100, 150)};
  const TraceLayout layout = LayOutTrace(events);
  ASSERT_EQ(layout.thread_names.size(), 1u);
  EXPECT_EQ(layout.thread_names[0].size(), 1u);
  for (const TracePlacement& p : layout.placements) EXPECT_EQ(p.tid, 1);
}

TEST(TraceWriterTest, EmptyTraceIsValidJson) {
  auto doc = ParseJson(ChromeTraceJson({}));
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(doc->Find("traceEvents")->items().empty());
}

}  // namespace
}  // namespace hetero::profiler
