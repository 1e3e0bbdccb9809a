// f16 on the OpenCL device: half storage through vload_half / vstore_half_rte on every
// device, f32 arithmetic. MatMul (both kernels) against f32, rounding on store, and a
// small f16 transformer block on opencl:0 (alone, and split with cpu) against the cpu
// device and against f32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

// opencl:0 and cpu from one registry; null when the machine has no OpenCL device.
std::shared_ptr<plugins::Device> Open(const std::string& name) {
  static auto* registry = plugins::LoadPluginRegistry({HETERO_OPENCL_PLUGIN_PATH}, 1).release();
  auto device = registry->OpenDevice(name);
  return device.ok() ? *device : nullptr;
}

// Deterministic values in [-scale, scale], stored as `dtype`.
Tensor Filled(const std::vector<int64_t>& dims, int seed, DType dtype, float scale = 1.0f) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = scale * (float((i * 37 + size_t(seed) * 101) % 199) / 99.0f - 1.0f);
  }
  return Tensor::FromFloat(dims, v, dtype);
}

// The same values in another dtype (f16 values are exact in f32).
Tensor Converted(const Tensor& t, DType dtype) {
  Tensor out = Tensor::Allocate(dtype, t.dims()).value();
  for (int64_t i = 0; i < t.num_elements(); ++i) out.SetDouble(i, t.GetDouble(i));
  return out;
}

// max |got - want| / max(1, |want|) over all elements.
double MaxScaledError(const Tensor& want, const Tensor& got) {
  double worst = 0;
  for (int64_t e = 0; e < want.num_elements(); ++e) {
    const double w = want.GetDouble(e), g = got.GetDouble(e);
    const double err = std::fabs(w - g) / std::max(1.0, std::fabs(w));
    worst = std::isnan(err) ? std::numeric_limits<double>::infinity() : std::max(worst, err);
  }
  return worst;
}

class OpenclF16 : public ::testing::Test {
 protected:
  void SetUp() override {
    device_ = Open("opencl:0");
    if (device_ == nullptr) GTEST_SKIP() << "no OpenCL device on this machine";
  }
  std::shared_ptr<plugins::Device> device_;
};

// Arithmetic is f32, so an f16 peak equal to the f32 one would read as "f32 graphs are
// computed in f16" (the conformance suite's convention): the f16 peak stays unknown.
TEST_F(OpenclF16, F16PeakIsLeftToTheF32Rate) {
  EXPECT_GT(device_->properties().PeakFlops(DType::kF32), 0);
  EXPECT_EQ(device_->properties().PeakFlops(DType::kF16), 0);
}

