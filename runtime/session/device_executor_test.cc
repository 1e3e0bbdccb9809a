// DeviceExecutor on the built-in CPU plugin against the reference executor, and the
// host's output-shape inference.
#include "runtime/session/device_executor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "compiler/builtin/builtin.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

std::shared_ptr<plugins::Device> CpuDevice() {
  static auto* registry = plugins::LoadPluginRegistry({}, 0).release();
  auto device = registry->OpenDevice("cpu");
  EXPECT_TRUE(device.ok()) << device.status().ToString();
  return device.ok() ? *device : nullptr;
}

void ExpectSame(const std::vector<Tensor>& want, const std::vector<Tensor>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(want[i].type(), got[i].type()) << "output " << i;
    int64_t bad = 0;
    for (int64_t e = 0; e < want[i].num_elements(); ++e) {
      const double w = want[i].GetDouble(e), g = got[i].GetDouble(e);
      if (!(std::fabs(w - g) <= 1e-5 * std::max(1.0, std::fabs(w)))) ++bad;
    }
    EXPECT_EQ(bad, 0) << "output " << i << ": elements differ from the reference";
  }
}

class BuiltinOnCpu : public ::testing::TestWithParam<const char*> {};

TEST_P(BuiltinOnCpu, MatchesTheReferenceExecutor) {
  auto model = LoadModel(std::string("builtin:") + GetParam());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto device = CpuDevice();
  ASSERT_NE(device, nullptr);
  auto executor = DeviceExecutor::Create(*model->graph, device);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  // Two shapes through one compiled executable: symbolic dims resolve per run.
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 7}, {2, 5}}) {
    auto inputs = BuiltinSampleInputs(GetParam(), batch, seq);
    ASSERT_TRUE(inputs.ok());
    auto want = RunReference(*model->graph, *inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(*inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ExpectSame(*want, *got);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, BuiltinOnCpu,
                         ::testing::Values("gpt2-tiny", "bert-tiny", "llama-tiny"));

// x: f32[n, 6] -> Reshape(x, Concat(Shape(x)[0] * 2, 3)): the new shape is computed from
// x's dims at run time.
std::unique_ptr<ir::Graph> ShapeArithmeticGraph() {
  auto g = std::make_unique<ir::Graph>("shape");
  auto* x = g->AddInput("x", TensorType{DType::kF32, Shape({Dim::Symbol("n"), 6})}).value();
  auto* shape = g->AddNode("Shape", {x}).value()->output(0);
  auto* idx = g->AddConstant("zero", Tensor::FromInt64({1}, {0})).value();
  auto* n = g->AddNode("Gather", {shape, idx}).value()->output(0);
  auto* two = g->AddConstant("two", Tensor::FromInt64({1}, {2})).value();
  auto* rows = g->AddNode("Mul", {n, two}).value()->output(0);
  auto* three = g->AddConstant("three", Tensor::FromInt64({1}, {3})).value();
  ops::Attributes axis0;
  axis0.Set("axis", int64_t{0});
  auto* cat = g->AddNode("Concat", {rows, three}, axis0, 1, "cat").value()->output(0);
  g->AddOutput(g->AddNode("Reshape", {x, cat}, {}, 1, "reshape").value()->output(0));
  return g;
}

TEST(InferOutputDims, EvaluatesShapeArithmetic) {
  auto g = ShapeArithmeticGraph();
  auto x = Tensor::Allocate(DType::kF32, {4, 6}).value();
  auto dims = InferOutputDims(*g, {{"x", x}});
  ASSERT_TRUE(dims.ok()) << dims.status().ToString();
  EXPECT_EQ(*dims, (std::vector<std::vector<int64_t>>{{8, 3}}));
  auto device = CpuDevice();
  ASSERT_NE(device, nullptr);
  auto executor = DeviceExecutor::Create(*g, device);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  for (int64_t i = 0; i < x.num_elements(); ++i) x.SetDouble(i, static_cast<double>(i));
  auto got = (*executor)->Run({{"x", x}});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ((*got)[0].dims(), (std::vector<int64_t>{8, 3}));
  EXPECT_EQ((*got)[0].GetDouble(23), 23.0);
}

TEST(InferOutputDims, ShapeFromDeviceValuesIsAnError) {
  // Range(0, ReduceSum(x), 1) over a big x: the limit is only known on the device.
  ir::Graph g("range");
  auto* x = g.AddInput("x", TensorType{DType::kI64, Shape({2048})}).value();
  auto* sum = g.AddNode("ReduceSum", {x}).value()->output(0);
  auto* zero = g.AddConstant("zero", Tensor::FromInt64({}, {0})).value();
  auto* one = g.AddConstant("one", Tensor::FromInt64({}, {1})).value();
  g.AddOutput(g.AddNode("Range", {zero, sum, one}).value()->output(0));
  auto dims = InferOutputDims(g, {{"x", Tensor::Allocate(DType::kI64, {2048}).value()}});
  ASSERT_FALSE(dims.ok());
  EXPECT_NE(dims.status().message().find("depends on values"), std::string::npos);
}

TEST(DeviceExecutor, RuntimeErrorNamesTheNode) {
  ir::Graph g("gather");
  auto* data = g.AddConstant("table", Tensor::FromFloat({3, 2}, {1, 2, 3, 4, 5, 6})).value();
  auto* ids = g.AddInput("ids", TensorType{DType::kI64, Shape({2})}).value();
  g.AddOutput(g.AddNode("Gather", {data, ids}, {}, 1, "lookup").value()->output(0));
  auto executor = DeviceExecutor::Create(g, CpuDevice());
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto ok = (*executor)->Run({{"ids", Tensor::FromInt64({2}, {2, 0})}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].GetDouble(0), 5.0);
  auto bad = (*executor)->Run({{"ids", Tensor::FromInt64({2}, {1, 7})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("lookup"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("7"), std::string::npos) << bad.status().message();
  auto missing = (*executor)->Run({});
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace hetero
