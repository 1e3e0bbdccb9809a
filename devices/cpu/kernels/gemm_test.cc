// The packed GEMM on every code path this CPU has, against a double-precision product.
#include "devices/cpu/kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace hetero::cpu {
namespace {

std::vector<Isa> PathsHere() {
  std::vector<Isa> paths = {Isa::kPortable};
  if (DetectedIsa() >= Isa::kAvx2) paths.push_back(Isa::kAvx2);
  if (DetectedIsa() >= Isa::kAvx512) paths.push_back(Isa::kAvx512);
  return paths;
}

std::vector<float> Random(int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = dist(rng);
  return v;
}

double ActivationOf(double x, Activation act) {
  switch (act) {
    case Activation::kRelu: return x > 0 ? x : 0;
    case Activation::kGelu: return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case Activation::kGeluTanh:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case Activation::kSilu: return x / (1 + std::exp(-x));
    case Activation::kNone: return x;
  }
  return x;
}

// Runs one product on one path (serial, and split in tasks run by a fake parallel_for
// that calls chunks out of order) and checks every element.
void CheckProduct(Isa isa, int64_t m, int64_t k, int64_t n, bool transposed, bool with_bias,
                  Activation act) {
  SCOPED_TRACE(std::string(IsaName(isa)) + " m=" + std::to_string(m) + " k=" + std::to_string(k) +
               " n=" + std::to_string(n) + (transposed ? " bT" : ""));
  const std::vector<float> a = Random(m * k, 1);
  std::vector<float> b = Random(k * n, 2);
  const std::vector<float> bias = Random(n, 3);
  Tensor bt = transposed ? Tensor::Borrow(DType::kF32, {n, k}, b.data(), nullptr)
                         : Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr);
  auto packed = PackWeights(bt, transposed);
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  ParallelForFn reversed = [](uint64_t count, uint64_t, const auto& fn) {
    for (uint64_t i = count; i-- > 0;) fn(i, i + 1);
  };
  for (const ParallelForFn& pf : {ParallelForFn(), reversed}) {
    std::vector<float> c(static_cast<size_t>(m * n), 123.0f);
    GemmArgs g{a.data(), m,        k, (*packed)->View(), with_bias ? bias.data() : nullptr,
               act,      c.data(), n};
    ASSERT_TRUE(Gemm(KernelsFor(isa), g, pf).ok());
    int64_t bad = 0;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double sum = with_bias ? bias[j] : 0.0;
        for (int64_t kk = 0; kk < k; ++kk) {
          const double bv = transposed ? b[j * k + kk] : b[kk * n + j];
          sum += static_cast<double>(a[i * k + kk]) * bv;
        }
        const double want = ActivationOf(sum, act);
        // Reordered f32 sums: a few ulps of the sum of |terms| (about sqrt(k) / 3 here).
        const double tol = 1e-6 * (1.0 + std::sqrt(static_cast<double>(k)));
        if (std::fabs(c[i * n + j] - want) > tol * std::max(1.0, std::fabs(want)) && bad++ < 3) {
          ADD_FAILURE() << "c[" << i << "," << j << "] = " << c[i * n + j] << ", want " << want;
        }
      }
    }
    EXPECT_EQ(bad, 0);
  }
}

TEST(Gemm, OddShapesOnEveryPath) {
  for (Isa isa : PathsHere()) {
    for (int64_t m : {1, 7, 13, 129}) {
      for (int64_t n : {1, 31, 33, 130}) {
        for (int64_t k : {1, 13, 300}) CheckProduct(isa, m, k, n, false, false, Activation::kNone);
      }
    }
  }
}

TEST(Gemm, TransposedWeightsBiasAndActivations) {
  for (Isa isa : PathsHere()) {
    for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kGelu,
                           Activation::kGeluTanh, Activation::kSilu}) {
      CheckProduct(isa, 29, 257, 45, true, true, act);
    }
  }
}

TEST(Gemm, EmptyInnerDimensionGivesBiasOnly) {
  for (Isa isa : PathsHere()) CheckProduct(isa, 5, 0, 40, false, true, Activation::kRelu);
}

