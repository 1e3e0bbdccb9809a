// Device memory statistics (plugin ABI 1.1): the CPU plugin counts its buffers and its
// executables' intermediates, opencl also its uploaded constants, npu-sim its runs'
// temporaries; bad arguments are refused; an ABI 1.0 plugin loads in this
// host, runs a model and reports memory as unavailable; Session exposes all of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "compiler/builtin/builtin.h"
#include "compiler/ir/graph.h"
#include "hetero/session.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/plugins/plugin_registry.h"

namespace hetero::plugins {
namespace {

const std::string kPartial = std::string(TEST_MODULE_DIR) + "/libhetero_plugin_partial.so";
const std::string kPartialAbi10 =
    std::string(TEST_MODULE_DIR) + "/libhetero_plugin_partial_abi10.so";

std::unique_ptr<PluginRegistry> Registry(std::vector<std::string> paths) {
  RegistryOptions options;
  options.use_plugin_path_env = false;
  options.use_default_dir = false;
  options.num_threads = 1;
  options.plugin_paths = std::move(paths);
  return PluginRegistry::Create(options);
}

bool Covers(const std::vector<std::string>& covers, const std::string& what) {
  return std::find(covers.begin(), covers.end(), what) != covers.end();
}

TEST(MemoryStatsTest, CpuBufferMovesInUseAndPeakByItsSize) {
  auto registry = Registry({});
  auto device = registry->OpenDevice("cpu");
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  auto before = (*device)->ReadMemoryStats();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const std::vector<std::string> covers = MemoryCoverageNames(before->coverage);
  EXPECT_TRUE(Covers(covers, "buffers"));
  EXPECT_TRUE(Covers(covers, "intermediates"));
  EXPECT_FALSE(Covers(covers, "simulated"));

  constexpr uint64_t kSize = 3 * 1048576 + 5;  // odd: the size asked, not the padded one
  {
    auto buffer = (*device)->Allocate(kSize);
    ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
    auto during = (*device)->ReadMemoryStats();
    ASSERT_TRUE(during.ok());
    EXPECT_EQ(during->bytes_in_use, before->bytes_in_use + kSize);
    EXPECT_EQ(during->peak_bytes_in_use, std::max(before->peak_bytes_in_use, during->bytes_in_use));
    EXPECT_EQ(during->allocations, before->allocations + 1);
  }
  auto freed = (*device)->ReadMemoryStats(/*reset_peak=*/true);
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(freed->bytes_in_use, before->bytes_in_use);
  EXPECT_GE(freed->peak_bytes_in_use, before->bytes_in_use + kSize);  // read before the reset
  auto restarted = (*device)->ReadMemoryStats();
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->peak_bytes_in_use, before->bytes_in_use);  // restarted at the bytes in use
}

// npu-sim (the inner CPU buffers standing in for its DRAM, labelled simulated) and
// opencl (cl_mem buffers) count a buffer at the size asked for.
TEST(MemoryStatsTest, NpuSimAndOpenClCountTheirBuffers) {
  for (const auto& [module, device_name, simulated] :
       {std::make_tuple("npu_sim", "npu-sim:0", true),
        std::make_tuple("opencl", "opencl:0", false)}) {
    SCOPED_TRACE(module);
    const std::string path = std::string(PLUGIN_DIR) + "/libhetero_plugin_" + module + ".so";
    if (!std::filesystem::exists(path)) {
      std::printf("[  SKIPPED ] %s: %s was not built in this tree\n", module, path.c_str());
      continue;
    }
    auto registry = Registry({path});
    auto device = registry->OpenDevice(device_name);
    if (!device.ok()) {  // opencl without a platform: listed broken, with its reason
      std::printf("[  SKIPPED ] %s: %s\n", module, device.status().ToString().c_str());
      continue;
    }
    auto before = (*device)->ReadMemoryStats();
    ASSERT_TRUE(before.ok()) << before.status().ToString();
    EXPECT_EQ(Covers(MemoryCoverageNames(before->coverage), "simulated"), simulated);
    constexpr uint64_t kSize = 65536 + 3;
    {
      auto buffer = (*device)->Allocate(kSize);
      ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
      auto during = (*device)->ReadMemoryStats();
      ASSERT_TRUE(during.ok());
      EXPECT_EQ(during->bytes_in_use, before->bytes_in_use + kSize);
      EXPECT_GE(during->peak_bytes_in_use, during->bytes_in_use);
    }
    auto after = (*device)->ReadMemoryStats();
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->bytes_in_use, before->bytes_in_use);
    EXPECT_GE(after->peak_bytes_in_use, before->bytes_in_use + kSize);
  }
}

