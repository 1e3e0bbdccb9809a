// What profiling costs, off and on: the recorder's Add and the scheduler's launch hook per
// call, and per op of a 1,000-op chain of tiny Adds (f32[1]) run by the cpu plugin through
// its ABI and by the FlowScheduler, with profiling off, with the plugin recording but no
// host sink, and with the records delivered into a Recorder as Session does. Chain
// benchmarks report per_op (seconds per op, wall clock).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/cpu_abi_chain.h"
#include "compiler/ir/graph.h"
#include "profiler/recorder.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/scheduler/flow_scheduler.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero {
namespace {

constexpr int kOps = 1000;

// Profiling modes of the chain benchmarks (the benchmark's argument).
enum Mode : int64_t { kOff = 0, kPluginOnly = 1, kDelivered = 2 };

const char* ModeName(int64_t mode) {
  return mode == kOff ? "off" : mode == kPluginOnly ? "plugin records, no sink" : "delivered";
}

using bench::AddChain;
using bench::Check;

// What Session's profile sink does with a plugin's record: an Event into the recorder.
plugins::ProfileSink RecorderSink(profiler::Recorder* recorder) {
  return [recorder](const plugins::ProfileRecord& record) {
    profiler::Event e;
    e.kind = profiler::EventKind::kDeviceOp;
    e.track = record.plugin;
    e.lane = "stream " + std::to_string(record.stream_id);
    e.name = record.name;
    e.op = record.op;
    e.start_ns = record.start_ns;
    e.end_ns = record.end_ns;
    e.correlation_id = record.correlation_id;
    e.counters = record.counters;
    e.simulated = record.simulated;
    recorder->Add(std::move(e));
  };
}

void SetPerOp(benchmark::State& state, int ops) {
  state.counters["per_op"] = benchmark::Counter(
      ops, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The scheduler's launch hook (runtime/scheduler/segment_launch.cc, RecordLaunch): off,
// one null check and one relaxed load; on, two events built and added.
__attribute__((noinline)) void LaunchHook(profiler::Recorder* recorder, int segment,
                                          uint64_t request, uint64_t start_ns, uint64_t end_ns) {
  if (recorder == nullptr || !recorder->enabled()) return;
  profiler::Event launch;
  launch.kind = profiler::EventKind::kScheduler;
  launch.track = "host";
  launch.lane = "scheduler";
  launch.name = "launch segment " + std::to_string(segment);
  launch.start_ns = start_ns;
  launch.end_ns = start_ns + 1;
  launch.correlation_id = request;
  launch.request_id = request;
  recorder->Add(launch);
  profiler::Event whole = launch;
  whole.name = "segment " + std::to_string(segment) + " on cpu";
  whole.lane = "request " + std::to_string(request);
  whole.end_ns = end_ns;
  recorder->Add(std::move(whole));
}

// Per call of the launch hook; arg 0 = recorder disabled, 1 = enabled. The recorder is
// emptied every 1,000 calls outside the timing.
void BM_SchedulerLaunchHook(benchmark::State& state) {
  profiler::Recorder recorder(state.range(0) != 0);
  profiler::Recorder* r = &recorder;
  benchmark::DoNotOptimize(r);
  uint64_t n = 0;
  for (auto _ : state) {
    LaunchHook(r, 3, n, n, n + 10);
    if (++n % 1000 == 0 && recorder.enabled()) {
      state.PauseTiming();
      benchmark::DoNotOptimize(recorder.Take());
      state.ResumeTiming();
    }
  }
  state.SetLabel(state.range(0) != 0 ? "on" : "off");
}
BENCHMARK(BM_SchedulerLaunchHook)->Arg(0)->Arg(1);

// Per call of Recorder::Add with an event moved in (a device op's, as the sink builds it).
void BM_RecorderAdd(benchmark::State& state) {
  profiler::Recorder recorder(state.range(0) != 0);
  uint64_t n = 0;
  for (auto _ : state) {
    profiler::Event e;
    e.kind = profiler::EventKind::kDeviceOp;
    e.start_ns = n;
    e.end_ns = n + 5;
    recorder.Add(std::move(e));
    if (++n % 1000 == 0 && recorder.enabled()) {
      state.PauseTiming();
      benchmark::DoNotOptimize(recorder.Take());
      state.ResumeTiming();
    }
  }
  state.SetLabel(state.range(0) != 0 ? "on" : "off");
}
BENCHMARK(BM_RecorderAdd)->Arg(0)->Arg(1);

// The chain's executable on the CPU plugin through its C table, one host thread.
struct AbiChain {
  AbiChain() : graph(AddChain(kOps)), abi(*graph, 1) {}
  void SetMode(int64_t mode, profiler::Recorder* recorder) {
    Check(abi.api->set_profiling(abi.device, mode != kOff ? 1 : 0), "set_profiling");
    abi.host->SetProfileSink(mode == kDelivered ? RecorderSink(recorder) : nullptr);
  }
  void RunOnce() {
    Check(abi.Execute(0, 1), "execute");
    Check(abi.api->stream_synchronize(abi.stream), "synchronize");
  }

  std::unique_ptr<ir::Graph> graph;
  bench::CpuAbiSetup abi;
};

// One execute of the 1,000-node executable through the ABI, then stream_synchronize.
void BM_CpuPluginChain(benchmark::State& state) {
  AbiChain chain;
  profiler::Recorder recorder(true);
  chain.SetMode(state.range(0), &recorder);
  chain.RunOnce();
  if (state.range(0) == kDelivered && recorder.Take().size() != static_cast<size_t>(kOps)) {
    state.SkipWithError("profiling on, but the run did not deliver one record per op");
    return;
  }
  for (auto _ : state) {
    chain.RunOnce();
    state.PauseTiming();
    benchmark::DoNotOptimize(recorder.Take());
    state.ResumeTiming();
  }
  SetPerOp(state, kOps);
  state.SetLabel(ModeName(state.range(0)));
}
BENCHMARK(BM_CpuPluginChain)->Arg(kOff)->Arg(kPluginOnly)->Arg(kDelivered)->UseRealTime();

// The chain as one cpu segment through the FlowScheduler (one host thread): off, the
// scheduler gets no recorder (as Session without profiling); delivered, a recorder, the
// device profiling and the sink (as Session with profiling).
void BM_FlowSchedulerChain(benchmark::State& state) {
  const bool on = state.range(0) != kOff;
  auto graph = AddChain(kOps);
  auto registry = plugins::LoadPluginRegistry({}, 1);
  auto cpu = registry->OpenDevice("cpu");
  Check(cpu.status(), "open cpu");
  auto executor = PartitionedExecutor::Create(*graph, {*cpu}, {});
  Check(executor.status(), "partition");
  profiler::Recorder recorder(on);
  Check((*cpu)->SetProfiling(on), "set_profiling");
  if (on) registry->host().SetProfileSink(RecorderSink(&recorder));
  scheduler::SchedulerOptions options;
  options.recorder = on ? &recorder : nullptr;
  {
    scheduler::FlowScheduler sched(**executor, registry->host().arena(), options);
    const NamedTensors inputs = {{"x", Tensor::FromFloat({1}, {0.0f})}};
    Check(sched.Run(inputs).status(), "run");
    if (on && recorder.Take().size() < static_cast<size_t>(kOps)) {
      state.SkipWithError("profiling on, but the run recorded fewer events than ops");
    }
    for (auto _ : state) {
      auto result = sched.Run(inputs);
      if (!result.ok()) state.SkipWithError("run failed");
      state.PauseTiming();
      benchmark::DoNotOptimize(recorder.Take());
      state.ResumeTiming();
    }
  }
  registry->host().SetProfileSink(nullptr);
  SetPerOp(state, kOps);
  state.SetLabel(on ? "delivered" : "off");
}
BENCHMARK(BM_FlowSchedulerChain)->Arg(kOff)->Arg(kDelivered)->UseRealTime();

}  // namespace
}  // namespace hetero

BENCHMARK_MAIN();
