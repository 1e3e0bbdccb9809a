// Throughput as requests in flight grow: one built-in model through Session::RunAsync with
// K requests kept in flight (a new one submitted as each completes), for each K of a list;
// requests/s and p50 latency per level.
//   inflight_bench MODEL DEVICES [--seq S] [--threads T] [--levels 1,2,4,8,16]
//                  [--requests N] [--plugin PATH] [--min-segment-nodes N] [--explain 1]
// DEVICES is comma separated in priority order ("cpu", "partial:0,cpu").
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "hetero/session.h"

namespace hetero {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

struct LevelResult {
  double requests_per_s = 0;
  double p50_ms = 0;
  int failed = 0;
};

// Keeps `in_flight` requests queued until `total` have completed.
class Driver {
 public:
  Driver(const Session& session, const NamedTensors& inputs, int in_flight, int total)
      : session_(session), inputs_(inputs), in_flight_(in_flight), total_(total) {}

  LevelResult Run() {
    const auto start = Clock::now();
    for (int i = 0; i < in_flight_; ++i) SubmitOne();
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [&] { return completed_ == total_; });
    const double wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    LevelResult result;
    result.requests_per_s = total_ / wall_s;
    std::nth_element(latencies_ms_.begin(), latencies_ms_.begin() + latencies_ms_.size() / 2,
                     latencies_ms_.end());
    result.p50_ms = latencies_ms_[latencies_ms_.size() / 2];
    result.failed = failed_;
    return result;
  }

 private:
  // Members are touched only under the lock, and nothing after the lock that records the
  // last completion: Run may return and the driver go as soon as that lock is released.
  void SubmitOne() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (submitted_ == total_) return;
      ++submitted_;
    }
    Launch(session_, inputs_);
  }

  void Launch(const Session& session, const NamedTensors& inputs) {
    const auto start = Clock::now();
    session.RunAsync(inputs, [this, start](StatusOr<NamedTensors> result) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      const Session* next_session = nullptr;
      const NamedTensors* next_inputs = nullptr;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        latencies_ms_.push_back(ms);
        if (!result.ok()) ++failed_;
        if (++completed_ == total_) {
          done_cv_.notify_all();
          return;
        }
        if (submitted_ < total_) {
          ++submitted_;
          next_session = &session_;
          next_inputs = &inputs_;
        }
      }
      // The driver lives on: the request launched here has not completed.
      if (next_session != nullptr) Launch(*next_session, *next_inputs);
    });
  }

  const Session& session_;
  const NamedTensors& inputs_;
  const int in_flight_;
  const int total_;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  int submitted_ = 0;
  int completed_ = 0;
  int failed_ = 0;
  std::vector<double> latencies_ms_;
};

std::string FlagValue(int argc, char** argv, const std::string& name, const std::string& dflt) {
  for (int i = 3; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return dflt;
}

int Main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: inflight_bench MODEL DEVICES [--seq S] [--threads T] [--levels L,..] "
                 "[--requests N] [--plugin PATH] [--min-segment-nodes N]\n");
    return 2;
  }
  const std::string model = argv[1];
  SessionOptions options;
  options.devices = Split(argv[2]);
  options.threads = std::atoi(FlagValue(argc, argv, "--threads", "2").c_str());
  options.min_segment_nodes = std::atoi(FlagValue(argc, argv, "--min-segment-nodes", "0").c_str());
  const std::string plugin = FlagValue(argc, argv, "--plugin", "");
  if (!plugin.empty()) options.plugin_paths.push_back(plugin);
  const int64_t seq = std::atoll(FlagValue(argc, argv, "--seq", "128").c_str());
  const int requests = std::atoi(FlagValue(argc, argv, "--requests", "200").c_str());
  auto session = Session::Create(model, options);
  if (!session.ok()) {
    std::fprintf(stderr, "inflight_bench: %s\n", session.status().ToString().c_str());
    return 1;
  }
  const std::string builtin = model.rfind("builtin:", 0) == 0 ? model.substr(8) : model;
  auto inputs = BuiltinSampleInputs(builtin, 1, seq);
  if (!inputs.ok()) {
    std::fprintf(stderr, "inflight_bench: %s\n", inputs.status().ToString().c_str());
    return 1;
  }
  if (FlagValue(argc, argv, "--explain", "0") == "1") {
    std::printf("%s\n", (*session)->ExplainPlacement().c_str());
  }
  std::set<std::string> devices_used;
  for (const NodePlacement& p : (*session)->placement()) devices_used.insert(p.device);
  std::printf("%s seq %lld on %s (threads %d; nodes on:", model.c_str(),
              static_cast<long long>(seq), argv[2], options.threads);
  for (const std::string& d : devices_used) std::printf(" %s", d.c_str());
  std::printf("), %d requests per level\n", requests);
  std::printf("| in flight | requests/s | p50 ms |\n|--:|--:|--:|\n");
  Driver(**session, *inputs, 2, std::max(4, requests / 10)).Run();  // warm-up
  for (const std::string& level : Split(FlagValue(argc, argv, "--levels", "1,2,4,8,16"))) {
    const int k = std::atoi(level.c_str());
    if (k < 1) continue;
    LevelResult r = Driver(**session, *inputs, k, requests).Run();
    std::printf("| %d | %.1f | %.3f |%s\n", k, r.requests_per_s, r.p50_ms,
                r.failed ? " (failures)" : "");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace hetero

int main(int argc, char** argv) { return hetero::Main(argc, argv); }
