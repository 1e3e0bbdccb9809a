// Flow scheduler features on small pinned graphs: independent segments overlap,
// cancellation, tensors that stay on a device between runs, bad requests; and the
// public Session API over the scheduler (async runs, profiling events).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>

#include "compiler/builtin/builtin.h"
#include "hetero/session.h"
#include "tests/scheduler/split_support.h"

namespace hetero::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Two independent branches, each its own segment on its own device.
constexpr char kBranches[] = R"(graph @branches {
  input %x : f32[4,8]
  %y1 = Add(%x, %x) : f32[4,8] @left
  %y2 = Gelu(%x) : f32[4,8] @right
  output %y1
  output %y2
})";

// A chain over two devices.
constexpr char kChain[] = R"(graph @chain {
  input %x : f32[4,8]
  %a = Add(%x, %x) : f32[4,8] @first
  %b = Relu(%a) : f32[4,8] @second
  output %b
})";

// One step of an accumulator: y = x + x.
constexpr char kDouble[] = R"(graph @double {
  input %x : f32[2,3]
  %y = Add(%x, %x) : f32[2,3] @twice
  output %y
})";

class DelayGuard {
 public:
  explicit DelayGuard(int ms) { setenv("HETERO_PARTIAL_DELAY_MS", std::to_string(ms).c_str(), 1); }
  ~DelayGuard() { unsetenv("HETERO_PARTIAL_DELAY_MS"); }
};

NamedTensors Ones(const std::string& name, std::vector<int64_t> dims) {
  auto t = Tensor::Allocate(DType::kF32, dims);
  for (int64_t i = 0; i < t->num_elements(); ++i) t->SetDouble(i, 1.0 + 0.5 * i);
  return {{name, *t}};
}

TEST(SchedulerFeaturesTest, IndependentSegmentsOverlap) {
  auto registry = TestRegistry(2);
  auto compiled = CompilePinned(*registry, kBranches, {"partial:0", "partial:1"},
                                {"left=partial:0", "right=partial:1"});
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  ASSERT_EQ((*compiled)->executor->num_segments(), 2u);
  constexpr int kDelayMs = 300;
  DelayGuard delay(kDelayMs);
  const auto start = Clock::now();
  auto result = (*compiled)->scheduler->Run(Ones("x", {4, 8}));
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Run one after the other they take 2 x 300 ms; side by side about 300 ms.
  EXPECT_LT(ms, 1.8 * kDelayMs) << "the two independent segments did not overlap";
  EXPECT_GE(ms, kDelayMs);
}

