// Cores side by side on npu-sim: independent commands are list-scheduled onto free
// cores. Three equal MatMuls on a 3-core chip finish in the time of one; on one core of
// the same size they take three times as long. Hand-computed, through the plugin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "devices/npu_sim/npu_plugin.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/device_executor.h"

namespace hetero::npu_sim {
namespace {

// npu-small's text with some keys replaced.
std::string SmallPreset(const std::map<std::string, std::string>& values) {
  std::ifstream in(std::string(HETERO_NPU_SIM_PRESET_DIR) + "/npu-small.preset");
  std::stringstream out;
  std::string line;
  while (std::getline(in, line)) {
    const std::string key = line.substr(0, line.find(' '));
    auto it = values.find(key);
    if (it != values.end()) line = key + " = " + it->second + "  # assumption: test chip";
    out << line << "\n";
  }
  return out.str();
}

struct Command {
  double start = 0, end = 0;
  double cores = 0, first_core = 0;
};

class NpuSimCores : public ::testing::Test {
 protected:
  void SetUp() override {
    // "tri": three cores, each the size of npu-small's one (f32 1 TFLOP/s and 100 GB/s
    // a core); "uni": one such core. Both with a 500-cycle DMA setup (500 ns at 1 GHz),
    // so a part is at least 500 ns x 100 GB/s = 50,000 B.
    dir_ = ::testing::TempDir() + "npu_sim_cores_presets";
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/tri.preset") << SmallPreset({{"name", "tri"},
                                                        {"cores", "3"},
                                                        {"peak_tflops_f32", "3"},
                                                        {"peak_tflops_bf16", "6"},
                                                        {"peak_tflops_fp16", "6"},
                                                        {"peak_tflops_fp8", "12"},
                                                        {"vector_gelems", "300"},
                                                        {"dram_gbps", "300"},
                                                        {"dma_setup_cycles", "500"}});
    std::ofstream(dir_ + "/uni.preset")
        << SmallPreset({{"name", "uni"}, {"dma_setup_cycles", "500"}});
    ASSERT_EQ(setenv("HETERO_NPU_SIM_PRESET_DIR", dir_.c_str(), 1), 0);
    host_ = std::make_shared<plugins::HostServices>(2);
    host_->SetProfileSink([this](const plugins::ProfileRecord& r) {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(r);
    });
    auto lib = plugins::PluginLibrary::FromEntry("npu-sim", &hetero_npu_sim_plugin_get_api);
    ASSERT_TRUE(lib.ok());
    auto plugin = plugins::Plugin::Create(*lib, host_);
    unsetenv("HETERO_NPU_SIM_PRESET_DIR");
    ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
    plugin_ = *plugin;
  }

  // The MatMul commands of one run of `g` on device `index` (tri 0, uni 1), offsets
  // from the first one's start.
  std::vector<Command> MatMuls(const ir::Graph& g, uint32_t index) {
    auto device = plugin_->OpenDevice(index);
    EXPECT_TRUE(device.ok()) << device.status().ToString();
    if (!device.ok()) return {};
    EXPECT_TRUE((*device)->SetProfiling(true).ok());
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_.clear();
    }
    auto exec = DeviceExecutor::Create(g, *device, "");
    EXPECT_TRUE(exec.ok()) << exec.status().ToString();
    if (!exec.ok()) return {};
    std::vector<float> ones(64 * 64, 1.0f);
    auto out = (*exec)->Run({{"x", Tensor::FromFloat({64, 64}, ones)}});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    host_->WaitForTasks();
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Command> commands;
    for (const auto& r : records_) {
      if (r.op != "MatMul") continue;
      Command c{static_cast<double>(r.start_ns), static_cast<double>(r.end_ns)};
      for (const auto& [name, value] : r.counters) {
        if (name == "cores") c.cores = value;
        if (name == "first_core") c.first_core = value;
      }
      commands.push_back(c);
    }
    double first = commands.empty() ? 0 : commands[0].start;
    for (const Command& c : commands) first = std::min(first, c.start);
    for (Command& c : commands) {
      c.start -= first;
      c.end -= first;
    }
    return commands;
  }

  std::string dir_;
  std::shared_ptr<plugins::HostServices> host_;
  std::shared_ptr<plugins::Plugin> plugin_;
  std::mutex mu_;
  std::vector<plugins::ProfileRecord> records_;
};

// x [64, 64] times three constant [64, 64] weights: independent MatMuls (Q, K and V).
std::unique_ptr<ir::Graph> ThreeProjections() {
  auto g = std::make_unique<ir::Graph>("qkv");
  auto* x = g->AddInput("x", TensorType{DType::kF32, Shape({64, 64})}).value();
  for (const char* name : {"wq", "wk", "wv"}) {
    std::vector<float> w(64 * 64, 0.01f);
    auto* c = g->AddConstant(name, Tensor::FromFloat({64, 64}, w)).value();
    g->AddOutput(g->AddNode("MatMul", {x, c}).value()->output(0));
  }
  return g;
}

TEST_F(NpuSimCores, ThreeIndependentMatMulsRunSideBySide) {
  // One MatMul, f32: 2 x 64^3 = 524,288 FLOP at a core's 1 TFLOP/s = 524.288 ns; three
  // 64x64 f32 tensors = 49,152 B at a core's 100 GB/s = 491.52 ns + 500 ns setup (under
  // 50,000 B: one part, one core, one tile); + 100 ns command overhead = 1615.808 ns.
  const double one = 491.52 + 500 + 524.288 + 100;
  auto g = ThreeProjections();
  const std::vector<Command> tri = MatMuls(*g, 0);
  ASSERT_EQ(tri.size(), 3u);
  std::set<double> cores_used;
  for (const Command& c : tri) {
    EXPECT_NEAR(c.start, 0, 1.5);
    EXPECT_NEAR(c.end, one, 1.5);
    EXPECT_EQ(c.cores, 1);
    cores_used.insert(c.first_core);
  }
  EXPECT_EQ(cores_used.size(), 3u) << "each MatMul on a core of its own";
  // The same on one core of the same size: one after another, three times as long.
  std::vector<Command> uni = MatMuls(*g, 1);
  ASSERT_EQ(uni.size(), 3u);
  std::sort(uni.begin(), uni.end(),
            [](const Command& a, const Command& b) { return a.start < b.start; });
  for (size_t i = 0; i < uni.size(); ++i) {
    EXPECT_NEAR(uni[i].start, static_cast<double>(i) * one, 1.5);
    EXPECT_NEAR(uni[i].end, static_cast<double>(i + 1) * one, 1.5);
  }
}

TEST_F(NpuSimCores, DependentMatMulsWaitForTheirInput) {
  // x -> MatMul -> MatMul: the second starts when the first ends, even with cores free.
  ir::Graph g("chain");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({64, 64})}).value();
  std::vector<float> w(64 * 64, 0.01f);
  auto* c = g.AddConstant("w", Tensor::FromFloat({64, 64}, w)).value();
  auto* y = g.AddNode("MatMul", {x, c}).value()->output(0);
  g.AddOutput(g.AddNode("MatMul", {y, c}).value()->output(0));
  const std::vector<Command> tri = MatMuls(g, 0);
  ASSERT_EQ(tri.size(), 2u);
  const double one = 491.52 + 500 + 524.288 + 100;
  EXPECT_NEAR(std::max(tri[0].start, tri[1].start), one, 1.5);
  EXPECT_NEAR(std::max(tri[0].end, tri[1].end), 2 * one, 1.5);
}

}  // namespace
}  // namespace hetero::npu_sim
