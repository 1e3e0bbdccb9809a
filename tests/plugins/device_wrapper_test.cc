// The RAII wrappers (Device, Buffer, Stream, Event, Executable) over the null plugin,
// whose entries answer "unimplemented", and hostmem, a small working plugin.
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <string>
#include <vector>

#include "runtime/plugins/device.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"

namespace hetero::plugins {
namespace {

std::unique_ptr<PluginRegistry> MakeRegistry(std::shared_ptr<HostServices> host = nullptr) {
  RegistryOptions options;
  options.load_builtins = false;
  options.use_plugin_path_env = false;
  options.use_default_dir = false;
  options.num_threads = 1;
  options.host = std::move(host);
  options.plugin_paths = {NULL_PLUGIN_PATH,
                          std::string(TEST_MODULE_DIR) + "/libhetero_plugin_hostmem.so"};
  auto registry = PluginRegistry::Create(options);
  EXPECT_TRUE(registry->broken().empty());
  return registry;
}

std::shared_ptr<Device> Open(const PluginRegistry& registry, const std::string& name) {
  auto device = registry.OpenDevice(name);
  EXPECT_TRUE(device.ok()) << device.status().ToString();
  return device.ok() ? *device : nullptr;
}

// Relu(a) + b.
struct SmallGraph {
  ir::Graph graph{"small"};
  SmallGraph() {
    ir::Value* a = *graph.AddInput("a", TensorType{DType::kF32, Shape({4})});
    ir::Value* b = *graph.AddInput("b", TensorType{DType::kF32, Shape({4})});
    ir::Node* relu = *graph.AddNode("Relu", {a}, {}, 1, "relu");
    ir::Node* add = *graph.AddNode("Add", {relu->output(0), b}, {}, 1, "add");
    graph.AddOutput(add->output(0));
  }
};

void ExpectUnimplemented(const Status& status, const std::string& part) {
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented) << status.ToString();
  EXPECT_NE(status.message().find(part), std::string::npos) << status.message();
}

TEST(DeviceWrapperTest, NullDeviceAnswersUnimplementedEverywhere) {
  auto registry = MakeRegistry();
  auto device = Open(*registry, "null:0");
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(device->properties().name, "null device");
  EXPECT_EQ(device->properties().vendor, "hetero");
  EXPECT_EQ(device->properties().kind, HETERO_DEVICE_ACCELERATOR);

  SmallGraph small;
  auto view = GraphView::FromGraph(small.graph);
  ASSERT_TRUE(view.ok());
  auto support = device->QuerySupport(**view);
  ASSERT_TRUE(support.ok()) << support.status().ToString();
  ASSERT_EQ(support->supported.size(), 2u);
  EXPECT_EQ(support->num_supported(), 0u);
  EXPECT_EQ(support->reason[1], "the null device runs nothing");

  ExpectUnimplemented(device->Compile(**view).status(), "compile is not implemented");
  ExpectUnimplemented(device->Allocate(16).status(), "buffer_allocate is not implemented");
  ExpectUnimplemented(device->CreateStream().status(), "stream_create is not implemented");
  // NULL optional entries are caught by the host, naming the plugin.
  ExpectUnimplemented(device->CreateEvent().status(), "unimplemented by plugin 'null'");
  ExpectUnimplemented(device->SetProfiling(true), "set_profiling: unimplemented by plugin 'null'");
  ExpectUnimplemented(device->Deserialize("x", 1).status(), "executable_deserialize");
}

TEST(DeviceWrapperTest, PropertiesAreConverted) {
  auto registry = MakeRegistry();
  auto entry = registry->FindDevice("hostmem:0");
  ASSERT_TRUE(entry.ok());
  const DeviceProperties& p = (*entry)->properties;
  EXPECT_EQ(DeviceKindName(p.kind), "accelerator");
  EXPECT_EQ(p.memory_bytes, 1u << 20);
  EXPECT_EQ(p.MaxAllocation(), 1u << 20);  // max_allocation_bytes 0 means memory_bytes
  EXPECT_EQ(p.PeakFlops(DType::kF32), 1e9);
  EXPECT_EQ(p.PeakFlops(DType::kBF16), 2e9);
  EXPECT_EQ(p.PeakFlops(DType::kI8), 0.0);
  EXPECT_TRUE(p.Has(HETERO_CAP_EVENTS));
  EXPECT_FALSE(p.Has(HETERO_CAP_ASYNC));
  EXPECT_EQ(CapabilityNames(p.capabilities),
            (std::vector<std::string>{"events", "device_copy", "host_memory"}));
  EXPECT_EQ(DeviceKindName(77), "unknown(77)");
}

TEST(DeviceWrapperTest, SupportQueryCarriesReasons) {
  auto registry = MakeRegistry();
  auto device = Open(*registry, "hostmem:0");
  SmallGraph small;
  auto view = GraphView::FromGraph(small.graph);
  auto support = device->QuerySupport(**view);
  ASSERT_TRUE(support.ok());
  EXPECT_EQ(support->supported, (std::vector<bool>{false, true}));
  EXPECT_EQ(support->reason[0], "hostmem only claims Add");
  EXPECT_EQ(support->reason[1], "");
}

TEST(DeviceWrapperTest, CopiesRoundTripAtEveryOffset) {
  auto registry = MakeRegistry();
  auto device = Open(*registry, "hostmem:1");
  auto stream = device->CreateStream();
  ASSERT_TRUE(stream.ok());
  for (uint64_t size : {0u, 1u, 3u, 1001u}) {
    auto buffer = device->Allocate(size);
    ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
    EXPECT_EQ(buffer->size(), size);
    for (uint64_t offset = 0; offset <= size; offset += (size > 10 ? 97 : 1)) {
      std::vector<uint8_t> in(size - offset), out(size - offset, 0);
      std::iota(in.begin(), in.end(), static_cast<uint8_t>(offset + 1));
      ASSERT_TRUE(stream->CopyToDevice(in.data(), *buffer, offset, in.size()).ok());
      ASSERT_TRUE(stream->CopyToHost(*buffer, offset, out.data(), out.size()).ok());
      ASSERT_TRUE(stream->Synchronize().ok());
      ASSERT_EQ(in, out) << "size " << size << " offset " << offset;
    }
    // One byte past the end is refused before the plugin sees it.
    uint8_t byte = 0;
    Status past = stream->CopyToDevice(&byte, *buffer, size, 1);
    EXPECT_EQ(past.code(), StatusCode::kOutOfRange);
    EXPECT_EQ(stream->CopyToHost(*buffer, UINT64_MAX, &byte, 2).code(), StatusCode::kOutOfRange);
  }
  auto too_big = device->Allocate(uint64_t{1} << 21);
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(too_big.status().message().find("device hostmem:1: buffer_allocate"),
            std::string::npos);
}

TEST(DeviceWrapperTest, DeviceToDeviceAndHostPointer) {
  auto registry = MakeRegistry();
  auto device = Open(*registry, "hostmem:0");
  auto stream = *device->CreateStream();
  auto a = *device->Allocate(8);
  auto b = *device->Allocate(8);
  const char text[] = "abcdefgh";
  ASSERT_TRUE(stream.CopyToDevice(text, a, 0, 8).ok());
  ASSERT_TRUE(stream.CopyDeviceToDevice(a, 2, b, 4, 4).ok());
  auto pointer = b.HostPointer();
  ASSERT_TRUE(pointer.ok());
  EXPECT_EQ(std::string(static_cast<const char*>(*pointer) + 4, 4), "cdef");
  EXPECT_EQ(stream.CopyDeviceToDevice(a, 6, b, 0, 4).code(), StatusCode::kOutOfRange);
}

TEST(DeviceWrapperTest, EventsSignalWaitAndCallBack) {
  auto registry = MakeRegistry();
  auto device = Open(*registry, "hostmem:0");
  auto stream = *device->CreateStream();
  auto buffer = *device->Allocate(4);
  auto event = device->CreateEvent();
  ASSERT_TRUE(event.ok());
  std::atomic<int> calls{0};
  ASSERT_TRUE(event->OnReady([&](Status s) { calls += s.ok() ? 1 : 100; }).ok());
  EXPECT_FALSE(*event->IsDone());
  EXPECT_EQ(event->Wait(0).code(), StatusCode::kUnavailable);
  // Work that waits on an unsignalled event fails in the plugin; the error names where.
  const uint32_t value = 42;
  Status blocked = stream.CopyToDevice(&value, buffer, 0, 4, SyncArgs{{&*event}, nullptr, 0});
  EXPECT_EQ(blocked.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked.message().find("device hostmem:0: copy_host_to_device"), std::string::npos);
  ASSERT_TRUE(stream.CopyToDevice(&value, buffer, 0, 4, SyncArgs{{}, &*event, 1}).ok());
  EXPECT_TRUE(*event->IsDone());
  EXPECT_TRUE(event->Wait().ok());
  EXPECT_EQ(calls.load(), 1);
  // Already signalled: called at once, exactly once.
  ASSERT_TRUE(event->OnReady([&](Status s) { calls += s.ok() ? 1 : 100; }).ok());
  EXPECT_EQ(calls.load(), 2);

  // A pending callback of an event destroyed unsignalled is cancelled, not lost.
  auto doomed = *device->CreateEvent();
  Status seen;
  ASSERT_TRUE(doomed.OnReady([&](Status s) { seen = s; }).ok());
  doomed.Reset();
  EXPECT_EQ(seen.code(), StatusCode::kCancelled);
}

TEST(DeviceWrapperTest, ProfilingRecordsOnlyWhenOn) {
  auto host = std::make_shared<HostServices>(1);
  auto registry = MakeRegistry(host);
  auto device = Open(*registry, "hostmem:1");
  auto stream = *device->CreateStream();
  auto buffer = *device->Allocate(4);
  std::vector<ProfileRecord> records;
  host->SetProfileSink([&](const ProfileRecord& r) { records.push_back(r); });
  const uint32_t value = 7;
  ASSERT_TRUE(stream.CopyToDevice(&value, buffer, 0, 4, SyncArgs{{}, nullptr, 41}).ok());
  EXPECT_TRUE(records.empty());  // the device's profiling is off
  ASSERT_TRUE(device->SetProfiling(true).ok());
  const uint64_t before = HostServices::NowNs();
  ASSERT_TRUE(stream.CopyToDevice(&value, buffer, 0, 4, SyncArgs{{}, nullptr, 42}).ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].plugin, "hostmem");
  EXPECT_EQ(records[0].name, "copy h2d");
  EXPECT_EQ(records[0].correlation_id, 42u);
  EXPECT_EQ(records[0].device_index, 1u);
  EXPECT_GE(records[0].start_ns, before);
  EXPECT_GE(records[0].end_ns, records[0].start_ns);
  ASSERT_TRUE(device->SetProfiling(false).ok());
  ASSERT_TRUE(stream.CopyToDevice(&value, buffer, 0, 4).ok());
  EXPECT_EQ(records.size(), 1u);
}

TEST(DeviceWrapperTest, HandlesKeepTheirDeviceAliveAndMove) {
  Buffer buffer;
  Stream stream;
  {
    auto registry = MakeRegistry();
    auto device = Open(*registry, "hostmem:0");
    buffer = *device->Allocate(16);
    stream = *device->CreateStream();
  }  // registry and device handle gone; the plugin instance lives on in the handles
  const char data[16] = "still here";
  ASSERT_TRUE(stream.CopyToDevice(data, buffer, 0, 16).ok());
  Buffer moved = std::move(buffer);
  EXPECT_FALSE(buffer.valid());
  EXPECT_TRUE(moved.valid());
  EXPECT_EQ(moved.size(), 16u);
  char out[16] = {};
  ASSERT_TRUE(stream.CopyToHost(moved, 0, out, 16).ok());
  EXPECT_STREQ(out, "still here");
  EXPECT_EQ(stream.CopyToHost(buffer, 0, out, 1).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hetero::plugins
