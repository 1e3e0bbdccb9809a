// The AMX tiles (bf16 and int8): the bf16 packing, both GEMMs through their drivers, on an
// emulation of the tile instructions that checks each one's operand shapes against the
// configuration (what the CPU would fault on); and, where the CPU has AMX, the real
// instructions.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "devices/cpu/kernels/cpu_isa.h"
#include "devices/cpu/kernels/fma_peak.h"
#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/int8_gemm.h"
#include "devices/cpu/kernels/kernel_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

// See kernels_avx512.cc: GCC 12's intrinsics trip -Wuninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,avx2,fma")

namespace hetero::cpu {
namespace amx_emulated {

// Eight tiles of up to 16 rows of 64 bytes, the loaded configuration, and how many
// instructions broke the rules the CPU enforces.
struct Machine {
  const uint8_t* config = nullptr;  // the TileConfig last loaded
  uint8_t tile[8][16][64] = {};
  int violations = 0;
  int dots = 0;
};
thread_local Machine machine;

int Rows(int t) { return machine.config == nullptr ? 0 : machine.config[48 + t]; }
int Colsb(int t) {
  if (machine.config == nullptr) return 0;
  uint16_t c;
  std::memcpy(&c, machine.config + 16 + 2 * t, sizeof(c));
  return c;
}

float Bf16At(const uint8_t* row, int i) {
  uint16_t h;
  std::memcpy(&h, row + 2 * i, sizeof(h));
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

void Load(int t, const void* p, int64_t stride) {
  if (machine.config == nullptr) ++machine.violations;
  for (int r = 0; r < Rows(t); ++r) {
    std::memcpy(machine.tile[t][r], static_cast<const char*>(p) + r * stride,
                static_cast<size_t>(Colsb(t)));
  }
}

struct Ops {
  static void Configure();
  static void ZeroC() {
    for (int t = 0; t < 4; ++t) std::memset(machine.tile[t], 0, sizeof(machine.tile[t]));
  }
  static void LoadA(int half, const void* p, int64_t stride) { Load(4 + half, p, stride); }
  static void LoadB(int half, const void* p, int64_t stride) { Load(6 + half, p, stride); }
  // tdpbf16ps and tdpbusd: c.rows == a.rows, c.colsb == b.colsb, a.colsb / 4 == b.rows.
  static bool ShapesAgree(int c, int a, int b) {
    ++machine.dots;
    if (machine.config == nullptr || Rows(c) != Rows(a) || Colsb(c) != Colsb(b) ||
        Colsb(a) / 4 != Rows(b)) {
      ++machine.violations;
      return false;
    }
    return true;
  }
  static void Dot(int a_half, int b_half) {
    const int c = 2 * a_half + b_half, a = 4 + a_half, b = 6 + b_half;
    if (!ShapesAgree(c, a, b)) return;
    for (int m = 0; m < Rows(c); ++m) {
      for (int n = 0; n < Colsb(c) / 4; ++n) {
        float acc;
        std::memcpy(&acc, machine.tile[c][m] + 4 * n, sizeof(acc));
        for (int k = 0; k < Colsb(a) / 4; ++k) {
          acc += Bf16At(machine.tile[a][m], 2 * k) * Bf16At(machine.tile[b][k], 2 * n);
          acc += Bf16At(machine.tile[a][m], 2 * k + 1) * Bf16At(machine.tile[b][k], 2 * n + 1);
        }
        std::memcpy(machine.tile[c][m] + 4 * n, &acc, sizeof(acc));
      }
    }
  }
  // u8 (a) x s8 (b) in groups of four, summed into int32.
  static void DotU8S8(int a_half, int b_half) {
    const int c = 2 * a_half + b_half, a = 4 + a_half, b = 6 + b_half;
    if (!ShapesAgree(c, a, b)) return;
    for (int m = 0; m < Rows(c); ++m) {
      for (int n = 0; n < Colsb(c) / 4; ++n) {
        int32_t acc;
        std::memcpy(&acc, machine.tile[c][m] + 4 * n, sizeof(acc));
        for (int k = 0; k < Colsb(a) / 4; ++k) {
          for (int i = 0; i < 4; ++i) {
            acc += int32_t{machine.tile[a][m][4 * k + i]} *
                   int32_t{static_cast<int8_t>(machine.tile[b][k][4 * n + i])};
          }
        }
        std::memcpy(machine.tile[c][m] + 4 * n, &acc, sizeof(acc));
      }
    }
  }
  static void StoreC(int a_half, int b_half, void* p, int64_t stride) {
    const int t = 2 * a_half + b_half;
    for (int r = 0; r < Rows(t); ++r) {
      std::memcpy(static_cast<char*>(p) + r * stride, machine.tile[t][r],
                  static_cast<size_t>(Colsb(t)));
    }
  }
};

#include "devices/cpu/kernels/amx_tile_inl.h"

// Palette 1 allows 8 tiles of at most 16 rows and 64 bytes; the rest must be zero.
void Ops::Configure() {
  const auto* bytes = reinterpret_cast<const uint8_t*>(&kTileConfig);
  machine.config = bytes;
  if (bytes[0] != 1 || bytes[1] != 0) ++machine.violations;
  for (int t = 0; t < 16; ++t) {
    const bool used = t < 8;
    if (used && (Rows(t) < 1 || Rows(t) > 16 || Colsb(t) < 4 || Colsb(t) > 64)) {
      ++machine.violations;
    }
    if (!used && (Rows(t) != 0 || Colsb(t) != 0)) ++machine.violations;
  }
}

}  // namespace amx_emulated
}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

namespace hetero::cpu {
namespace {

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

float RoundedToBf16(float x) {
  const uint32_t bits = static_cast<uint32_t>(ToBf16(x)) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// c = a · b + bias on `table` against the product of the bf16-rounded operands in double.
void CheckProduct(const KernelTable& table, int64_t m, int64_t k, int64_t n) {
  SCOPED_TRACE("m=" + std::to_string(m) + " k=" + std::to_string(k) + " n=" + std::to_string(n));
  const std::vector<float> a = Random(m * k, 11);
  std::vector<float> b = Random(k * n, 12);
  const std::vector<float> bias = Random(n, 13);
  auto packed = PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false, true);
  ASSERT_TRUE(packed.ok());
  std::vector<float> c(static_cast<size_t>(m * n), -7.0f);
  GemmArgs g{a.data(), m, k, (*packed)->View(), bias.data(), Activation::kNone, c.data(), n};
  ASSERT_TRUE(Gemm(table, g, nullptr).ok());
  int64_t bad = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = bias[j];
      for (int64_t kk = 0; kk < k; ++kk) {
        want += double{RoundedToBf16(a[i * k + kk])} * RoundedToBf16(b[kk * n + j]);
      }
      if (!(std::abs(c[i * n + j] - want) <= 1e-5 * (1 + std::sqrt(double(k))))) ++bad;
    }
  }
  EXPECT_EQ(bad, 0);
}

class AmxTile : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!CpuHasAvx512Bf16()) GTEST_SKIP() << "the packing needs AVX-512 BF16, which this CPU lacks";
    base_ = Avx512Bf16Kernels();
    ASSERT_NE(base_, nullptr);
    emulated_ = amx_emulated::AmxTableOver(base_);
    amx_emulated::machine = {};
  }
  const KernelTable* base_ = nullptr;
  KernelTable emulated_;
};