// With `accumulate` the product, bias and activation apply to what c holds: across k
// blocks (1100 steps: two), and with an empty inner dim (c + bias).
TEST(Gemm, AccumulateAddsToTheOutputOnEveryPath) {
  for (Isa isa : PathsHere()) {
    for (int64_t k : {0, 7, 1100}) {
      SCOPED_TRACE(std::string(IsaName(isa)) + " k=" + std::to_string(k));
      const int64_t m = 29, n = 45;
      const std::vector<float> a = Random(m * k, 31);
      std::vector<float> b = Random(k * n, 32);
      const std::vector<float> bias = Random(n, 33);
      const std::vector<float> before = Random(m * n, 34);
      auto packed = PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false);
      ASSERT_TRUE(packed.ok());
      std::vector<float> c = before;
      GemmArgs g{a.data(), m, k, (*packed)->View(), bias.data(), Activation::kRelu, c.data(), n};
      g.accumulate = true;
      ASSERT_TRUE(Gemm(KernelsFor(isa), g, nullptr).ok());
      int64_t bad = 0;
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double sum = double{before[i * n + j]} + bias[j];
          for (int64_t kk = 0; kk < k; ++kk) sum += double{a[i * k + kk]} * b[kk * n + j];
          const double want = sum > 0 ? sum : 0;
          if (std::fabs(c[i * n + j] - want) > 1e-5 * (1 + std::sqrt(double(k)))) ++bad;
        }
      }
      EXPECT_EQ(bad, 0);
    }
  }
}

// A path's own left-operand packing gives the layout gemm_tile reads: k groups of mr
// floats, zeros past the rows, rows read lda apart, nothing written past the last group.
TEST(Gemm, PackLeftGivesTheTileLayoutOnEveryPath) {
  for (Isa isa : PathsHere()) {
    const KernelTable& kt = KernelsFor(isa);
    // The x86 paths pack with register transposes; portable uses the driver's scalar
    // loop, covered above.
    EXPECT_EQ(kt.pack_left == nullptr, isa == Isa::kPortable) << IsaName(isa);
    if (kt.pack_left == nullptr) continue;
    const int64_t mr = kt.gemm_mr;
    // Less than, exactly and past one block of columns on 8- and 16-column transposes.
    for (int64_t k : {1, 7, 8, 9, 15, 16, 17, 40}) {
      for (int64_t rows = 1; rows <= mr; ++rows) {
        SCOPED_TRACE(std::string(IsaName(isa)) + " k=" + std::to_string(k) +
                     " rows=" + std::to_string(rows));
        const int64_t lda = k + 3;
        const std::vector<float> a = Random(rows * lda, 7);
        std::vector<float> dst(static_cast<size_t>(k * mr + 16), -9.0f);
        kt.pack_left(a.data(), lda, rows, k, dst.data());
        int64_t bad = 0;
        for (int64_t kk = 0; kk < k; ++kk) {
          for (int64_t r = 0; r < mr; ++r) {
            const float want = r < rows ? a[r * lda + kk] : 0.0f;
            if (dst[kk * mr + r] != want) ++bad;
          }
        }
        for (size_t i = static_cast<size_t>(k * mr); i < dst.size(); ++i) {
          if (dst[i] != -9.0f) ++bad;
        }
        EXPECT_EQ(bad, 0);
      }
    }
  }
}

