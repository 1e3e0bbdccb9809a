// The AVX-512 path's GEMMs on AMX tiles: bf16 (tdpbf16ps: a 16 x 16 f32 block += 16 rows
// x 32 bf16 by 32 x 16 per instruction) on CPUs with AMX-BF16, int8 (tdpbusd: a 16 x 16
// int32 block += 16 rows x 64 u8 by 64 x 16 s8) on CPUs with AMX-INT8, each used once a
// self-test in a child process has matched the AVX-512 tile it stands in for (BF16,
// VNNI); products a tile does not take (k not in whole tile steps, fewer than 16 rows)
// go to that tile.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "devices/cpu/kernels/cpu_isa.h"
#include "devices/cpu/kernels/fma_peak.h"
#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/int8_gemm.h"
#include "devices/cpu/kernels/kernel_table.h"

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <sys/wait.h>
#include <unistd.h>

// See kernels_avx512.cc: GCC 12's intrinsics trip -Wuninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target( \
    "avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,avx512vnni,avx2,fma,amx-tile,amx-bf16,amx-int8")

namespace hetero::cpu {
namespace amx {

// The tile operations on the AMX instructions (tile numbers must be literals).
struct Ops {
  static void Configure();
  static void ZeroC() {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
  static void LoadA(int half, const void* p, int64_t stride) {
    if (half == 0)
      _tile_loadd(4, p, stride);
    else
      _tile_loadd(5, p, stride);
  }
  static void LoadB(int half, const void* p, int64_t stride) {
    if (half == 0)
      _tile_loadd(6, p, stride);
    else
      _tile_loadd(7, p, stride);
  }
  static void Dot(int a, int b) {
    switch (2 * a + b) {
      case 0: _tile_dpbf16ps(0, 4, 6); break;
      case 1: _tile_dpbf16ps(1, 4, 7); break;
      case 2: _tile_dpbf16ps(2, 5, 6); break;
      default: _tile_dpbf16ps(3, 5, 7); break;
    }
  }
  static void DotU8S8(int a, int b) {
    switch (2 * a + b) {
      case 0: _tile_dpbusd(0, 4, 6); break;
      case 1: _tile_dpbusd(1, 4, 7); break;
      case 2: _tile_dpbusd(2, 5, 6); break;
      default: _tile_dpbusd(3, 5, 7); break;
    }
  }
  static void StoreC(int a, int b, void* p, int64_t stride) {
    switch (2 * a + b) {
      case 0: _tile_stored(0, p, stride); break;
      case 1: _tile_stored(1, p, stride); break;
      case 2: _tile_stored(2, p, stride); break;
      default: _tile_stored(3, p, stride); break;
    }
  }
};

#include "devices/cpu/kernels/amx_tile_inl.h"

// Loaded on every tile: another user of the tiles on this thread may have changed it.
void Ops::Configure() { _tile_loadconfig(&kTileConfig); }

}  // namespace amx

const KernelTable* AmxBf16Kernels() {
  static const KernelTable* table = []() -> const KernelTable* {
    const KernelTable* base = Avx512Bf16Kernels();
    if (base == nullptr) return nullptr;
    static const KernelTable t = amx::AmxTableOver(base);
    return &t;
  }();
  return table;
}

const Int8Kernels* AmxInt8Kernels() {
  static const Int8Kernels* kernels = []() -> const Int8Kernels* {
    const Int8Kernels* base = Avx512VnniInt8Kernels();
    if (base == nullptr) return nullptr;
    static const Int8Kernels k = amx::AmxInt8Over(base);
    return &k;
  }();
  return kernels;
}

namespace {

// FLOP (or integer operations) per rate-measurement round: four tile products.
constexpr double kBf16RoundFlops = 4.0 * 16 * 16 * 32 * 2;
constexpr double kInt8RoundOps = 4.0 * 16 * 16 * 64 * 2;

// Best of five timings of `rounds` rounds.
template <double (*kTimed)(int64_t)>
double TileRate(double per_round) {
  constexpr int64_t kRounds = 2000;
  double best = 1e30;
  for (int r = 0; r < 5; ++r) best = std::min(best, kTimed(kRounds));
  return best > 0 ? per_round * kRounds / best : 0;
}

// Deterministic values in [-0.5, 0.5) for the self-tests.
void Fill(std::vector<float>& v, uint32_t seed) {
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / 16777216.0f - 0.5f;
  }
}

// `check` (true when the tile matched) run in a child process, so that a fault in the
// tile code (an instruction the kernel refuses, a wrong configuration) costs the child
// only.
template <typename Check>
bool PassesInChild(const Check& check) {
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) _exit(check() ? 0 : 1);
  int status = 0;
  pid_t waited;
  do {
    waited = waitpid(child, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited != child) return false;  // e.g. a SIGCHLD handler reaped it: no answer
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A bf16 product on both tables: equal within f32 reordering.
bool Bf16TileMatches() {
  const KernelTable* amx = AmxBf16Kernels();
  const KernelTable* avx = Avx512Bf16Kernels();
  const int64_t m = 45, k = 96, n = 70;
  std::vector<float> a(m * k), b(k * n), want(m * n), got(m * n);
  Fill(a, 1);
  Fill(b, 2);
  auto packed =
      PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false, /*bf16=*/true);
  if (!packed.ok()) return false;
  GemmArgs g{a.data(), m, k, (*packed)->View(), nullptr, Activation::kNone, want.data(), n};
  if (!Gemm(*avx, g, nullptr).ok()) return false;
  g.c = got.data();
  if (!Gemm(*amx, g, nullptr).ok()) return false;
  for (int64_t i = 0; i < m * n; ++i) {
    if (!(std::abs(got[i] - want[i]) <= 1e-4f * (1.0f + std::abs(want[i])))) return false;
  }
  return true;
}

// An int8 product on both tiles: the same bits (exact int32 sums, the same epilogue).
bool Int8TileMatches() {
  const Int8Kernels* amx = AmxInt8Kernels();
  const Int8Kernels* vnni = Avx512VnniInt8Kernels();
  const KernelTable* kt = Avx512Kernels();
  const int64_t m = 45, k = 128, n = 70;
  std::vector<float> a(m * k), want(m * n), got(m * n);
  Fill(a, 3);
  std::vector<int8_t> w(k * n);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>((i * 37 % 255) - 127);
  std::vector<float> scales(n, 0.01f);
  auto packed = PackInt8Weights(Tensor::Borrow(DType::kI8, {k, n}, w.data(), nullptr), false,
                                Tensor::Borrow(DType::kF32, {n}, scales.data(), nullptr));
  if (!packed.ok()) return false;
  QuantGemmArgs g;
  g.a = a.data();
  g.m = m;
  g.lda = k;
  g.b = packed->get();
  g.c = want.data();
  g.ldc = n;
  if (!QuantGemmOn(*kt, *vnni, g, nullptr).ok()) return false;
  g.c = got.data();
  if (!QuantGemmOn(*kt, *amx, g, nullptr).ok()) return false;
  return want == got;
}

// HETERO_CPU_AMX=0 turns the tiles off.
bool AmxWanted() {
  const char* wanted = std::getenv("HETERO_CPU_AMX");
  return wanted == nullptr || std::strcmp(wanted, "0") != 0;
}

// Whether a tile may run: wanted, the CPU has it (asked only then: asking requests the
// tile state), and `check` passes in a child process; a failed check is one line on
// stderr naming what is used instead.
template <typename Check>
bool UsableAfterSelfTest(bool (*cpu_has)(), const void* kernels, const Check& check,
                         const char* failure) {
  if (!AmxWanted() || kernels == nullptr || !cpu_has()) return false;
  if (PassesInChild(check)) return true;
  std::fprintf(stderr, "hetero: cpu: %s\n", failure);
  return false;
}

}  // namespace

bool AmxBf16Usable() {
  static const bool usable =
      UsableAfterSelfTest(CpuHasAmxBf16, AmxBf16Kernels(), Bf16TileMatches,
                          "the AMX bf16 tile failed its self-test; bf16 products use AVX-512 BF16");
  return usable;
}

bool AmxInt8Usable() {
  static const bool usable =
      UsableAfterSelfTest(CpuHasAmxInt8, AmxInt8Kernels(), Int8TileMatches,
                          "the AMX int8 tile failed its self-test; int8 products use AVX-512 VNNI");
  return usable;
}

double MeasureAmxBf16Flops() {
  if (!AmxBf16Usable()) return 0;
  return TileRate<amx::TimeTileDots<amx::Ops::Dot>>(kBf16RoundFlops);
}

double MeasureAmxInt8Ops() {
  if (!AmxInt8Usable()) return 0;
  return TileRate<amx::TimeTileDots<amx::Ops::DotU8S8>>(kInt8RoundOps);
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const KernelTable* AmxBf16Kernels() { return nullptr; }
bool AmxBf16Usable() { return false; }
const Int8Kernels* AmxInt8Kernels() { return nullptr; }
bool AmxInt8Usable() { return false; }
double MeasureAmxBf16Flops() { return 0; }
double MeasureAmxInt8Ops() { return 0; }
}  // namespace hetero::cpu

#endif
