// Many requests at once through the flow scheduler: 8 threads x 200 requests with mixed
// shapes give results identical to sequential runs, on splits that move values through
// the host (cpu + partial) and device to device (cpu + cpu-b); requests with a bad token
// fail on the device, alone, naming the node and the device.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "compiler/builtin/builtin.h"
#include "tests/scheduler/split_support.h"

namespace hetero::testing {
namespace {

constexpr int kThreads = 8;
constexpr int kRequestsPerThread = 200;
constexpr int kBadEvery = 10;  // every 10th request carries an out-of-range token

bool Identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type() != b[i].type()) return false;
    if (std::memcmp(a[i].raw(), b[i].raw(), a[i].byte_size()) != 0) return false;
  }
  return true;
}

void RunMany(const std::vector<std::string>& devices) {
  auto registry = TestRegistry(2);
  auto compiled = CompileSplit(*registry, "builtin:gpt2-tiny", devices, SplitPolicy::kRoundRobin);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  scheduler::FlowScheduler& scheduler = *(*compiled)->scheduler;
  const ir::Graph& graph = *(*compiled)->model.graph;
  ASSERT_GE((*compiled)->executor->num_segments(), 3u);

  const std::vector<std::pair<int64_t, int64_t>> shapes = {{1, 3}, {2, 5}, {1, 8}, {3, 2}};
  std::vector<NamedTensors> inputs;
  std::vector<std::vector<Tensor>> expected;
  for (auto [batch, seq] : shapes) {
    auto sample = BuiltinSampleInputs("gpt2-tiny", batch, seq);
    ASSERT_TRUE(sample.ok());
    auto result = scheduler.Run(*sample);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    inputs.push_back(*sample);
    expected.push_back(Ordered(graph, *result));
  }
  NamedTensors bad = inputs[0];
  auto ids = bad.at("input_ids").Clone();
  ASSERT_TRUE(ids.ok());
  ids->SetInt64(1, 1 << 20);  // the vocabulary has 1000 tokens
  bad["input_ids"] = *ids;

  std::atomic<int> mismatches{0}, unexpected_failures{0}, bad_failed{0}, bad_message_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRequestsPerThread; ++r) {
        if (r % kBadEvery == kBadEvery - 1) {
          auto result = scheduler.Run(bad);
          if (!result.ok()) {
            ++bad_failed;
            const std::string m = result.status().message();
            if (m.find("Gather") != std::string::npos && m.find("segment") != std::string::npos)
              ++bad_message_ok;
          }
          continue;
        }
        size_t k = static_cast<size_t>(t + r) % shapes.size();
        auto result = scheduler.Run(inputs[k]);
        if (!result.ok()) {
          ++unexpected_failures;
        } else if (!Identical(Ordered(graph, *result), expected[k])) {
          ++mismatches;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const int bad_total = kThreads * (kRequestsPerThread / kBadEvery);
  EXPECT_EQ(unexpected_failures.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(bad_failed.load(), bad_total);
  EXPECT_EQ(bad_message_ok.load(), bad_total) << "the error should name the segment and node";
  auto bad_once = scheduler.Run(bad);
  ASSERT_FALSE(bad_once.ok());
  std::printf("injected failure reads: %s\n", bad_once.status().ToString().c_str());
}

TEST(SchedulerConcurrencyTest, ThroughTheHost) { RunMany({"cpu", "partial:0"}); }

TEST(SchedulerConcurrencyTest, DeviceToDevice) { RunMany({"cpu", "cpu-b"}); }

// The same through asynchronous submission: everything queued at once, beyond the
// in-flight limit, completes with the right results.
TEST(SchedulerConcurrencyTest, AsyncBeyondTheInFlightLimit) {
  auto registry = TestRegistry(2);
  scheduler::SchedulerOptions options;
  options.max_in_flight = 3;
  auto compiled = CompileSplit(*registry, "builtin:bert-tiny", {"cpu", "partial:0"},
                               SplitPolicy::kRoundRobin, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  auto sample = BuiltinSampleInputs("bert-tiny", 2, 6);
  ASSERT_TRUE(sample.ok());
  auto first = (*compiled)->scheduler->Run(*sample);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::vector<Tensor> expected = Ordered(*(*compiled)->model.graph, *first);
  constexpr int kRequests = 100;
  std::atomic<int> good{0}, done{0};
  for (int i = 0; i < kRequests; ++i) {
    (*compiled)->scheduler->Submit(*sample, {}, [&](StatusOr<RunResult> result) {
      if (result.ok() && Identical(Ordered(*(*compiled)->model.graph, *result), expected)) ++good;
      ++done;
    });
  }
  (*compiled)->scheduler.reset();  // waits for every request
  EXPECT_EQ(done.load(), kRequests);
  EXPECT_EQ(good.load(), kRequests);
}

}  // namespace
}  // namespace hetero::testing