// Stores round to nearest even, like the reference: 1 + 2^-11 is halfway between 1 and
// 1 + 2^-10 and goes to 1; 1 + 3 * 2^-11 goes up to 1 + 2^-9; 65520 overflows to inf.
TEST_F(OpenclF16, StoresRoundToNearestEven) {
  ir::Graph g("round");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({6})}).value();
  auto* h = g.AddNode("Cast", {x},
                      [] {
                        ops::Attributes a;
                        a.Set("to", std::string("f16"));
                        return a;
                      }())
                .value()
                ->output(0);
  g.AddOutput(h);
  auto* one = g.AddConstant("one", Tensor::FromFloat({1}, {1.0f}, DType::kF16)).value();
  auto* y = g.AddInput("y", TensorType{DType::kF16, Shape({2})}).value();
  g.AddOutput(g.AddNode("Add", {one, y}).value()->output(0));
  const float tie = std::ldexp(1.0f, -11);
  const std::map<std::string, Tensor> inputs = {
      {"x", Tensor::FromFloat({6}, {1 + tie, 1 + 3 * tie, 65520.0f, -65504.0f, 1e-8f,
                                    std::numeric_limits<float>::quiet_NaN()})},
      {"y", Tensor::FromFloat({2}, {tie, 3 * tie}, DType::kF16)}};
  auto executor = DeviceExecutor::Create(g, device_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto got = (*executor)->Run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want = RunReference(g, inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  const auto* cast = (*got)[0].data<uint16_t>();
  EXPECT_EQ(HalfToFloat(cast[0]), 1.0f);
  EXPECT_EQ(HalfToFloat(cast[1]), 1.0f + 4 * tie);
  EXPECT_TRUE(std::isinf(HalfToFloat(cast[2])));
  EXPECT_EQ(HalfToFloat(cast[3]), -65504.0f);
  EXPECT_TRUE(std::isnan(HalfToFloat(cast[5])));
  const auto* sum = (*got)[1].data<uint16_t>();
  EXPECT_EQ(HalfToFloat(sum[0]), 1.0f);
  EXPECT_EQ(HalfToFloat(sum[1]), 1.0f + 4 * tie);
  for (int o = 0; o < 2; ++o) {
    for (int64_t i = 0; i < (*want)[size_t(o)].num_elements(); ++i) {
      const uint16_t w = (*want)[size_t(o)].data<uint16_t>()[i];
      const uint16_t v = (*got)[size_t(o)].data<uint16_t>()[i];
      if (std::isnan(HalfToFloat(w))) continue;
      EXPECT_EQ(v, w) << "output " << o << " element " << i << " differs from the reference";
    }
  }
}

// The spacing of f16 numbers at |x| (2^-24 in the subnormal range).
double HalfUlp(double x) {
  if (x == 0) return std::ldexp(1.0, -24);
  int exponent = 0;
  std::frexp(std::fabs(x), &exponent);  // |x| in [2^(e-1), 2^e)
  return std::ldexp(1.0, std::max(exponent - 1, -14) - 10);
}

// f16 MatMul (both kernels: every edge of the register blocks, transposes, bias and
// activation) against the same product in f32 from the same (f16-exact) values: the
// error is one rounding of each output to f16, half an f16 ulp, plus the f32 sums'
// order (1e-5 absolute covers it: |a|, |b| <= 1, K <= 256).
TEST_F(OpenclF16, MatMulMatchesF32WithinHalfAnUlp) {
  struct Case {
    std::vector<int64_t> a, b, bias;
    int64_t ta, tb;
    std::string act;
  };
  const std::vector<Case> cases = {{{2, 1, 13, 19}, {3, 19, 37}, {}, 0, 0, "none"},
                                   {{14, 64}, {64, 100}, {100}, 0, 0, "gelu"},
                                   {{2, 9, 33}, {2, 48, 33}, {48}, 0, 1, "relu"},
                                   {{20, 7}, {20, 16}, {}, 1, 0, "silu"},
                                   {{64, 256}, {256, 128}, {128}, 0, 0, "gelu_tanh"}};
  double worst_ulps = 0, worst_scaled = 0;
  for (const std::string options : {"matmul=tiled", "matmul=blocked"}) {
    for (const Case& c : cases) {
      auto build = [&](DType dtype, ir::Graph& g) {
        auto* a = g.AddInput("a", TensorType{dtype, Shape::FromStatic(c.a)}).value();
        auto* b = g.AddInput("b", TensorType{dtype, Shape::FromStatic(c.b)}).value();
        std::vector<ir::Value*> ins = {a, b};
        if (!c.bias.empty()) {
          const Tensor bias = Converted(Filled(c.bias, 3, DType::kF16), dtype);
          ins.push_back(g.AddConstant("bias", bias).value());
        }
        ops::Attributes attrs;
        attrs.Set("transpose_a", c.ta);
        attrs.Set("transpose_b", c.tb);
        attrs.Set("activation", c.act);
        g.AddOutput(g.AddNode("FusedMatMul", ins, attrs).value()->output(0));
      };
      ir::Graph half("mm16"), full("mm32");
      build(DType::kF16, half);
      build(DType::kF32, full);
      const std::map<std::string, Tensor> inputs = {{"a", Filled(c.a, 1, DType::kF16)},
                                                    {"b", Filled(c.b, 2, DType::kF16)}};
      const std::map<std::string, Tensor> inputs32 = {
          {"a", Converted(inputs.at("a"), DType::kF32)},
          {"b", Converted(inputs.at("b"), DType::kF32)}};
      auto want = RunReference(full, inputs32);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      auto executor = DeviceExecutor::Create(half, device_, options);
      ASSERT_TRUE(executor.ok()) << executor.status().ToString();
      auto got = (*executor)->Run(inputs);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ((*got)[0].dtype(), DType::kF16);
      int64_t bad = 0;
      for (int64_t e = 0; e < (*want)[0].num_elements(); ++e) {
        const double w = (*want)[0].GetDouble(e), v = (*got)[0].GetDouble(e);
        const double err = std::fabs(w - v);
        if (!(err <= 0.5 * HalfUlp(w) + 1e-5)) ++bad;
        if (std::fabs(w) >= 0.25) worst_ulps = std::max(worst_ulps, err / HalfUlp(w));
        worst_scaled = std::max(worst_scaled, err / std::max(1.0, std::fabs(w)));
      }
      EXPECT_EQ(bad, 0) << options << ", a " << Shape::FromStatic(c.a).ToString() << " b "
                        << Shape::FromStatic(c.b).ToString();
    }
  }
  std::cout << "f16 MatMul against f32: max error " << worst_ulps
            << " f16 ulps (|want| >= 0.25), max scaled error " << worst_scaled << "\n";
  RecordProperty("max_error_ulps", std::to_string(worst_ulps));
  EXPECT_GT(worst_scaled, 0) << "f16 results equal to f32 everywhere: not rounded to f16?";
}

// A pre-norm transformer block in `dtype`: embedding Gather, LayerNorm, attention
// (MatMul, Reshape, Transpose, causal Attention), residual Adds, RMSNorm, FusedMatMul
// with GELU, MatMul, Softmax, and ReduceMean and Cast outputs.
std::unique_ptr<ir::Graph> Block(DType dtype) {
  constexpr int64_t kHidden = 32, kHeads = 2, kHeadDim = 16, kVocab = 50, kSeq = 8;
  auto g = std::make_unique<ir::Graph>("block");
  int seed = 10;
  // Weights hold f16 values in either dtype, so f32 runs differ only in the arithmetic.
  auto weight = [&](std::vector<int64_t> dims, float scale) {
    const Tensor w = Converted(Filled(dims, seed, DType::kF16, scale), dtype);
    return g->AddConstant("w" + std::to_string(seed++), w).value();
  };
  auto node = [&](const std::string& op, std::vector<ir::Value*> ins, ops::Attributes attrs = {}) {
    return g->AddNode(op, ins, attrs).value()->output(0);
  };
  auto ints = [](std::initializer_list<std::pair<const char*, std::vector<int64_t>>> list) {
    ops::Attributes a;
    for (const auto& [k, v] : list) a.Set(k, v);
    return a;
  };
  auto* ids = g->AddInput("ids", TensorType{DType::kI64, Shape({2, kSeq})}).value();
  auto* x = g->AddInput("x", TensorType{dtype, Shape({2, kSeq, kHidden})}).value();
  auto* h = node("Add", {x, node("Gather", {weight({kVocab, kHidden}, 1.0f), ids})});
  auto* ln = node("LayerNorm", {h, weight({kHidden}, 1.0f), weight({kHidden}, 0.2f)});
  auto* heads =
      g->AddConstant("heads", Tensor::FromInt64({4}, {2, kSeq, kHeads, kHeadDim})).value();
  auto* flat = g->AddConstant("flat", Tensor::FromInt64({3}, {2, kSeq, kHidden})).value();
  auto split = [&](ir::Value* v) {
    return node("Transpose", {node("Reshape", {v, heads})}, ints({{"perm", {0, 2, 1, 3}}}));
  };
  auto* q = split(node("MatMul", {ln, weight({kHidden, kHidden}, 0.5f)}));
  auto* k = split(node("MatMul", {ln, weight({kHidden, kHidden}, 0.5f)}));
  auto* v = split(node("MatMul", {ln, weight({kHidden, kHidden}, 0.5f)}));
  ops::Attributes causal;
  causal.Set("causal", int64_t{1});
  auto* att = node("Attention", {q, k, v}, causal);
  auto* merged = node("Reshape", {node("Transpose", {att}, ints({{"perm", {0, 2, 1, 3}}})), flat});
  h = node("Add", {h, node("MatMul", {merged, weight({kHidden, kHidden}, 0.3f)})});
  auto* rms = node("RMSNorm", {h, weight({kHidden}, 1.0f)});
  ops::Attributes gelu;
  gelu.Set("activation", std::string("gelu"));
  auto* ff = node("FusedMatMul",
                  {rms, weight({kHidden, 2 * kHidden}, 0.4f), weight({2 * kHidden}, 0.1f)}, gelu);
  h = node("Add", {h, node("MatMul", {ff, weight({2 * kHidden, kHidden}, 0.3f)})});
  g->AddOutput(node("Softmax", {h}));
  g->AddOutput(node("ReduceMean", {h}, ints({{"axes", {-1}}})));
  ops::Attributes to_f32;
  to_f32.Set("to", std::string("f32"));
  g->AddOutput(node("Cast", {node("Tanh", {h})}, to_f32));
  return g;
}

std::map<std::string, Tensor> BlockInputs(DType dtype) {
  std::vector<int64_t> ids(16);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = int64_t(i * 7 % 50);
  return {{"ids", Tensor::FromInt64({2, 8}, ids)}, {"x", Filled({2, 8, 32}, 5, dtype)}};
}

TEST_F(OpenclF16, TransformerBlockMatchesCpuAndF32) {
  auto cpu = Open("cpu");
  ASSERT_NE(cpu, nullptr);
  auto half = Block(DType::kF16);
  auto full = Block(DType::kF32);
  const auto inputs = BlockInputs(DType::kF16);
  std::map<std::string, Tensor> inputs32 = inputs;
  inputs32["x"] = Converted(inputs.at("x"), DType::kF32);
  auto on_opencl = DeviceExecutor::Create(*half, device_);
  ASSERT_TRUE(on_opencl.ok()) << on_opencl.status().ToString();
  auto on_cpu = DeviceExecutor::Create(*half, cpu);
  ASSERT_TRUE(on_cpu.ok()) << on_cpu.status().ToString();
  auto got = (*on_opencl)->Run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want_cpu = (*on_cpu)->Run(inputs);
  ASSERT_TRUE(want_cpu.ok()) << want_cpu.status().ToString();
  auto want_f32 = RunReference(*full, inputs32);
  ASSERT_TRUE(want_f32.ok()) << want_f32.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  for (size_t o = 0; o < got->size(); ++o) {
    ASSERT_EQ((*got)[o].type(), (*want_cpu)[o].type()) << "output " << o;
    const double against_cpu = MaxScaledError((*want_cpu)[o], (*got)[o]);
    const double against_f32 = MaxScaledError((*want_f32)[o], (*got)[o]);
    std::cout << "f16 block output " << o << ": max scaled error " << against_cpu
              << " against cpu (f16), " << against_f32 << " against f32\n";
    // Both devices round every op's output to f16; their f32 and double intermediates
    // may round an element one ulp apart, which later ops carry: a few f16 ulps.
    EXPECT_LE(against_cpu, 2e-3) << "output " << o;
    // Against f32 the f16 roundings of weights, inputs and every intermediate add up.
    EXPECT_LE(against_f32, 5e-3) << "output " << o;
  }
}

// The same f16 block split round robin by node between opencl:0 and cpu: f16 tensors
// cross between the devices as they are, and the result matches cpu alone.
TEST_F(OpenclF16, TransformerBlockSplitWithCpuMatchesCpu) {
  auto cpu = Open("cpu");
  ASSERT_NE(cpu, nullptr);
  auto half = Block(DType::kF16);
  placement::PlacementOptions options;
  options.min_segment_nodes = 1;
  for (size_t i = 0; i < half->nodes().size(); ++i) {
    options.pins.push_back({half->nodes()[i]->name(), i % 2 == 1 ? cpu->name() : device_->name()});
  }
  auto split = PartitionedExecutor::Create(*half, {device_, cpu}, options);
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  std::set<std::string> used;
  for (size_t seg = 0; seg < (*split)->num_segments(); ++seg) {
    used.insert((*split)->SegmentDevice(seg));
  }
  EXPECT_EQ(used.size(), 2u) << "segments on both devices";
  EXPECT_GT((*split)->num_segments(), 10u);
  auto on_cpu = DeviceExecutor::Create(*half, cpu);
  ASSERT_TRUE(on_cpu.ok()) << on_cpu.status().ToString();
  const auto inputs = BlockInputs(DType::kF16);
  auto got = (*split)->Run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want = (*on_cpu)->Run(inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_EQ(got->size(), want->size());
  for (size_t o = 0; o < got->size(); ++o) {
    ASSERT_EQ((*got)[o].type(), (*want)[o].type()) << "output " << o;
    EXPECT_LE(MaxScaledError((*want)[o], (*got)[o]), 2e-3) << "output " << o;
  }
}

}  // namespace
}  // namespace hetero
