// PartitionedExecutor::Run from 8 threads, 200 requests each, mixed shapes, on a graph
// split round robin across two CPU plugin devices: every result identical to the
// sequential run of the same inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "compiler/builtin/builtin.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero {
namespace {

constexpr int kThreads = 8;
constexpr int kRequestsPerThread = 200;

bool Identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type() != b[i].type()) return false;
    if (std::memcmp(a[i].raw(), b[i].raw(), a[i].byte_size()) != 0) return false;
  }
  return true;
}

TEST(PartitionedConcurrencyTest, ConcurrentRunsMatchSequentialRuns) {
  auto model = LoadModel("builtin:gpt2-tiny");
  ASSERT_TRUE(model.ok());
  auto registry = plugins::LoadPluginRegistry({}, 2);
  auto first = registry->OpenDevice("cpu");
  ASSERT_TRUE(first.ok());
  auto second = (*first)->plugin().OpenDevice(0, "cpu-b");
  ASSERT_TRUE(second.ok());
  placement::PlacementOptions options;
  options.min_segment_nodes = 1;
  for (size_t i = 0; i < model->graph->nodes().size(); ++i) {
    options.pins.push_back({model->graph->nodes()[i]->name(), i % 2 ? "cpu-b" : "cpu"});
  }
  auto executor = PartitionedExecutor::Create(*model->graph, {*first, *second}, options);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();

  const std::vector<std::pair<int64_t, int64_t>> shapes = {{1, 3}, {2, 5}, {1, 8}, {3, 2}};
  std::vector<std::map<std::string, Tensor>> inputs;
  std::vector<std::vector<Tensor>> expected;
  for (auto [batch, seq] : shapes) {
    auto sample = BuiltinSampleInputs("gpt2-tiny", batch, seq);
    ASSERT_TRUE(sample.ok());
    auto outputs = (*executor)->Run(*sample);
    ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
    inputs.push_back(std::move(*sample));
    expected.push_back(std::move(*outputs));
  }
  std::vector<int> mismatches(kThreads, 0), failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRequestsPerThread; ++r) {
        size_t k = static_cast<size_t>(t + r) % shapes.size();
        auto outputs = (*executor)->Run(inputs[k]);
        if (!outputs.ok()) {
          ++failures[t];
        } else if (!Identical(*outputs, expected[k])) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

}  // namespace
}  // namespace hetero