// y = ((x + w) * w) + w over f32[kElements], w a constant: one constant and two
// intermediates of kElements * 4 bytes each.
constexpr int64_t kElements = 16384;
constexpr uint64_t kTensorBytes = kElements * sizeof(float);

struct ConstantChain {
  ir::Graph graph{"constant_chain"};
  ConstantChain() {
    ir::Value* x = *graph.AddInput("x", TensorType{DType::kF32, Shape({kElements})});
    ir::Value* w = *graph.AddConstant(
        "w", Tensor::FromFloat({kElements}, std::vector<float>(kElements, 0.5f)));
    ir::Value* t1 = (*graph.AddNode("Add", {x, w}, {}, 1, "add_1"))->output(0);
    ir::Value* t2 = (*graph.AddNode("Mul", {t1, w}, {}, 1, "mul_2"))->output(0);
    graph.AddOutput((*graph.AddNode("Add", {t2, w}, {}, 1, "add_3"))->output(0));
  }
};

// The device named, from its module in PLUGIN_DIR; null (with the reason printed) where
// the module was not built or the device cannot open here.
std::shared_ptr<Device> OpenModuleDevice(const std::string& module, const std::string& name,
                                         std::unique_ptr<PluginRegistry>& registry) {
  const std::string path = std::string(PLUGIN_DIR) + "/libhetero_plugin_" + module + ".so";
  if (!std::filesystem::exists(path)) {
    std::printf("[  SKIPPED ] %s: %s was not built in this tree\n", module.c_str(), path.c_str());
    return nullptr;
  }
  registry = Registry({path});
  auto device = registry->OpenDevice(name);
  if (!device.ok()) {  // opencl without a platform: listed broken, with its reason
    std::printf("[  SKIPPED ] %s: %s\n", module.c_str(), device.status().ToString().c_str());
    return nullptr;
  }
  return *device;
}

// opencl counts the constants it uploads at compile until the executable is destroyed,
// and says so in its coverage.
TEST(MemoryStatsTest, OpenClCountsItsUploadedConstants) {
  std::unique_ptr<PluginRegistry> registry;
  auto device = OpenModuleDevice("opencl", "opencl:0", registry);
  if (device == nullptr) return;
  ConstantChain chain;
  auto view = GraphView::FromGraph(chain.graph);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  auto before = device->ReadMemoryStats();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(Covers(MemoryCoverageNames(before->coverage), "constants"));
  {
    auto exe = device->Compile(**view);
    ASSERT_TRUE(exe.ok()) << exe.status().ToString();
    auto compiled = device->ReadMemoryStats();
    ASSERT_TRUE(compiled.ok());
    EXPECT_EQ(compiled->bytes_in_use, before->bytes_in_use + kTensorBytes);  // w, once
    EXPECT_EQ(compiled->allocations, before->allocations + 1);
  }
  auto destroyed = device->ReadMemoryStats();
  ASSERT_TRUE(destroyed.ok());
  EXPECT_EQ(destroyed->bytes_in_use, before->bytes_in_use);
  EXPECT_GE(destroyed->peak_bytes_in_use, before->bytes_in_use + kTensorBytes);
}