// The bf16 packing gives the layout gemm_tile_bf16 reads: slot kk of row r holds columns
// 2 kk (low half) and 2 kk + 1 (high half) rounded as ToBf16 rounds, zero past the inner
// dim and for rows past `rows`, nothing written past the last group.
TEST(Gemm, PackLeftBf16GivesThePairLayout) {
  if (!CpuHasAvx512Bf16()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  ASSERT_NE(Avx512Bf16Kernels(), nullptr);
  const KernelTable& kt = *Avx512Bf16Kernels();  // not the AMX table's packing
  ASSERT_NE(kt.pack_left_bf16, nullptr);
  const int64_t mr = kt.gemm_mr;
  // Odd and even widths, less than, exactly and past one block of 32 columns.
  for (int64_t inner : {1, 2, 15, 31, 32, 33, 64, 77}) {
    for (int64_t rows = 1; rows <= mr; ++rows) {
      SCOPED_TRACE("inner=" + std::to_string(inner) + " rows=" + std::to_string(rows));
      const int64_t k = (inner + 1) / 2;
      const int64_t lda = inner + 5;
      const std::vector<float> a = Random(rows * lda, 8);
      std::vector<uint32_t> dst(static_cast<size_t>(k * mr + 16), 0xdeadbeefu);
      kt.pack_left_bf16(a.data(), lda, rows, inner, reinterpret_cast<float*>(dst.data()));
      int64_t bad = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        for (int64_t r = 0; r < mr; ++r) {
          uint32_t want = 0;
          if (r < rows) {
            want = ToBf16(a[r * lda + 2 * kk]);
            if (2 * kk + 1 < inner) want |= uint32_t{ToBf16(a[r * lda + 2 * kk + 1])} << 16;
          }
          if (dst[kk * mr + r] != want) ++bad;
        }
      }
      for (size_t i = static_cast<size_t>(k * mr); i < dst.size(); ++i) {
        if (dst[i] != 0xdeadbeefu) ++bad;
      }
      EXPECT_EQ(bad, 0);
    }
  }
}

// Rows of the left operand further apart than its width (a slice of a wider matrix).
TEST(Gemm, StridedLeftOperandOnEveryPath) {
  for (Isa isa : PathsHere()) {
    const int64_t m = 31, k = 37, n = 40, lda = 50;
    const std::vector<float> a = Random(m * lda, 4);
    std::vector<float> b = Random(k * n, 5);
    auto packed = PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false);
    ASSERT_TRUE(packed.ok());
    std::vector<float> c(static_cast<size_t>(m * n), 0.0f);
    GemmArgs g{a.data(), m, lda, (*packed)->View(), nullptr, Activation::kNone, c.data(), n};
    ASSERT_TRUE(Gemm(KernelsFor(isa), g, ParallelForFn()).ok());
    int64_t bad = 0;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0.0;
        for (int64_t kk = 0; kk < k; ++kk) {
          want += static_cast<double>(a[i * lda + kk]) * b[kk * n + j];
        }
        if (std::fabs(c[i * n + j] - want) > 1e-5 * (1.0 + std::fabs(want))) ++bad;
      }
    }
    EXPECT_EQ(bad, 0) << IsaName(isa);
  }
}

float RoundedToBf16(float x) {
  const uint32_t bits = static_cast<uint32_t>(ToBf16(x)) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

TEST(Gemm, ToBf16RoundsToNearestEven) {
  EXPECT_EQ(ToBf16(1.0f), 0x3f80);
  EXPECT_EQ(ToBf16(-2.0f), 0xc000);
  // 1 + 2^-8 is halfway between bf16 1 and 1 + 2^-7: ties go to the even one (1).
  EXPECT_EQ(ToBf16(1.00390625f), 0x3f80);
  EXPECT_EQ(ToBf16(1.01171875f), 0x3f82);  // 1 + 3 * 2^-8: halfway, up to even
  EXPECT_TRUE(std::isnan(RoundedToBf16(std::nanf(""))));
}

// bf16 weights: the product of the bf16-rounded operands, summed in f32, against the same
// product in double.
TEST(Gemm, Bf16WeightsMatchTheRoundedProduct) {
  if (!CpuHasAvx512Bf16()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  const KernelTable& kt = KernelsFor(Isa::kAvx512);
  ASSERT_NE(kt.gemm_tile_bf16, nullptr);
  for (int64_t m : {1, 13, 29}) {
    for (int64_t k : {1, 7, 300}) {
      const int64_t n = 45;
      const std::vector<float> a = Random(m * k, 4);
      std::vector<float> b = Random(k * n, 5);
      const std::vector<float> bias = Random(n, 6);
      auto packed =
          PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false, true);
      ASSERT_TRUE(packed.ok());
      std::vector<float> c(static_cast<size_t>(m * n));
      GemmArgs g{a.data(), m, k, (*packed)->View(), bias.data(), Activation::kNone, c.data(), n};
      ASSERT_TRUE(Gemm(kt, g, nullptr).ok());
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double want = bias[j];
          for (int64_t kk = 0; kk < k; ++kk) {
            want += double{RoundedToBf16(a[i * k + kk])} * RoundedToBf16(b[kk * n + j]);
          }
          ASSERT_NEAR(c[i * n + j], want, 1e-5 * (1 + std::sqrt(double(k))))
              << "m=" << m << " k=" << k << " at " << i << "," << j;
        }
      }
    }
  }
  // bf16 weights on a path without the tile: an error, not a wrong answer.
  std::vector<float> b = Random(8, 7);
  auto packed = PackWeights(Tensor::Borrow(DType::kF32, {2, 4}, b.data(), nullptr), false, true);
  std::vector<float> a = Random(2, 8), c(4);
  GemmArgs g{a.data(), 1, 2, (*packed)->View(), nullptr, Activation::kNone, c.data(), 4};
  EXPECT_FALSE(Gemm(KernelsFor(Isa::kPortable), g, nullptr).ok());
}

