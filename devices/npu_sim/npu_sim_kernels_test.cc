// The functional run's fast kernels against ops' reference kernels: the packed GEMM with
// bias and activation, attention per head, and bulk rounding against hetero/dtype.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "devices/npu_sim/kernels.h"
#include "ops/schema.h"

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

// Runs fn over [0, count) in two halves, as a host arena with two threads would split it.
void TwoChunks(int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
  fn(0, count / 2);
  fn(count / 2, count);
}

const ops::OpSchema& Schema(const char* op) {
  const ops::OpSchema* s = ops::OpRegistry::Global().Find(op);
  EXPECT_NE(s, nullptr) << op;
  return *s;
}

TEST(NpuSimKernels, BFloat16RoundingMatchesTheDtypeConversions) {
  std::mt19937 rng(1);
  std::vector<float> values = {0.0f,
                               -0.0f,
                               1.0f,
                               1.00390625f,
                               1.01171875f,
                               3.4e38f,
                               std::numeric_limits<float>::infinity(),
                               -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(),
                               std::numeric_limits<float>::denorm_min()};
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 100000; ++i) {
    const uint32_t u = bits(rng);
    float f;
    std::memcpy(&f, &u, sizeof(f));
    values.push_back(f);
  }
  std::vector<float> rounded = values;
  RoundFloats(rounded.data(), static_cast<int64_t>(rounded.size()), DType::kBF16, TwoChunks);
  for (size_t i = 0; i < values.size(); ++i) {
    const uint16_t want = FloatToBFloat16(values[i]);
    uint32_t got;
    std::memcpy(&got, &rounded[i], sizeof(got));
    ASSERT_EQ(got, static_cast<uint32_t>(want) << 16) << "value " << i << " " << values[i];
  }
}

TEST(NpuSimKernels, PackedGemmMatchesTheReferenceFusedMatMul) {
  std::mt19937 rng(2);
  for (const auto& [m, k, n, transposed] : std::vector<std::tuple<int64_t, int64_t, int64_t, bool>>{
           {1, 7, 5, false}, {13, 64, 40, false}, {37, 300, 33, true}}) {
    SCOPED_TRACE(std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n));
    const Tensor a = Random({1, m, k}, 1.0f, rng);
    const Tensor b =
        Random(transposed ? std::vector<int64_t>{n, k} : std::vector<int64_t>{k, n}, 0.1f, rng);
    const Tensor bias = Random({n}, 0.5f, rng);
    ops::Attributes attrs;
    attrs.Set("activation", std::string("gelu"));
    attrs.Set("transpose_b", int64_t{transposed ? 1 : 0});
    auto want = Tensor::Allocate(DType::kF32, {1, m, n});
    auto got = Tensor::Allocate(DType::kF32, {1, m, n});
    ASSERT_TRUE(want.ok() && got.ok());
    std::vector<const Tensor*> ins = {&a, &b, &bias};
    Tensor* want_out[1] = {&*want};
    Tensor* got_out[1] = {&*got};
    const ops::OpSchema& schema = Schema("FusedMatMul");
    ASSERT_TRUE(schema.reference(ops::KernelContext{ins, want_out, attrs}).ok());
    auto packed = PackMatrix(b.data<float>(), k, n, transposed, DType::kF32);
    auto ran =
        TryFastNode(schema, ops::KernelContext{ins, got_out, attrs}, packed.get(), TwoChunks);
    ASSERT_TRUE(ran.ok() && *ran);
    for (int64_t i = 0; i < m * n; ++i) {
      const float w = want->data<float>()[i], g = got->data<float>()[i];
      // Same f32 products, summed in another order: a few f32 ulps of the sum's terms.
      ASSERT_NEAR(g, w, 1e-5f * (std::fabs(w) + std::sqrt(static_cast<float>(k)))) << i;
    }
  }
}

TEST(NpuSimKernels, AttentionPerHeadIsTheReference) {
  std::mt19937 rng(3);
  // 2 batches, 4 query heads on 2 KV heads, a [B,1,1,S] additive mask.
  const Tensor q = Random({2, 4, 5, 8}, 1.0f, rng), k = Random({2, 2, 6, 8}, 1.0f, rng);
  const Tensor v = Random({2, 2, 6, 8}, 1.0f, rng);
  std::vector<float> mask_values(12, 0.0f);
  mask_values[11] = -10000.0f;
  const Tensor mask = Tensor::FromFloat({2, 1, 1, 6}, mask_values);
  for (bool causal : {false, true}) {
    ops::Attributes attrs;
    attrs.Set("causal", int64_t{causal ? 1 : 0});
    auto want = Tensor::Allocate(DType::kF32, {2, 4, 5, 8});
    auto got = Tensor::Allocate(DType::kF32, {2, 4, 5, 8});
    ASSERT_TRUE(want.ok() && got.ok());
    std::vector<const Tensor*> ins = {&q, &k, &v, &mask};
    Tensor* want_out[1] = {&*want};
    Tensor* got_out[1] = {&*got};
    const ops::OpSchema& schema = Schema("Attention");
    ASSERT_TRUE(schema.reference(ops::KernelContext{ins, want_out, attrs}).ok());
    auto ran = TryFastNode(schema, ops::KernelContext{ins, got_out, attrs}, nullptr, TwoChunks);
    ASSERT_TRUE(ran.ok() && *ran);
    EXPECT_EQ(std::memcmp(want->raw(), got->raw(), want->byte_size()), 0) << causal;
  }
}

}  // namespace
}  // namespace hetero::npu_sim