// QuantGemm on the emulated AMX int8 tile and on the VNNI tile: the same bits.
void CheckInt8(const Int8Kernels& amx, const Int8Kernels& vnni, int64_t m, int64_t k, int64_t n,
               bool transposed) {
  SCOPED_TRACE("int8 m=" + std::to_string(m) + " k=" + std::to_string(k) +
               " n=" + std::to_string(n) + (transposed ? " bT" : ""));
  const std::vector<float> a = Random(m * k, 41);
  std::vector<int8_t> w(static_cast<size_t>(k * n));
  std::mt19937 rng(42);
  for (int8_t& x : w) x = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  const std::vector<float> scales = Random(n, 43);
  const std::vector<float> bias = Random(n, 44);
  auto packed = PackInt8Weights(
      transposed ? Tensor::Borrow(DType::kI8, {n, k}, w.data(), nullptr)
                 : Tensor::Borrow(DType::kI8, {k, n}, w.data(), nullptr),
      transposed, Tensor::Borrow(DType::kF32, {n}, const_cast<float*>(scales.data()), nullptr));
  ASSERT_TRUE(packed.ok());
  std::vector<float> want(static_cast<size_t>(m * n)), got(want.size(), -7.0f);
  QuantGemmArgs g;
  g.a = a.data();
  g.m = m;
  g.lda = k;
  g.b = packed->get();
  g.bias = bias.data();
  g.activation = Activation::kRelu;
  g.c = want.data();
  g.ldc = n;
  const KernelTable& kt = KernelsFor(Isa::kAvx512);
  ASSERT_TRUE(QuantGemmOn(kt, vnni, g, nullptr).ok());
  g.c = got.data();
  ASSERT_TRUE(QuantGemmOn(kt, amx, g, nullptr).ok());
  EXPECT_EQ(want, got);
}

