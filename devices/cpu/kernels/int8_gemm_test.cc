// The int8 GEMM on every code path this CPU has, against QuantMatMul's reference kernel:
// the int32 sums are exact, so results match bit for bit (up to the activation's
// vector approximation).
#include "devices/cpu/kernels/int8_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ops/reference/testing.h"

namespace hetero::cpu {
namespace {

std::vector<Isa> PathsHere() {
  std::vector<Isa> paths = {Isa::kPortable};
  if (DetectedIsa() >= Isa::kAvx2) paths.push_back(Isa::kAvx2);
  if (DetectedIsa() >= Isa::kAvx512) paths.push_back(Isa::kAvx512);
  return paths;
}

struct Case {
  int64_t m, k, n;
  bool transposed = false;
  bool bias = false;
  Activation act = Activation::kNone;
  bool static_quant = false;
};

const char* ActivationName(Activation act) {
  switch (act) {
    case Activation::kRelu: return "relu";
    case Activation::kGelu: return "gelu";
    case Activation::kGeluTanh: return "gelu_tanh";
    case Activation::kSilu: return "silu";
    case Activation::kNone: return "none";
  }
  return "none";
}

void CheckCase(Isa isa, const Case& c) {
  SCOPED_TRACE(std::string(IsaName(isa)) + " (" + Int8KernelsFor(isa).name +
               ") m=" + std::to_string(c.m) + " k=" + std::to_string(c.k) +
               " n=" + std::to_string(c.n) + (c.transposed ? " bT" : "") + " " +
               ActivationName(c.act) + (c.static_quant ? " static" : ""));
  std::mt19937 rng(static_cast<uint32_t>(c.m * 131 + c.k * 7 + c.n));
  std::uniform_real_distribution<float> real(-2.0f, 2.0f);
  std::uniform_int_distribution<int> weight(-128, 127);
  std::vector<float> a(static_cast<size_t>(c.m * c.k)), bias(static_cast<size_t>(c.n));
  std::vector<int64_t> b(static_cast<size_t>(c.k * c.n));
  std::vector<float> scale(static_cast<size_t>(c.n));
  for (float& x : a) x = real(rng);
  for (int64_t& w : b) w = weight(rng);
  for (float& s : scale) s = 0.001f + std::fabs(real(rng)) * 0.01f;
  for (float& x : bias) x = real(rng);
  const Tensor at = Tensor::FromFloat({c.m, c.k}, a);
  const Tensor bt = Tensor::FromInt64(
      c.transposed ? std::vector<int64_t>{c.n, c.k} : std::vector<int64_t>{c.k, c.n}, b,
      DType::kI8);
  const Tensor st = Tensor::FromFloat({c.n}, scale);
  const Tensor bias_t = Tensor::FromFloat({c.n}, bias);
  const Tensor a_scale = Tensor::FromFloat({}, {0.02f});
  const Tensor a_zp = Tensor::FromInt64({}, {120}, DType::kU8);
  ops::Attributes attrs;
  attrs.Set("activation", std::string(ActivationName(c.act)));
  if (c.transposed) attrs.Set("transpose_b", int64_t{1});
  auto want = ops::op_testing::RunOp(
      "QuantMatMul",
      {&at, &bt, &st, c.bias ? &bias_t : nullptr, c.static_quant ? &a_scale : nullptr,
       c.static_quant ? &a_zp : nullptr},
      attrs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto packed = PackInt8Weights(bt, c.transposed, st);
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  ParallelForFn reversed = [](uint64_t count, uint64_t, const auto& fn) {
    for (uint64_t i = count; i-- > 0;) fn(i, i + 1);
  };
  const bool exact = c.act == Activation::kNone || c.act == Activation::kRelu;
  for (const ParallelForFn& pf : {ParallelForFn(), reversed}) {
    std::vector<float> out(static_cast<size_t>(c.m * c.n), 123.0f);
    QuantGemmArgs g;
    g.a = a.data();
    g.m = c.m;
    g.lda = c.k;
    g.b = packed->get();
    g.static_activation = c.static_quant;
    g.activation_quant = {0.02f, 120};
    g.bias = c.bias ? bias.data() : nullptr;
    g.activation = c.act;
    g.c = out.data();
    g.ldc = c.n;
    ASSERT_TRUE(QuantGemm(KernelsFor(isa), g, pf).ok());
    const float* ref = (*want)[0].data<float>();
    for (int64_t i = 0; i < c.m * c.n; ++i) {
      if (exact) {
        ASSERT_EQ(out[i], ref[i]) << "element " << i;
      } else {
        ASSERT_NEAR(out[i], ref[i], 1e-5 * (1 + std::fabs(ref[i]))) << "element " << i;
      }
    }
  }
}

TEST(Int8Gemm, EveryPathMatchesTheReference) {
  const std::vector<Case> cases = {
      {1, 5, 3},
      {7, 7, 33, false, true, Activation::kRelu},
      {13, 18, 40, true, true, Activation::kGelu},
      {14, 64, 32},
      {15, 129, 70, false, true, Activation::kNone},
      {29, 67, 65, true, false, Activation::kSilu},
      {7, 9, 5, false, false, Activation::kNone, true},
      {13, 6, 4, false, true, Activation::kRelu, true},
      {64, 384, 96, false, true, Activation::kGeluTanh},
      {3, 1, 1},
  };
  for (Isa isa : PathsHere()) {
    for (const Case& c : cases) CheckCase(isa, c);
  }
}

TEST(Int8Gemm, PathsAreTheOnesThisCpuHas) {
  EXPECT_STREQ(Int8KernelsFor(Isa::kPortable).name, "portable");
  if (DetectedIsa() >= Isa::kAvx2) {
    EXPECT_STREQ(Int8KernelsFor(Isa::kAvx2).name, "avx2");
  }
  if (DetectedIsa() >= Isa::kAvx512 && CpuHasAvx512Vnni()) {
    EXPECT_STREQ(Int8KernelsFor(Isa::kAvx512).name, AmxInt8Usable() ? "amx-int8" : "avx512-vnni");
  }
}

TEST(Int8Gemm, ExtremeValuesStayExact) {
  // All weights -128 and activations at the ends of the u8 range: the largest sums.
  const int64_t m = 2, k = 1000, n = 17;
  std::vector<float> a(static_cast<size_t>(m * k));
  for (int64_t i = 0; i < m * k; ++i) a[i] = (i % 2 == 0) ? 3.0f : -1.0f;
  const Tensor at = Tensor::FromFloat({m, k}, a);
  const Tensor bt = Tensor::FromInt64({k, n}, std::vector<int64_t>(k * n, -128), DType::kI8);
  const Tensor st = Tensor::FromFloat({}, {1.0f});
  auto want = ops::op_testing::RunOp("QuantMatMul", {&at, &bt, &st});
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  auto packed = PackInt8Weights(bt, false, st);
  ASSERT_TRUE(packed.ok());
  for (Isa isa : PathsHere()) {
    std::vector<float> out(static_cast<size_t>(m * n));
    QuantGemmArgs g;
    g.a = a.data();
    g.m = m;
    g.lda = k;
    g.b = packed->get();
    g.c = out.data();
    g.ldc = n;
    ASSERT_TRUE(QuantGemm(KernelsFor(isa), g, nullptr).ok());
    for (int64_t i = 0; i < m * n; ++i) {
      ASSERT_EQ(out[i], (*want)[0].data<float>()[i]) << IsaName(isa) << " element " << i;
    }
  }
}

TEST(Int8Gemm, RowQuantizationMatchesTheReferenceOnEveryPath) {
  // Halfway values (ties to even), -0, huge values, infinities and NaN; every length up
  // to 40 so that vector tails are covered.
  std::vector<float> pool = {0.5f,  1.5f,   2.5f,  -0.5f,  -2.5f,   -0.0f, 0.0f,
                             1e30f, -1e30f, 3.25f, 127.5f, -128.5f, 0.1f,  7.0f};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> real(-3.0f, 3.0f);
  for (int i = 0; i < 40; ++i) pool.push_back(real(rng));
  const float specials[] = {INFINITY, -INFINITY, NAN};
  for (Isa isa : PathsHere()) {
    const Int8Kernels& ik = Int8KernelsFor(isa);
    for (int64_t k = 1; k <= 40; ++k) {
      for (int special = -1; special < 3; ++special) {
        std::vector<float> x(pool.begin(), pool.begin() + k);
        if (special >= 0) x[k / 2] = specials[special];
        SCOPED_TRACE(std::string(ik.name) + " k=" + std::to_string(k) +
                     " special=" + std::to_string(special));
        float lo, hi;
        bool finite;
        ik.row_range(x.data(), k, &lo, &hi, &finite);
        const auto got = ops::reference::QuantizationFromRange(lo, hi, finite);
        const auto want = ops::reference::DynamicRowQuantization(x.data(), k);
        ASSERT_EQ(std::isnan(got.scale), std::isnan(want.scale));
        if (!std::isnan(want.scale)) {
          ASSERT_EQ(got.scale, want.scale);
          ASSERT_EQ(got.zero_point, want.zero_point);
        }
        for (const auto& p : {want, ops::reference::RowQuantization{0.5f, 7},
                              ops::reference::RowQuantization{1.0f, 128}}) {
          std::vector<uint8_t> a(static_cast<size_t>(k)), b(static_cast<size_t>(k));
          ik.quantize_row(x.data(), k, p, a.data());
          ops::reference::QuantizeRowU8(x.data(), k, p, b.data());
          ASSERT_EQ(a, b);
        }
      }
    }
  }
}

TEST(Int8Gemm, PackingRejectsWrongTypes) {
  const Tensor f = Tensor::FromFloat({2, 2}, {1, 2, 3, 4});
  const Tensor i8 = Tensor::FromInt64({2, 2}, {1, 2, 3, 4}, DType::kI8);
  const Tensor scale3 = Tensor::FromFloat({3}, {1, 1, 1});
  EXPECT_FALSE(PackInt8Weights(f, false, Tensor::FromFloat({}, {1})).ok());
  auto wrong_count = PackInt8Weights(i8, false, scale3);
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_NE(wrong_count.status().message().find("3 scales for 2 columns"), std::string::npos);
}

}  // namespace
}  // namespace hetero::cpu
