// The loaded scenarios of `hetero bench`, after MLPerf LoadGen: offline (every query at
// once, throughput over the batch) and server (Poisson arrivals at a target QPS, latency
// from the scheduled arrival, p99 checked against a bound).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "profiler/stats.h"
#include "tools/hetero/cmd_bench_runner.h"

namespace hetero::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kOfflineWindow = 64;  // queries in flight at once

// Completion bookkeeping shared by the callbacks of one scenario.
struct Completions {
  std::mutex mutex;
  std::condition_variable done;
  size_t finished = 0;
  size_t issued = 0;
  size_t failed = 0;
  std::vector<double> latency_ms;
  Clock::time_point last_end;
  Status first_error = OkStatus();
};

// Issues one query; its latency counts from `arrival`.
void Issue(PreparedRun& run, Completions& c, Clock::time_point arrival) {
  run.session->RunAsync(run.inputs, [&c, arrival](StatusOr<NamedTensors> result) {
    const auto end = Clock::now();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (result.ok()) {
      c.latency_ms.push_back(std::chrono::duration<double, std::milli>(end - arrival).count());
    } else {
      ++c.failed;
      if (c.first_error.ok()) c.first_error = result.status();
    }
    c.last_end = std::max(c.last_end, end);
    ++c.finished;
    c.done.notify_all();
  });
}

void WaitAll(Completions& c, size_t total) {
  std::unique_lock<std::mutex> lock(c.mutex);
  c.done.wait(lock, [&] { return c.finished >= total; });
}

size_t QueryCount(const BenchSettings& settings, double rate) {
  const double by_time = settings.time_s * rate;
  return std::clamp<size_t>(static_cast<size_t>(std::max<double>(settings.iters, by_time)), 1,
                            static_cast<size_t>(settings.max_iters));
}

void Finish(PreparedRun& run, Completions& c, Clock::time_point start,
            const BenchSettings& settings, std::vector<profiler::Event>* trace) {
  profiler::BenchResult& r = run.result;
  r.wall_ms = c.latency_ms;
  r.completed = c.latency_ms.size();
  r.failed = c.failed;
  r.duration_s = std::chrono::duration<double>(c.last_end - start).count();
  r.throughput = r.duration_s > 0 ? static_cast<double>(r.completed) / r.duration_s : 0;
  std::vector<profiler::Event> events = TakeEvents(run);
  profiler::CollectNodeCosts(events, &run.costs);
  // The per-op table: queries overlap, so each query's ops are found by its request.
  if (settings.profiling) {
    for (const auto& query : profiler::GroupByRequest(events)) run.ops.AddInference(query);
  }
  if (settings.keep_trace) KeepTraceEvents(std::move(events), settings, trace);
}

}  // namespace

Status RunOffline(PreparedRun& run, const BenchSettings& settings,
                  std::vector<profiler::Event>* trace) {
  HETERO_RETURN_IF_ERROR(WarmUp(run, settings));
  TakeEvents(run);
  Completions c;
  const auto start = Clock::now();
  c.last_end = start;
  // The queries are all there from the start; a window keeps the host from drowning in
  // threads while the session always has work queued.
  while (c.issued < static_cast<size_t>(settings.max_iters)) {
    const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    if (c.issued >= static_cast<size_t>(settings.iters) && elapsed_s >= settings.time_s) break;
    {
      std::unique_lock<std::mutex> lock(c.mutex);
      c.done.wait(lock, [&] { return c.issued - c.finished < kOfflineWindow; });
      ++c.issued;
    }
    Issue(run, c, Clock::now());
  }
  WaitAll(c, c.issued);
  run.result.scenario = "offline";
  Finish(run, c, start, settings, trace);
  return c.first_error;
}

Status RunServer(PreparedRun& run, const BenchSettings& settings,
                 std::vector<profiler::Event>* trace) {
  if (settings.target_qps <= 0) return FailedPrecondition("--target-qps must be > 0");
  HETERO_RETURN_IF_ERROR(WarmUp(run, settings));
  TakeEvents(run);
  const size_t total = QueryCount(settings, settings.target_qps);
  std::mt19937_64 rng(settings.seed);
  std::exponential_distribution<double> gap_s(settings.target_qps);
  Completions c;
  const auto start = Clock::now();
  c.last_end = start;
  auto arrival = start;
  for (size_t i = 0; i < total; ++i) {
    std::this_thread::sleep_until(arrival);
    {
      std::lock_guard<std::mutex> lock(c.mutex);
      ++c.issued;
    }
    Issue(run, c, arrival);
    arrival +=
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(gap_s(rng)));
  }
  WaitAll(c, total);
  profiler::BenchResult& r = run.result;
  r.scenario = "server";
  r.target_qps = settings.target_qps;
  r.p99_bound_ms = settings.p99_bound_ms;
  Finish(run, c, start, settings, trace);
  r.bound_held =
      settings.p99_bound_ms <= 0 || profiler::Percentile(r.wall_ms, 99) <= settings.p99_bound_ms;
  return c.first_error;
}

}  // namespace hetero::cli