// The int8 tile: one and two tile halves, partial panels, long k (2560: 40 tile steps),
// transposed weights; the shapes left to the VNNI tile run no tile instruction.
TEST(AmxInt8Tile, MatchesTheVnniTileBitForBit) {
  if (!CpuHasAvx512Vnni()) GTEST_SKIP() << "the VNNI tile compared against needs AVX-512 VNNI";
  const Int8Kernels* vnni = Avx512VnniInt8Kernels();
  ASSERT_NE(vnni, nullptr);
  const Int8Kernels amx = amx_emulated::AmxInt8Over(vnni);
  amx_emulated::machine = {};
  for (int64_t m : {16, 17, 32, 45, 100}) {
    for (int64_t n : {16, 45, 70}) CheckInt8(amx, *vnni, m, 64, n, false);
  }
  CheckInt8(amx, *vnni, 33, 2560, 40, false);
  CheckInt8(amx, *vnni, 40, 192, 33, true);
  EXPECT_GT(amx_emulated::machine.dots, 0);
  EXPECT_EQ(amx_emulated::machine.violations, 0);
  amx_emulated::machine.dots = 0;
  CheckInt8(amx, *vnni, 15, 64, 40, false);  // fewer than 16 rows
  CheckInt8(amx, *vnni, 40, 60, 40, false);  // 15 slots
  CheckInt8(amx, *vnni, 40, 65, 40, false);  // 17 slots
  EXPECT_EQ(amx_emulated::machine.dots, 0);
}

// Slot kk of row r at (kk / 16) * 512 + r * 16 + kk % 16, rounded as ToBf16 rounds; zero
// pairs past the inner dim, zero rows past `rows`.
TEST_F(AmxTile, PackLeftGivesTheTileLayout) {
  for (int64_t inner : {31, 32, 63, 64, 96}) {
    for (int64_t rows : {1, 15, 16, 17, 32}) {
      SCOPED_TRACE("inner=" + std::to_string(inner) + " rows=" + std::to_string(rows));
      const int64_t k = (inner + 1) / 2, lda = inner + 3;
      const std::vector<float> a = Random(rows * lda, 14);
      std::vector<uint32_t> dst(static_cast<size_t>(k * 32), 0xdeadbeefu);
      emulated_.pack_left_bf16(a.data(), lda, rows, inner, reinterpret_cast<float*>(dst.data()));
      int64_t bad = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        for (int64_t r = 0; r < 32; ++r) {
          uint32_t want = 0;
          if (r < rows) {
            want = ToBf16(a[r * lda + 2 * kk]);
            if (2 * kk + 1 < inner) want |= uint32_t{ToBf16(a[r * lda + 2 * kk + 1])} << 16;
          }
          if (dst[(kk / 16) * 512 + r * 16 + kk % 16] != want) ++bad;
        }
      }
      EXPECT_EQ(bad, 0);
    }
  }
}

// Through the GEMM driver: one and two tile halves, partial panels, several k blocks
// (2560 inner = 1280 slots, two blocks), and the shapes left to the AVX-512 BF16 tile.
TEST_F(AmxTile, GemmMatchesTheRoundedProductAndKeepsTheRules) {
  for (int64_t m : {16, 17, 32, 45, 100}) {
    for (int64_t n : {16, 45, 70}) CheckProduct(emulated_, m, 64, n);
  }
  CheckProduct(emulated_, 33, 96, 33);
  CheckProduct(emulated_, 40, 2560, 40);
  EXPECT_GT(amx_emulated::machine.dots, 0);
  EXPECT_EQ(amx_emulated::machine.violations, 0);
  // Left to the fallback: no tile instruction runs.
  amx_emulated::machine.dots = 0;
  CheckProduct(emulated_, 15, 64, 40);  // fewer than 16 rows
  CheckProduct(emulated_, 40, 62, 40);  // 31 slots: not whole tile steps
  CheckProduct(emulated_, 40, 30, 40);  // 15 slots
  EXPECT_EQ(amx_emulated::machine.dots, 0);
  CheckProduct(emulated_, 40, 63, 40);  // an odd inner dim of 32 slots: the tile's
  EXPECT_GT(amx_emulated::machine.dots, 0);
  EXPECT_EQ(amx_emulated::machine.violations, 0);
}