// npu-sim counts a run's temporaries on the counter of its buffers: the peak of a run
// holds at least two f32[kElements] values beyond the buffers, and all are released.
TEST(MemoryStatsTest, NpuSimCountsItsRunTemporaries) {
  std::unique_ptr<PluginRegistry> registry;
  auto device = OpenModuleDevice("npu_sim", "npu-sim:0", registry);
  if (device == nullptr) return;
  ConstantChain chain;
  auto view = GraphView::FromGraph(chain.graph);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  auto exe = device->Compile(**view);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto in = device->Allocate(kTensorBytes);
  auto out = device->Allocate(kTensorBytes);
  auto stream = device->CreateStream();
  auto desc = MakeTensorDesc(DType::kF32, {kElements});
  ASSERT_TRUE(in.ok() && out.ok() && stream.ok() && desc.ok());
  const std::vector<float> x(kElements, 1.0f);
  ASSERT_TRUE(stream->CopyToDevice(x.data(), *in, 0, kTensorBytes).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  auto before = device->ReadMemoryStats(/*reset_peak=*/true);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const std::vector<std::string> covers = MemoryCoverageNames(before->coverage);
  EXPECT_TRUE(Covers(covers, "intermediates"));
  EXPECT_TRUE(Covers(covers, "simulated"));
  EXPECT_FALSE(Covers(covers, "constants"));
  Buffer* ins[1] = {&*in};
  Buffer* outs[1] = {&*out};
  ASSERT_TRUE(stream->Execute(*exe, ins, {&*desc, 1}, outs, {&*desc, 1}).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  auto after = device->ReadMemoryStats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->bytes_in_use, before->bytes_in_use);  // every temporary released
  EXPECT_GE(after->peak_bytes_in_use, before->bytes_in_use + 2 * kTensorBytes);
  EXPECT_GT(after->allocations, before->allocations);
  std::vector<float> y(kElements);
  ASSERT_TRUE(stream->CopyToHost(*out, 0, y.data(), kTensorBytes).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  EXPECT_FLOAT_EQ(y[0], 1.25f);  // ((1 + 0.5) * 0.5) + 0.5
}

TEST(MemoryStatsTest, BadArgumentsAreRefused) {
  auto registry = Registry({NULL_PLUGIN_PATH});
  for (const char* name : {"cpu", "null:0"}) {
    SCOPED_TRACE(name);
    auto device = registry->OpenDevice(name);
    ASSERT_TRUE(device.ok()) << device.status().ToString();
    const hetero_plugin_api& api = (*device)->api();
    ASSERT_NE(api.device_memory_stats, nullptr);
    hetero_memory_stats small{};
    small.struct_size = 8;  // ends before the counts
    hetero_status* s = api.device_memory_stats((*device)->raw(), 0, &small);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->code, HETERO_INVALID_ARGUMENT);
    EXPECT_NE(std::string(s->message).find("device_memory_stats"), std::string::npos);
    s->destroy(s);
    s = api.device_memory_stats((*device)->raw(), 0, nullptr);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->code, HETERO_INVALID_ARGUMENT);
    s->destroy(s);
    s = api.device_memory_stats(nullptr, 0, &small);
    ASSERT_NE(s, nullptr);
    s->destroy(s);
  }
  // The null device allocates nothing: zero in use, and it says what it counts.
  auto null_device = registry->OpenDevice("null:0");
  ASSERT_TRUE(null_device.ok());
  auto stats = (*null_device)->ReadMemoryStats(true);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->bytes_in_use, 0u);
  EXPECT_EQ(stats->peak_bytes_in_use, 0u);
  EXPECT_EQ(stats->coverage, static_cast<uint64_t>(HETERO_MEMORY_BUFFERS));
}

TEST(MemoryStatsTest, AbiOneZeroPluginNegotiatesMinorZero) {
  auto old = PluginLibrary::Open(kPartialAbi10);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ((*old)->name(), "partial-abi10");
  EXPECT_EQ((*old)->plugin_abi_minor(), 0u);
  EXPECT_EQ((*old)->negotiated_minor(), 0u);
  EXPECT_EQ((*old)->plugin_table_size(), offsetof(hetero_plugin_api, device_memory_stats));
  // Its table holds the CPU plugin's entry past struct_size; the host never sees it.
  EXPECT_EQ((*old)->api().device_memory_stats, nullptr);
  EXPECT_FALSE(HETERO_HAS_FIELD(&(*old)->api(), hetero_plugin_api, device_memory_stats));

  auto twin = PluginLibrary::Open(kPartial);  // the same code, built for 1.1
  ASSERT_TRUE(twin.ok()) << twin.status().ToString();
  EXPECT_EQ((*twin)->negotiated_minor(), 1u);
  EXPECT_NE((*twin)->api().device_memory_stats, nullptr);

  auto registry = Registry({kPartialAbi10});
  ASSERT_TRUE(registry->broken().empty());
  auto device = registry->OpenDevice("partial-abi10:0");
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  auto buffer = (*device)->Allocate(256);
  ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
  auto stats = (*device)->ReadMemoryStats();
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(stats.status().message().find("device_memory_stats"), std::string::npos);
}

// One run's first output (the logits of gpt2-tiny).
Tensor Logits(const Session& session, const NamedTensors& inputs) {
  auto outputs = session.Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status().ToString();
  return outputs.ok() ? outputs->at(session.output_names()[0]) : Tensor();
}

TEST(MemoryStatsTest, SessionRunsOnAnAbiOneZeroPluginAndReportsEachDevice) {
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 1, 8);
  ASSERT_TRUE(inputs.ok());
  SessionOptions options;
  options.threads = 1;
  options.plugin_paths = {kPartialAbi10};
  options.devices = {"partial-abi10:0", "cpu"};
  options.pins = {"Add=partial-abi10:0"};  // the cost model alone may leave it idle
  options.min_segment_nodes = 1;
  auto mixed = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  const auto placement = (*mixed)->placement();
  EXPECT_TRUE(std::any_of(placement.begin(), placement.end(),
                          [](const NodePlacement& p) { return p.device == "partial-abi10:0"; }));
  SessionOptions cpu_only;
  cpu_only.threads = 1;
  auto reference = Session::Create("builtin:gpt2-tiny", cpu_only);
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  const Tensor got = Logits(**mixed, *inputs);
  const Tensor want = Logits(**reference, *inputs);
  ASSERT_EQ(got.type(), want.type());
  for (int64_t e = 0; e < got.num_elements(); ++e) {
    ASSERT_NEAR(got.GetDouble(e), want.GetDouble(e),
                1e-4 * std::max(1.0, std::fabs(want.GetDouble(e))));
  }

  const std::vector<DeviceMemoryStats> stats = (*mixed)->MemoryStats();
  ASSERT_EQ(stats.size(), 2u);
  for (const DeviceMemoryStats& d : stats) {
    SCOPED_TRACE(d.device);
    if (d.device == "partial-abi10:0") {
      EXPECT_FALSE(d.available);
      EXPECT_NE(d.unavailable_reason.find("device_memory_stats"), std::string::npos);
    } else {
      EXPECT_EQ(d.device, "cpu");
      EXPECT_TRUE(d.available);
      EXPECT_TRUE(Covers(d.covers, "intermediates"));
    }
  }
}

