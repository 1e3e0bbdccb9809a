// Mandatory: bad arguments give an error status with a message, never a crash.
#include <vector>

#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

// A raw instance with device 0 open, and the entries the device offers.
class ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(instance_.ok()) << instance_.error();
    uint32_t count = 0;
    ASSERT_EQ(Take(api().device_count(instance_.plugin(), &count)).code, HETERO_OK);
    if (count > 0) {
      ASSERT_EQ(Take(api().device_open(instance_.plugin(), 0, &device_)).code, HETERO_OK);
      Take(api().buffer_allocate(device_, 64, &buffer_));
      Take(api().stream_create(device_, &stream_));
    }
  }
  void TearDown() override {
    if (stream_ != nullptr) api().stream_destroy(stream_);
    if (buffer_ != nullptr) api().buffer_free(buffer_);
    if (device_ != nullptr) api().device_close(device_);
  }
  const hetero_plugin_api& api() const { return instance_.api(); }

  RawInstance instance_;
  hetero_device* device_ = nullptr;
  hetero_buffer* buffer_ = nullptr;  // NULL when the plugin has no buffers
  hetero_stream* stream_ = nullptr;  // NULL when the plugin has no streams
};

TEST_F(ErrorsTest, NullHandlesAndOutPointers) {
  uint32_t count = 0;
  hetero_device_properties props{};
  props.struct_size = sizeof(props);
  hetero_device* device = nullptr;
  EXPECT_TRUE(IsCleanError(Take(api().device_count(nullptr, &count))));
  EXPECT_TRUE(IsCleanError(Take(api().device_count(instance_.plugin(), nullptr))));
  EXPECT_TRUE(IsCleanError(Take(api().device_properties(nullptr, 0, &props))));
  EXPECT_TRUE(IsCleanError(Take(api().device_properties(instance_.plugin(), 0, nullptr))));
  EXPECT_TRUE(IsCleanError(Take(api().device_open(nullptr, 0, &device))));
  EXPECT_TRUE(IsCleanError(Take(api().device_open(instance_.plugin(), 0, nullptr))));
  hetero_buffer* buffer = nullptr;
  hetero_stream* stream = nullptr;
  hetero_executable* exe = nullptr;
  EXPECT_TRUE(IsCleanError(Take(api().buffer_allocate(nullptr, 16, &buffer))));
  EXPECT_TRUE(IsCleanError(Take(api().stream_create(nullptr, &stream))));
  EXPECT_TRUE(IsCleanError(Take(api().compile(nullptr, nullptr, nullptr, &exe))));
  EXPECT_TRUE(IsCleanError(Take(api().stream_synchronize(nullptr))));
  uint8_t host[16] = {};
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_host_to_device(nullptr, host, nullptr, 0, 16, nullptr))));
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_device_to_host(nullptr, nullptr, 0, host, 16, nullptr))));
  EXPECT_TRUE(IsCleanError(
      Take(api().execute(nullptr, nullptr, 0, nullptr, nullptr, 0, nullptr, nullptr, nullptr))));
  // Destroy functions take NULL quietly.
  api().plugin_destroy(nullptr);
  api().device_close(nullptr);
  api().buffer_free(nullptr);
  api().stream_destroy(nullptr);
  api().executable_destroy(nullptr);
}

TEST_F(ErrorsTest, DeviceIndexOutOfRange) {
  uint32_t count = 0;
  ASSERT_EQ(Take(api().device_count(instance_.plugin(), &count)).code, HETERO_OK);
  hetero_device_properties props{};
  props.struct_size = sizeof(props);
  hetero_device* device = nullptr;
  EXPECT_TRUE(IsCleanError(Take(api().device_properties(instance_.plugin(), count, &props))));
  EXPECT_TRUE(IsCleanError(Take(api().device_open(instance_.plugin(), count, &device))));
  EXPECT_TRUE(IsCleanError(Take(api().device_open(instance_.plugin(), UINT32_MAX, &device))));
  EXPECT_EQ(device, nullptr);
}

TEST_F(ErrorsTest, DeviceEntriesWithNullArguments) {
  if (device_ == nullptr) GTEST_SKIP() << "the plugin lists no device on this machine";
  EXPECT_TRUE(IsCleanError(Take(api().buffer_allocate(device_, 16, nullptr))));
  EXPECT_TRUE(IsCleanError(Take(api().stream_create(device_, nullptr))));
  hetero_support_result result{};
  result.struct_size = sizeof(result);
  EXPECT_TRUE(IsCleanError(Take(api().query_support(device_, nullptr, &result))));
  hetero_executable* exe = nullptr;
  EXPECT_TRUE(IsCleanError(Take(api().compile(device_, nullptr, nullptr, &exe))));
  EXPECT_EQ(exe, nullptr);
}