// Run in parallel through the driver, as the device runs it.
TEST_F(AmxTile, ParallelBlocksMatchTheSerialProduct) {
  const int64_t m = 128, k = 384, n = 200;
  const std::vector<float> a = Random(m * k, 21);
  std::vector<float> b = Random(k * n, 22);
  auto packed = PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false, true);
  ASSERT_TRUE(packed.ok());
  std::vector<float> serial(m * n), parallel(m * n);
  GemmArgs g{a.data(), m, k, (*packed)->View(), nullptr, Activation::kGelu, serial.data(), n};
  ASSERT_TRUE(Gemm(emulated_, g, nullptr).ok());
  g.c = parallel.data();
  int calls = 0;
  ParallelForFn in_order = [&calls](uint64_t count, uint64_t grain, const auto& fn) {
    ++calls;
    for (uint64_t i = 0; i < count; i += grain) fn(i, std::min(count, i + grain));
  };
  ASSERT_TRUE(Gemm(emulated_, g, in_order).ok());
  EXPECT_GT(calls, 0);
  EXPECT_EQ(serial, parallel);
}

// The rate measurement's loop: four products a round on tiles the configuration allows,
// for both instructions.
TEST(AmxTileRate, TimingLoopKeepsTheRules) {
  amx_emulated::machine = {};
  EXPECT_GE(amx_emulated::TimeTileDots<amx_emulated::Ops::Dot>(3), 0.0);
  EXPECT_GE(amx_emulated::TimeTileDots<amx_emulated::Ops::DotU8S8>(2), 0.0);
  EXPECT_EQ(amx_emulated::machine.dots, 20);
  EXPECT_EQ(amx_emulated::machine.violations, 0);
  // Where the tiles are not in use there is nothing to measure; where they are, a rate
  // above the AVX-512 instructions' (a 16 x 16 x 32 product per instruction).
  if (!AmxBf16Usable()) {
    EXPECT_EQ(MeasureAmxBf16Flops(), 0.0);
  } else {
    EXPECT_GT(MeasureAmxBf16Flops(), MeasureBf16DotFlops());
  }
  if (!AmxInt8Usable()) {
    EXPECT_EQ(MeasureAmxInt8Ops(), 0.0);
  } else {
    EXPECT_GT(MeasureAmxInt8Ops(), MeasureInt8DotOps());
  }
}

// The real instructions, where the CPU has them.
TEST(AmxHardware, UsableOnlyWithAmxAndThenMatchesTheRoundedProduct) {
  if (!CpuHasAmxBf16()) {
    EXPECT_FALSE(AmxBf16Usable());
    EXPECT_NE(&KernelsFor(Isa::kAvx512), AmxBf16Kernels());
    GTEST_SKIP() << "this CPU has no AMX-BF16 (or the kernel refused the tile state): the real "
                    "tile cannot run here; the emulated tests above cover its logic";
  }
  if (!AmxBf16Usable()) {
    // The self-test is the guard: a tile it rejects is never used, and products stay right
    // on the AVX-512 BF16 tile. That is a missing speed-up, which is for benchmarks to
    // show, not a wrong answer; said here loudly.
    EXPECT_NE(&KernelsFor(Isa::kAvx512), AmxBf16Kernels());
    CheckProduct(KernelsFor(Isa::kAvx512), 45, 768, 70);
    GTEST_SKIP() << "THIS CPU HAS AMX-BF16 BUT THE AMX TILE FAILED ITS SELF-TEST (or "
                    "HETERO_CPU_AMX=0): bf16 products run on AVX-512 BF16, correct but without "
                    "AMX; the AMX tile needs fixing on this CPU";
  }
  const KernelTable* amx = AmxBf16Kernels();
  ASSERT_NE(amx, nullptr);
  for (int64_t m : {16, 45, 128}) CheckProduct(*amx, m, 768, 70);
}

TEST(AmxHardware, Int8UsableOnlyWithAmxAndThenMatchesVnni) {
  if (!CpuHasAmxInt8()) {
    EXPECT_FALSE(AmxInt8Usable());
    EXPECT_NE(&Int8KernelsFor(Isa::kAvx512), AmxInt8Kernels());
    GTEST_SKIP() << "this CPU has no AMX-INT8 (or the kernel refused the tile state): the real "
                    "tile cannot run here; the emulated test above covers its logic";
  }
  if (!AmxInt8Usable()) {  // as for bf16 above: guarded, correct, slower
    EXPECT_NE(&Int8KernelsFor(Isa::kAvx512), AmxInt8Kernels());
    GTEST_SKIP() << "THIS CPU HAS AMX-INT8 BUT THE AMX TILE FAILED ITS SELF-TEST (or "
                    "HETERO_CPU_AMX=0): int8 products run on AVX-512 VNNI, the same bits, "
                    "without AMX; the AMX tile needs fixing on this CPU";
  }
  for (int64_t m : {16, 45, 128})
    CheckInt8(*AmxInt8Kernels(), *Avx512VnniInt8Kernels(), m, 768, 70, false);
}

}  // namespace
}  // namespace hetero::cpu

#endif
