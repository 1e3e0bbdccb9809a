// Tests of HostServices through the C callbacks a plugin receives.
#include "runtime/plugins/host_services.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace hetero::plugins {
namespace {

TEST(HostServicesTest, ApiIsCompleteAndSized) {
  HostServices host(2);
  auto binding = host.Bind("test");
  const hetero_host_api* api = binding->api();
  EXPECT_EQ(api->struct_size, sizeof(hetero_host_api));
  EXPECT_NE(api->log, nullptr);
  EXPECT_NE(api->now_ns, nullptr);
  EXPECT_NE(api->parallel_for, nullptr);
  EXPECT_NE(api->enqueue_task, nullptr);
  EXPECT_NE(api->profile_record, nullptr);
  EXPECT_EQ(host.num_threads(), 2);
}

TEST(HostServicesTest, DefaultThreadsIsHardwareConcurrency) {
  HostServices host;
  EXPECT_EQ(host.num_threads(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST(HostServicesTest, ClockIsMonotonic) {
  HostServices host(1);
  auto binding = host.Bind("test");
  const hetero_host_api* api = binding->api();
  uint64_t previous = api->now_ns(api->host_context);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t now = api->now_ns(api->host_context);
    ASSERT_GE(now, previous);
    previous = now;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_GE(api->now_ns(api->host_context) - previous, 1'000'000u);
}

// Each index of [0, count) is visited exactly once, in chunks no larger than asked.
TEST(HostServicesTest, ParallelForCoversEveryIndexOnce) {
  HostServices host(4);
  auto binding = host.Bind("test");
  const hetero_host_api* api = binding->api();
  for (uint64_t count : {0u, 1u, 7u, 1000u, 100003u}) {
    std::vector<std::atomic<int>> hits(count);
    struct Arg {
      std::vector<std::atomic<int>>* hits;
    } arg{&hits};
    api->parallel_for(
        api->host_context, count, 16,
        [](void* a, uint64_t begin, uint64_t end) {
          auto* hits = static_cast<Arg*>(a)->hits;
          for (uint64_t i = begin; i < end; ++i) (*hits)[i].fetch_add(1);
        },
        &arg);
    for (uint64_t i = 0; i < count; ++i)
      ASSERT_EQ(hits[i].load(), 1) << "count " << count << " i " << i;
  }
}

TEST(HostServicesTest, ParallelForSurvivesAThrowingBody) {
  HostServices host(2);
  auto binding = host.Bind("test");
  const hetero_host_api* api = binding->api();
  // A C++ plugin breaking the no-throw rule must not take the host down.
  api->parallel_for(
      api->host_context, 100, 1, [](void*, uint64_t, uint64_t) { throw 1; }, nullptr);
  SUCCEED();
}

TEST(HostServicesTest, EnqueuedTasksRunAndAreAwaited) {
  std::atomic<int> ran{0};
  {
    HostServices host(2);
    auto binding = host.Bind("test");
    const hetero_host_api* api = binding->api();
    for (int i = 0; i < 100; ++i) {
      api->enqueue_task(
          api->host_context, [](void* r) { static_cast<std::atomic<int>*>(r)->fetch_add(1); },
          &ran);
    }
    host.WaitForTasks();
    EXPECT_EQ(ran.load(), 100);
    api->enqueue_task(
        api->host_context, [](void* r) { static_cast<std::atomic<int>*>(r)->fetch_add(1); }, &ran);
  }  // the destructor waits for the last task
  EXPECT_EQ(ran.load(), 101);
}

TEST(HostServicesTest, ProfileRecordsReachTheSinkOnlyWhenInstalled) {
  HostServices host(1);
  auto binding = host.Bind("npu");
  const hetero_host_api* api = binding->api();
  hetero_profile_counter counters[] = {{"flops", 128.0}, {"bytes", 64.0}};
  hetero_profile_record record{};
  record.struct_size = sizeof(record);
  record.correlation_id = 7;
  record.name = "attn/MatMul";
  record.op = "MatMul";
  record.device_index = 1;
  record.stream_id = 3;
  record.start_ns = 100;
  record.end_ns = 250;
  record.num_counters = 2;
  record.counters = counters;
  record.simulated = 1;

  std::mutex mutex;
  std::vector<ProfileRecord> received;
  EXPECT_FALSE(host.profiling_enabled());
  api->profile_record(api->host_context, &record);  // no sink: dropped
  host.SetProfileSink([&](const ProfileRecord& r) {
    std::lock_guard<std::mutex> lock(mutex);
    received.push_back(r);
  });
  EXPECT_TRUE(host.profiling_enabled());
  api->profile_record(api->host_context, &record);
  record.struct_size = offsetof(hetero_profile_record, simulated);  // an older plugin
  api->profile_record(api->host_context, &record);
  host.SetProfileSink(nullptr);
  api->profile_record(api->host_context, &record);

  ASSERT_EQ(received.size(), 2u);
  const ProfileRecord& r = received[0];
  EXPECT_EQ(r.plugin, "npu");
  EXPECT_EQ(r.correlation_id, 7u);
  EXPECT_EQ(r.name, "attn/MatMul");
  EXPECT_EQ(r.op, "MatMul");
  EXPECT_EQ(r.device_index, 1u);
  EXPECT_EQ(r.stream_id, 3u);
  EXPECT_EQ(r.end_ns - r.start_ns, 150u);
  ASSERT_EQ(r.counters.size(), 2u);
  EXPECT_EQ(r.counters[1].first, "bytes");
  EXPECT_EQ(r.counters[1].second, 64.0);
  EXPECT_TRUE(r.simulated);
  EXPECT_FALSE(received[1].simulated);  // beyond its struct_size: read as zero
}

TEST(HostServicesTest, ThrowingSinkAndNullArgumentsAreContained) {
  HostServices host(1);
  auto binding = host.Bind("x");
  const hetero_host_api* api = binding->api();
  host.SetProfileSink([](const ProfileRecord&) { throw std::runtime_error("sink"); });
  hetero_profile_record record{};
  record.struct_size = sizeof(record);
  api->profile_record(api->host_context, &record);
  api->profile_record(api->host_context, nullptr);
  api->log(api->host_context, HETERO_LOG_DEBUG, nullptr);
  api->log(api->host_context, 99, "unknown level logs as an error");
  api->enqueue_task(api->host_context, nullptr, nullptr);
  api->parallel_for(api->host_context, 10, 0, nullptr, nullptr);
  SUCCEED();
}

}  // namespace
}  // namespace hetero::plugins