TEST(SchedulerFeaturesTest, CancelSkipsSegmentsNotStarted) {
  auto registry = TestRegistry(2);
  auto compiled =
      CompilePinned(*registry, kChain, {"partial:0", "cpu"}, {"first=partial:0", "second=cpu"});
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  DelayGuard delay(200);
  RunOptions options;
  options.cancel = std::make_shared<CancelToken>();
  std::promise<StatusOr<RunResult>> promise;
  (*compiled)->scheduler->Submit(Ones("x", {4, 8}), options,
                                 [&](StatusOr<RunResult> r) { promise.set_value(std::move(r)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  options.cancel->Cancel();
  auto result = promise.get_future().get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled) << result.status().ToString();

  // A token cancelled before submission: nothing runs.
  RunOptions cancelled;
  cancelled.cancel = std::make_shared<CancelToken>();
  cancelled.cancel->Cancel();
  auto none = (*compiled)->scheduler->Run(Ones("x", {4, 8}), cancelled);
  EXPECT_EQ(none.status().code(), StatusCode::kCancelled);
  // The scheduler goes on with other requests.
  EXPECT_TRUE((*compiled)->scheduler->Run(Ones("x", {4, 8})).ok());
}

TEST(SchedulerFeaturesTest, OutputsStayOnTheDeviceBetweenRuns) {
  auto registry = TestRegistry(2);
  for (const char* device : {"partial:0", "cpu"}) {
    auto compiled = CompilePinned(*registry, kDouble, {device}, {});
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    RunOptions keep;
    keep.keep_on_device = {"y"};
    auto first = (*compiled)->scheduler->Run(Ones("x", {2, 3}), keep);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    ASSERT_EQ(first->device_outputs.count("y"), 1u);
    EXPECT_EQ(first->outputs.count("y"), 0u);
    DeviceTensor state = first->device_outputs.at("y");
    EXPECT_EQ(state.device(), device);
    // Fed back three times without leaving the device: x * 2^4 at the end.
    for (int step = 0; step < 3; ++step) {
      RunOptions again;
      again.device_inputs = {{"x", state}};
      again.keep_on_device = {"y"};
      auto next = (*compiled)->scheduler->Run({}, again);
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      state = next->device_outputs.at("y");
    }
    auto host = state.ToHost();
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    const NamedTensors x = Ones("x", {2, 3});
    for (int64_t i = 0; i < 6; ++i) {
      EXPECT_EQ(host->GetDouble(i), 16 * x.at("x").GetDouble(i)) << device << " element " << i;
    }
  }
}

TEST(SchedulerFeaturesTest, BadRequestsFailAlone) {
  auto registry = TestRegistry(2);
  auto compiled = CompilePinned(*registry, kDouble, {"cpu"}, {});
  ASSERT_TRUE(compiled.ok());
  auto& scheduler = *(*compiled)->scheduler;
  EXPECT_EQ(scheduler.Run({}).status().code(), StatusCode::kInvalidArgument);  // missing x
  EXPECT_EQ(scheduler.Run(Ones("x", {3, 3})).status().code(), StatusCode::kInvalidArgument);
  RunOptions keep_unknown;
  keep_unknown.keep_on_device = {"nope"};
  EXPECT_EQ(scheduler.Run(Ones("x", {2, 3}), keep_unknown).status().code(),
            StatusCode::kInvalidArgument);
  RunOptions twice;
  twice.device_inputs = {{"x", DeviceTensor()}};
  EXPECT_EQ(scheduler.Run(Ones("x", {2, 3}), twice).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(scheduler.Run(Ones("x", {2, 3})).ok());
}

TEST(SessionSchedulerTest, AsyncRunsAndProfileEvents) {
  SessionOptions options;
  options.devices = {"cpu"};
  options.threads = 2;
  options.profiling = true;
  auto session = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 1, 5);
  ASSERT_TRUE(inputs.ok());
  auto sync = (*session)->Run(*inputs);
  ASSERT_TRUE(sync.ok()) << sync.status().ToString();
  std::vector<std::future<StatusOr<NamedTensors>>> futures;
  for (int i = 0; i < 16; ++i) futures.push_back((*session)->RunAsync(*inputs));
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->size(), sync->size());
  }
  const auto events = (*session)->TakeProfile();
  size_t launches = 0, device_ops = 0, linked = 0;
  std::set<uint64_t> launch_ids;
  for (const auto& e : events) {
    EXPECT_LE(e.start_ns, e.end_ns) << e.name;
    if (e.kind == profiler::EventKind::kScheduler && e.lane == "scheduler") {
      ++launches;
      launch_ids.insert(e.correlation_id);
    }
  }
  for (const auto& e : events) {
    if (e.kind != profiler::EventKind::kDeviceOp) continue;
    ++device_ops;
    if (launch_ids.count(e.correlation_id)) ++linked;
  }
  EXPECT_EQ(launches, 17u);  // one segment, 17 runs
  EXPECT_GT(device_ops, 17u);
  EXPECT_EQ(linked, device_ops) << "every device op should carry its launch's correlation id";
  ASSERT_FALSE((*session)->placement().empty());
  EXPECT_EQ((*session)->placement()[0].device, "cpu");
  ASSERT_EQ((*session)->devices().size(), 1u);
  EXPECT_GT((*session)->devices()[0].peak_flops.at("f32"), 0);
  EXPECT_GT((*session)->timings().compile_ms, 0);
}

}  // namespace
}  // namespace hetero::testing