TEST(Gemm, PackWeightsRefusesWrongRankOrType) {
  std::vector<float> v(8);
  EXPECT_FALSE(PackWeights(Tensor::Borrow(DType::kF32, {8}, v.data(), nullptr), false).ok());
  EXPECT_FALSE(PackWeights(Tensor::Borrow(DType::kI32, {2, 4}, v.data(), nullptr), false).ok());
}

// Packing at run time from rows `ld` apart (attention's keys and values, reused storage)
// lays out every slot as the panel layout says: element (kk, j) of the [k, n] operand at
// panel j / 32, row kk, column j % 32; zeros past n.
TEST(Gemm, PackWeightsIntoReadsStridedRowsAndReusesStorage) {
  PackedWeights out;
  for (bool transposed : {false, true}) {
    for (const auto& [k, n] : {std::pair<int64_t, int64_t>{37, 70}, {16, 32}, {5, 3}}) {
      SCOPED_TRACE(std::to_string(k) + "x" + std::to_string(n) + (transposed ? " T" : ""));
      const int64_t ld = (transposed ? k : n) + 7;
      const std::vector<float> src = Random((transposed ? n : k) * ld, 11);
      out.data.assign(out.data.size(), 99.0f);  // stale values must not survive
      PackWeightsInto(src.data(), k, n, ld, transposed, &out);
      ASSERT_EQ(out.k, k);
      ASSERT_EQ(out.n, n);
      ASSERT_EQ(out.panels, (n + kGemmNr - 1) / kGemmNr);
      ASSERT_EQ(static_cast<int64_t>(out.data.size()), out.panels * k * kGemmNr);
      for (int64_t p = 0; p < out.panels; ++p) {
        for (int64_t kk = 0; kk < k; ++kk) {
          for (int64_t c = 0; c < kGemmNr; ++c) {
            const int64_t j = p * kGemmNr + c;
            const float want = j >= n ? 0.0f : transposed ? src[j * ld + kk] : src[kk * ld + j];
            ASSERT_EQ(out.data[(p * k + kk) * kGemmNr + c], want) << "p=" << p << " kk=" << kk;
          }
        }
      }
    }
  }
}

TEST(CpuIsa, ParsesNamesAndRefusesOthers) {
  Isa isa;
  EXPECT_TRUE(ParseIsa("avx2", &isa));
  EXPECT_EQ(isa, Isa::kAvx2);
  EXPECT_TRUE(ParseIsa("portable", &isa));
  EXPECT_EQ(isa, Isa::kPortable);
  EXPECT_FALSE(ParseIsa("avx1024", &isa));
  EXPECT_LE(ActiveIsa(), DetectedIsa());
  EXPECT_EQ(KernelsFor(Isa::kPortable).isa, Isa::kPortable);
}

}  // namespace
}  // namespace hetero::cpu
