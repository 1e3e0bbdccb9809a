// Fusion along the engine pipeline on npu-sim: a residual Add after a MatMul runs as the
// matrix engine's epilogue; the intermediate stays in SRAM and the Add issues no command
// of its own. Checked against the same program compiled with fuse=0, by hand.
#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <random>

#include "devices/npu_sim/npu_plugin.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/device_executor.h"

namespace hetero::npu_sim {
namespace {

Tensor Random(std::vector<int64_t> dims, float scale, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, scale);
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return Tensor::FromFloat(std::move(dims), v);
}

TEST(NpuSimFusion, ResidualAddIsTheMatMulsEpilogue) {
  auto host = std::make_shared<plugins::HostServices>(2);
  std::mutex mu;
  std::vector<plugins::ProfileRecord> records;
  host->SetProfileSink([&](const plugins::ProfileRecord& r) {
    std::lock_guard<std::mutex> lock(mu);
    records.push_back(r);
  });
  auto lib = plugins::PluginLibrary::FromEntry("npu-sim", &hetero_npu_sim_plugin_get_api);
  ASSERT_TRUE(lib.ok());
  auto plugin = plugins::Plugin::Create(*lib, host);
  ASSERT_TRUE(plugin.ok());
  auto rngd = (*plugin)->OpenDevice(2);
  ASSERT_TRUE(rngd.ok());
  ASSERT_EQ((*rngd)->properties().name, "npu-sim:rngd");
  ASSERT_TRUE((*rngd)->SetProfiling(true).ok());
  std::mt19937 rng(4);
  ir::Graph g("residual");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({256, 512})}).value();
  auto* r = g.AddInput("r", TensorType{DType::kF32, Shape({256, 512})}).value();
  auto* w = g.AddConstant("w", Random({512, 512}, 0.05f, rng)).value();
  auto* y = g.AddNode("MatMul", {x, w}).value()->output(0);
  g.AddOutput(g.AddNode("Add", {y, r}).value()->output(0));
  const std::map<std::string, Tensor> inputs = {{"x", Random({256, 512}, 1.0f, rng)},
                                                {"r", Random({256, 512}, 1.0f, rng)}};
  struct Times {
    double matmul = 0, add = 0;
    std::string add_name;
    Tensor out;
  };
  auto run = [&](const std::string& options) {
    Times t;
    {
      std::lock_guard<std::mutex> lock(mu);
      records.clear();
    }
    auto exec = DeviceExecutor::Create(g, *rngd, options);
    EXPECT_TRUE(exec.ok()) << exec.status().ToString();
    if (!exec.ok()) return t;
    auto out = (*exec)->Run(inputs);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (out.ok()) t.out = (*out)[0];
    host->WaitForTasks();
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& rec : records) {
      const double ns = static_cast<double>(rec.end_ns - rec.start_ns);
      if (rec.op == "MatMul") t.matmul = ns;
      if (rec.op == "Add") {
        t.add = ns;
        t.add_name = rec.name;
      }
    }
    return t;
  };
  const Times fused = run("");
  const Times apart = run("fuse=0");
  ASSERT_GT(apart.matmul, 0);
  ASSERT_GT(apart.add, 0);
  EXPECT_EQ(std::memcmp(fused.out.raw(), apart.out.raw(), fused.out.byte_size()), 0);
  // y (256 x 512 bf16 = 262,144 B at 1.5 TB/s = 174.8 ns) is neither written nor read
  // back; the Add also saves its 500 ns command overhead. Both ops stay single-tile.
  const double y_ns = 262144.0 / 1.5e12 * 1e9;
  EXPECT_NEAR(fused.matmul, apart.matmul - y_ns, 1.5);
  EXPECT_NEAR(fused.add, apart.add - y_ns - 500.0, 1.5);
  EXPECT_NE(fused.add_name.find("(epilogue)"), std::string::npos) << fused.add_name;
  EXPECT_EQ(apart.add_name.find("(epilogue)"), std::string::npos) << apart.add_name;
}

}  // namespace
}  // namespace hetero::npu_sim
