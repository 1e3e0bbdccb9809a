// The AVX-512 path's bf16 GEMM on AMX tiles (tdpbf16ps: a 16 x 16 f32 block += 16 rows x
// 32 bf16 by 32 x 16 per instruction), used on CPUs with AMX-BF16 once a self-test in a
// child process has matched the AVX-512 BF16 tile; products it does not take (an inner
// dim that does not round up to whole tile steps, fewer than 16 rows) go to that tile.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "devices/cpu/kernels/cpu_isa.h"
#include "devices/cpu/kernels/gemm.h"
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
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx512bf16,avx2,fma,amx-tile,amx-bf16")

namespace hetero::cpu {
namespace amx_bf16 {

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

}  // namespace amx_bf16

const KernelTable* AmxBf16Kernels() {
  static const KernelTable* table = []() -> const KernelTable* {
    const KernelTable* base = Avx512Bf16Kernels();
    if (base == nullptr) return nullptr;
    static const KernelTable t = amx_bf16::AmxTableOver(base);
    return &t;
  }();
  return table;
}

namespace {

// A product through both tables, in a child process so that a fault in the tile code
// (an instruction the kernel refuses, a wrong configuration) costs the child only.
bool SelfTestPasses() {
  const KernelTable* amx = AmxBf16Kernels();
  const KernelTable* avx = Avx512Bf16Kernels();
  if (amx == nullptr || avx == nullptr) return false;
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    const int64_t m = 45, k = 96, n = 70;
    std::vector<float> a(m * k), b(k * n), want(m * n), got(m * n);
    uint32_t state = 12345;
    auto next = [&state] {
      state = state * 1664525u + 1013904223u;
      return static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
    };
    for (float& x : a) x = next();
    for (float& x : b) x = next();
    auto packed = PackWeights(Tensor::Borrow(DType::kF32, {k, n}, b.data(), nullptr), false,
                              /*bf16=*/true);
    if (!packed.ok()) _exit(1);
    GemmArgs g{a.data(), m, k, (*packed)->View(), nullptr, Activation::kNone, want.data(), n};
    if (!Gemm(*avx, g, nullptr).ok()) _exit(1);
    g.c = got.data();
    if (!Gemm(*amx, g, nullptr).ok()) _exit(1);
    for (int64_t i = 0; i < m * n; ++i) {
      if (!(std::abs(got[i] - want[i]) <= 1e-4f * (1.0f + std::abs(want[i])))) _exit(1);
    }
    _exit(0);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

bool AmxBf16Usable() {
  static const bool usable = [] {
    const char* wanted = std::getenv("HETERO_CPU_AMX");
    if (wanted != nullptr && std::strcmp(wanted, "0") == 0) return false;
    if (!CpuHasAmxBf16()) return false;
    if (SelfTestPasses()) return true;
    std::fprintf(stderr,
                 "hetero: cpu: the AMX bf16 tile failed its self-test; bf16 products use "
                 "AVX-512 BF16\n");
    return false;
  }();
  return usable;
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const KernelTable* AmxBf16Kernels() { return nullptr; }
bool AmxBf16Usable() { return false; }
}  // namespace hetero::cpu

#endif
