// Optional (set_profiling): per-op records are well-formed, inside the run in the host
// clock, in order along a chain, tagged with the execute's correlation id; none when off.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"
#include "tests/conformance/device_runner.h"

namespace hetero::conformance {
namespace {

class OptionalProfiling : public ::testing::Test {
 protected:
  void SetUp() override {
    const Target& t = GetTarget();
    if (t.library->api().set_profiling == nullptr) {
      GTEST_SKIP() << "optional: the plugin has no set_profiling entry";
    }
    host_ = std::make_shared<plugins::HostServices>();
    host_->SetProfileSink([this](const plugins::ProfileRecord& r) {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(r);
    });
    auto plugin = plugins::Plugin::Create(t.library, host_);
    ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
    plugin_ = *plugin;
    auto count = plugin_->DeviceCount();
    ASSERT_TRUE(count.ok());
    if (*count == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
    auto device = plugin_->OpenDevice(0);
    ASSERT_TRUE(device.ok());
    device_ = *device;
    // A chain: each node needs the one before, so their records cannot overlap.
    auto* x = graph_.AddInput("x", TensorType{DType::kF32, Shape({4, 8})}).value();
    auto* v = graph_.AddNode("Neg", {x}, {}, 1, "first").value()->output(0);
    v = graph_.AddNode("Relu", {v}, {}, 1, "second").value()->output(0);
    v = graph_.AddNode("Add", {v, x}, {}, 1, "third").value()->output(0);
    graph_.AddOutput(graph_.AddNode("Mul", {v, v}, {}, 1, "fourth").value()->output(0));
    auto view = plugins::GraphView::FromGraph(graph_);
    ASSERT_TRUE(view.ok());
    view_ = std::move(*view);
    auto support = device_->QuerySupport(*view_);
    ASSERT_TRUE(support.ok());
    if (support->num_supported() != graph_.num_nodes()) {
      GTEST_SKIP() << "the device does not claim Neg, Relu, Add and Mul on f32";
    }
  }

  // Runs the chain once with correlation id `id`; returns the records it produced.
  std::vector<plugins::ProfileRecord> RunOnce(uint64_t id, uint64_t* start, uint64_t* end) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_.clear();
    }
    auto stream = device_->CreateStream();
    EXPECT_TRUE(stream.ok());
    // Host memory of the input copy must outlive the stream's work.
    const std::map<std::string, Tensor> inputs = {
        {"x", Tensor::FromFloat({4, 8}, std::vector<float>(32, 1.5f))}};
    auto run = PrepareRun(*device_, *stream, *view_, inputs, {{4, 8}});
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    if (!run.ok()) return {};
    EXPECT_TRUE(stream->Synchronize().ok());
    *start = plugins::HostServices::NowNs();
    EXPECT_TRUE(QueueRun(*stream, *run, {{}, nullptr, id}).ok());
    EXPECT_TRUE(stream->Synchronize().ok());
    *end = plugins::HostServices::NowNs();
    host_->WaitForTasks();
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }

  std::shared_ptr<plugins::HostServices> host_;
  std::shared_ptr<plugins::Plugin> plugin_;
  std::shared_ptr<plugins::Device> device_;
  ir::Graph graph_{"profiled"};
  std::unique_ptr<plugins::GraphView> view_;
  std::mutex mu_;
  std::vector<plugins::ProfileRecord> records_;
};

TEST_F(OptionalProfiling, RecordsAreWellFormedAndOrdered) {
  Status on = device_->SetProfiling(true);
  ASSERT_TRUE(on.ok()) << on.ToString();
  uint64_t start = 0, end = 0;
  auto records = RunOnce(4242, &start, &end);
  std::vector<plugins::ProfileRecord> ops;
  for (const auto& r : records) {
    if (r.correlation_id == 4242 && !r.op.empty()) ops.push_back(r);
  }
  ASSERT_FALSE(ops.empty()) << "no record of the execute's nodes";
  std::sort(ops.begin(), ops.end(),
            [](const auto& a, const auto& b) { return a.start_ns < b.start_ns; });
  // One record per node, or one for consecutive nodes run as one (op "Neg+Relu", named
  // after the last of them).
  const std::vector<std::string> names = {"first", "second", "third", "fourth"};
  const std::vector<std::string> op_types = {"Neg", "Relu", "Add", "Mul"};
  size_t node = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i) + " (" + ops[i].op + ")");
    std::string covered;
    size_t last = node;
    for (; last < op_types.size(); ++last) {
      covered += (covered.empty() ? "" : "+") + op_types[last];
      if (covered.size() >= ops[i].op.size()) break;
    }
    ASSERT_LT(last, op_types.size()) << "more records than nodes";
    EXPECT_EQ(ops[i].op, covered);
    EXPECT_EQ(ops[i].name, names[last]);
    node = last + 1;
    EXPECT_LE(ops[i].start_ns, ops[i].end_ns);
    if (!ops[i].simulated) {
      EXPECT_GE(ops[i].start_ns, start) << "before the execute was queued (host clock)";
      EXPECT_LE(ops[i].end_ns, end) << "after stream_synchronize returned (host clock)";
    }
    if (i > 0) {
      EXPECT_GE(ops[i].start_ns, ops[i - 1].end_ns) << "overlaps the node it depends on";
    }
  }
  EXPECT_EQ(node, op_types.size()) << "every node of the execute has a record";
  for (const auto& r : records) {
    EXPECT_LE(r.start_ns, r.end_ns) << r.name;
    EXPECT_FALSE(r.name.empty());
  }
}

TEST_F(OptionalProfiling, NothingWhenOff) {
  ASSERT_TRUE(device_->SetProfiling(true).ok());
  ASSERT_TRUE(device_->SetProfiling(false).ok());
  uint64_t start = 0, end = 0;
  EXPECT_TRUE(RunOnce(7, &start, &end).empty());
}

}  // namespace
}  // namespace hetero::conformance
