// Optional (HETERO_CAP_EVENTS): events order work across streams, call back exactly
// once, time out, carry errors, and cancel pending callbacks when destroyed.
#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"
#include "tests/conformance/device_runner.h"

namespace hetero::conformance {
namespace {

class OptionalEvents : public PluginTest {
 protected:
  void SetUp() override {
    PluginTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    HETERO_REQUIRE_CAP(HETERO_CAP_EVENTS);
  }
  plugins::Stream NewStream() {
    auto s = device_->CreateStream();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : plugins::Stream();
  }
  plugins::Event NewEvent() {
    auto e = device_->CreateEvent();
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(*e) : plugins::Event();
  }
};

TEST_F(OptionalEvents, OrderTwoStreams) {
  const size_t n = size_t{8} << 20;
  auto buffer = device_->Allocate(n);
  ASSERT_TRUE(buffer.ok());
  std::vector<uint8_t> zeros(n, 0), pattern(n), back(n, 1);
  for (size_t i = 0; i < n; ++i) pattern[i] = static_cast<uint8_t>(i * 31 + 7);
  plugins::Stream a = NewStream(), b = NewStream();
  plugins::Event written = NewEvent();
  // Stream a is kept busy, so b would read early without the event.
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(a.CopyToDevice(zeros.data(), *buffer, 0, n).ok());
  ASSERT_TRUE(a.CopyToDevice(pattern.data(), *buffer, 0, n, {{}, &written, 0}).ok());
  ASSERT_TRUE(b.CopyToHost(*buffer, 0, back.data(), n, {{&written}, nullptr, 0}).ok());
  ASSERT_TRUE(b.Synchronize().ok());
  EXPECT_TRUE(back == pattern) << "stream b ran before the event it waits on";
  ASSERT_TRUE(a.Synchronize().ok());
}

TEST_F(OptionalEvents, OnReadyRunsExactlyOnce) {
  auto buffer = device_->Allocate(16);
  ASSERT_TRUE(buffer.ok());
  uint8_t data[16] = {1, 2, 3};
  plugins::Stream s = NewStream();
  plugins::Event done = NewEvent();
  std::atomic<int> calls{0}, late_calls{0};
  std::atomic<bool> ok{false};
  ASSERT_TRUE(done.OnReady([&](Status st) {
                    ok = st.ok();
                    ++calls;
                  })
                  .ok());
  ASSERT_TRUE(s.CopyToDevice(data, *buffer, 0, 16, {{}, &done, 0}).ok());
  ASSERT_TRUE(done.Wait().ok());
  ASSERT_TRUE(s.Synchronize().ok());
  auto is_done = done.IsDone();
  ASSERT_TRUE(is_done.ok());
  EXPECT_TRUE(*is_done);
  // Registered after the signal: runs at once, also exactly once.
  ASSERT_TRUE(done.OnReady([&](Status) { ++late_calls; }).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(late_calls.load(), 1);
  EXPECT_TRUE(ok.load());
}

TEST_F(OptionalEvents, WaitTimesOut) {
  plugins::Event never = NewEvent();
  const auto start = std::chrono::steady_clock::now();
  Status s = never.Wait(2'000'000);  // 2 ms
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_LT(took, std::chrono::seconds(5));
  auto is_done = never.IsDone();
  ASSERT_TRUE(is_done.ok());
  EXPECT_FALSE(*is_done);
}

TEST_F(OptionalEvents, DestroyCancelsPendingCallback) {
  std::atomic<int> calls{0};
  std::atomic<bool> cancelled{false};
  {
    plugins::Event never = NewEvent();
    ASSERT_TRUE(never
                    .OnReady([&](Status s) {
                      cancelled = s.code() == StatusCode::kCancelled;
                      ++calls;
                    })
                    .ok());
  }  // destroyed here: the callback runs before destroy returns
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(cancelled.load());
}

TEST_F(OptionalEvents, ThousandsInFlight) {
  constexpr int kStreams = 4, kPerStream = 400;
  auto buffer = device_->Allocate(kStreams * kPerStream);
  ASSERT_TRUE(buffer.ok());
  std::vector<plugins::Stream> streams;
  std::vector<plugins::Event> events;
  events.reserve(kStreams * kPerStream);  // queued work refers to every event: keep them all
  for (int i = 0; i < kStreams; ++i) streams.push_back(NewStream());
  std::vector<uint8_t> values(kStreams * kPerStream), back(kStreams * kPerStream);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint8_t>(i % 251);
  for (int k = 0; k < kPerStream; ++k) {
    for (int s = 0; s < kStreams; ++s) {
      // Each copy waits on the previous one of the next stream: a braid across streams.
      plugins::SyncArgs sync;
      if (!events.empty()) sync.waits.push_back(&events.back());
      events.push_back(NewEvent());
      sync.signal = &events.back();
      const size_t at = static_cast<size_t>(k * kStreams + s);
      ASSERT_TRUE(streams[s].CopyToDevice(&values[at], *buffer, at, 1, sync).ok());
    }
  }
  ASSERT_TRUE(events.back().Wait().ok());
  ASSERT_TRUE(streams[0].CopyToHost(*buffer, 0, back.data(), back.size()).ok());
  for (auto& s : streams) ASSERT_TRUE(s.Synchronize().ok());
  EXPECT_EQ(back, values);
}

// Work that fails at run time (an index out of range) fails its event and its stream.
TEST_F(OptionalEvents, ErrorsReachTheEventAndStaySticky) {
  ir::Graph g("gather");
  auto* data = g.AddConstant("data", Tensor::FromFloat({4}, {1, 2, 3, 4})).value();
  auto* ids = g.AddInput("ids", TensorType{DType::kI64, Shape({2})}).value();
  g.AddOutput(g.AddNode("Gather", {data, ids}).value()->output(0));
  auto view = plugins::GraphView::FromGraph(g);
  ASSERT_TRUE(view.ok());
  auto support = device_->QuerySupport(**view);
  ASSERT_TRUE(support.ok());
  if (!support->supported[0])
    GTEST_SKIP() << "needs Gather f32 with i64 indices: " << support->reason[0];
  plugins::Stream s = NewStream();
  plugins::Event done = NewEvent();
  // Host memory of the input copy must outlive the stream's work.
  const std::map<std::string, Tensor> inputs = {{"ids", Tensor::FromInt64({2}, {1, 40})}};
  auto run = PrepareRun(*device_, s, **view, inputs, {{2}});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  Status queued = QueueRun(s, *run, {{}, &done, 0});
  if (!queued.ok()) {
    EXPECT_FALSE(queued.message().empty());  // refused at once: also a clean answer
    return;
  }
  Status waited = done.Wait();
  EXPECT_FALSE(waited.ok()) << "the event of failed work reports success";
  Status first = s.Synchronize();
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("40"), std::string::npos) << first.message();
  EXPECT_FALSE(s.Synchronize().ok()) << "the stream error is not sticky";
}

}  // namespace
}  // namespace hetero::conformance