TEST_F(ErrorsTest, MalformedGraphViews) {
  if (device_ == nullptr) GTEST_SKIP() << "the plugin lists no device on this machine";
  // Arrays said to hold elements but NULL; an output index past the values.
  hetero_graph_view bad{};
  bad.struct_size = sizeof(bad);
  bad.opset_version = 1;
  bad.num_nodes = 3;
  bad.num_values = 2;
  std::vector<int32_t> support(3, 7);
  hetero_support_result result{sizeof(hetero_support_result), support.data(), nullptr, nullptr};
  // A plugin may decline every node without reading them; it must never claim one.
  AbiResult queried = Take(api().query_support(device_, &bad, &result));
  if (queried.code == HETERO_OK) {
    for (int32_t s : support)
      EXPECT_EQ(s, HETERO_SUPPORT_NO) << "claims a node of a malformed view";
  } else {
    EXPECT_TRUE(IsCleanError(queried));
  }
  hetero_executable* exe = nullptr;
  EXPECT_TRUE(IsCleanError(Take(api().compile(device_, &bad, nullptr, &exe))));
  hetero_value_view values[1] = {};
  values[0].struct_size = sizeof(hetero_value_view);
  values[0].name = "x";
  values[0].type = {sizeof(hetero_tensor_desc), HETERO_DTYPE_F32, 1, {4}};
  const int32_t outputs[1] = {5};
  hetero_graph_view dangling{};
  dangling.struct_size = sizeof(dangling);
  dangling.opset_version = 1;
  dangling.num_values = 1;
  dangling.values = values;
  dangling.num_outputs = 1;
  dangling.outputs = outputs;
  EXPECT_TRUE(IsCleanError(Take(api().compile(device_, &dangling, nullptr, &exe))));
  EXPECT_EQ(exe, nullptr);
}

TEST_F(ErrorsTest, CopiesOutsideTheBuffer) {
  if (buffer_ == nullptr || stream_ == nullptr) {
    GTEST_SKIP() << "the plugin implements no buffers or streams";
  }
  uint8_t host[128] = {};
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_host_to_device(stream_, host, buffer_, 60, 16, nullptr))));
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_host_to_device(stream_, host, buffer_, 0, 65, nullptr))));
  EXPECT_TRUE(IsCleanError(
      Take(api().copy_host_to_device(stream_, host, buffer_, UINT64_MAX, 2, nullptr))));
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_device_to_host(stream_, buffer_, 64, host, 1, nullptr))));
  EXPECT_TRUE(IsCleanError(
      Take(api().copy_device_to_host(stream_, buffer_, 8, host, UINT64_MAX - 4, nullptr))));
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_host_to_device(stream_, nullptr, buffer_, 0, 16, nullptr))));
  EXPECT_TRUE(
      IsCleanError(Take(api().copy_device_to_host(stream_, buffer_, 0, nullptr, 16, nullptr))));
  // The stream still works afterwards.
  EXPECT_EQ(Take(api().copy_host_to_device(stream_, host, buffer_, 0, 64, nullptr)).code,
            HETERO_OK);
  EXPECT_EQ(Take(api().stream_synchronize(stream_)).code, HETERO_OK);
}

TEST_F(ErrorsTest, ImpossibleAllocationIsRefused) {
  if (buffer_ == nullptr) GTEST_SKIP() << "the plugin implements no buffers";
  hetero_buffer* huge = nullptr;
  AbiResult r = Take(api().buffer_allocate(device_, uint64_t{1} << 62, &huge));
  EXPECT_TRUE(IsCleanError(r));
  EXPECT_EQ(huge, nullptr);
}

TEST_F(ErrorsTest, OptionalEntriesWithNullArguments) {
  if (api().event_create != nullptr) {
    hetero_event* event = nullptr;
    int32_t done = 0;
    EXPECT_TRUE(IsCleanError(Take(api().event_create(nullptr, &event))));
    EXPECT_TRUE(IsCleanError(Take(api().event_wait(nullptr, 0))));
    EXPECT_TRUE(IsCleanError(Take(api().event_query(nullptr, &done))));
    EXPECT_TRUE(IsCleanError(Take(api().event_on_ready(
        nullptr, [](void*, hetero_status*) {}, nullptr))));
    api().event_destroy(nullptr);
    if (device_ != nullptr) {
      EXPECT_TRUE(IsCleanError(Take(api().event_create(device_, nullptr))));
    }
  }
  if (api().buffer_host_pointer != nullptr) {
    void* p = nullptr;
    EXPECT_TRUE(IsCleanError(Take(api().buffer_host_pointer(nullptr, &p))));
    if (buffer_ != nullptr) {
      EXPECT_TRUE(IsCleanError(Take(api().buffer_host_pointer(buffer_, nullptr))));
    }
  }
  if (api().copy_device_to_device != nullptr) {
    EXPECT_TRUE(IsCleanError(
        Take(api().copy_device_to_device(nullptr, nullptr, 0, nullptr, 0, 8, nullptr))));
    if (stream_ != nullptr && buffer_ != nullptr) {
      EXPECT_TRUE(IsCleanError(
          Take(api().copy_device_to_device(stream_, buffer_, 0, buffer_, 60, 8, nullptr))));
    }
  }
  if (api().executable_deserialize != nullptr && device_ != nullptr) {
    hetero_executable* exe = nullptr;
    const char garbage[] = "definitely not an executable";
    EXPECT_TRUE(IsCleanError(Take(api().executable_deserialize(device_, nullptr, 10, &exe))));
    EXPECT_TRUE(
        IsCleanError(Take(api().executable_deserialize(device_, garbage, sizeof(garbage), &exe))));
    EXPECT_EQ(exe, nullptr);
  }
  if (api().executable_serialize != nullptr) {
    EXPECT_TRUE(IsCleanError(Take(api().executable_serialize(
        nullptr, [](void*, const void*, uint64_t) {}, nullptr))));
  }
  if (api().set_profiling != nullptr) {
    EXPECT_TRUE(IsCleanError(Take(api().set_profiling(nullptr, 1))));
  }
}

}  // namespace
}  // namespace hetero::conformance