// A request's own device buffers (uploaded inputs, outputs) are released on the
// scheduler's thread just after Run returns: read the statistics once they stop moving.
std::vector<DeviceMemoryStats> SettledStats(const Session& session, bool reset_peak) {
  uint64_t last = session.MemoryStats()[0].bytes_in_use;
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const uint64_t now = session.MemoryStats()[0].bytes_in_use;
    if (now == last) break;
    last = now;
  }
  return session.MemoryStats(reset_peak);
}

TEST(MemoryStatsTest, SessionPeakCountsIntermediatesAndResets) {
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 1, 8);
  ASSERT_TRUE(inputs.ok());
  SessionOptions options;
  options.threads = 1;
  auto session = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  (*session)->MemoryStats(/*reset_peak=*/true);
  Logits(**session, *inputs);
  const std::vector<DeviceMemoryStats> after_run = SettledStats(**session, /*reset_peak=*/true);
  ASSERT_EQ(after_run.size(), 1u);
  ASSERT_TRUE(after_run[0].available);
  // The run's intermediates were counted, then released: the peak is above what stays.
  EXPECT_GT(after_run[0].peak_bytes_in_use, after_run[0].bytes_in_use);
  const std::vector<DeviceMemoryStats> idle = (*session)->MemoryStats();
  EXPECT_EQ(idle[0].peak_bytes_in_use, idle[0].bytes_in_use);  // nothing ran since the reset
}

// The cpu executable keeps its intermediates in a pool between runs: memory in the pool is
// in use, a second run of the same shapes takes nothing new, and a run on reused (stale)
// buffers computes what a fresh session does, across a change of shapes too.
TEST(MemoryStatsTest, SessionKeepsIntermediatesBetweenRunsAndStaleBytesDoNotLeak) {
  SessionOptions options;
  options.threads = 1;
  auto session = Session::Create("builtin:gpt2-tiny", options);
  auto fresh = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(session.ok() && fresh.ok());
  auto first = BuiltinSampleInputs("gpt2-tiny", 1, 8);
  auto shorter = BuiltinSampleInputs("gpt2-tiny", 1, 4);
  ASSERT_TRUE(first.ok() && shorter.ok());
  NamedTensors second;  // the same shapes, other tokens
  for (const auto& [name, tensor] : *first) {
    auto copy = tensor.Clone();
    ASSERT_TRUE(copy.ok());
    for (int64_t e = 0; e < copy->num_elements(); ++e) {
      if (copy->dtype() == DType::kI64) copy->SetInt64(e, (copy->GetInt64(e) * 7 + 3) % 50);
    }
    second[name] = *copy;
  }
  const std::vector<DeviceMemoryStats> idle = SettledStats(**session, /*reset_peak=*/true);
  Logits(**session, *first);
  const std::vector<DeviceMemoryStats> after_one = SettledStats(**session, /*reset_peak=*/true);
  ASSERT_TRUE(after_one[0].available);
  EXPECT_GT(after_one[0].bytes_in_use, idle[0].bytes_in_use);  // the pool holds them
  Logits(**session, *first);
  const std::vector<DeviceMemoryStats> after_two = SettledStats(**session, /*reset_peak=*/true);
  EXPECT_EQ(after_two[0].bytes_in_use, after_one[0].bytes_in_use);
  EXPECT_LT(after_two[0].allocations - after_one[0].allocations,
            after_one[0].allocations - idle[0].allocations);

  for (const NamedTensors* inputs : {&*shorter, &second}) {
    const Tensor got = Logits(**session, *inputs);
    const Tensor want = Logits(**fresh, *inputs);
    ASSERT_EQ(got.type(), want.type());
    ASSERT_EQ(got.byte_size(), want.byte_size());
    EXPECT_EQ(std::memcmp(got.raw(), want.raw(), got.byte_size()), 0);
  }
}

}  // namespace
}  // namespace hetero::plugins
