// The AVX-512 path's bf16 GEMM tile: 14 x 32 on vdpbf16ps (two k steps per instruction,
// products summed in f32), for weights packed as bf16 pairs.
#include <cstdint>

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
namespace avx512_bf16 {

constexpr int kMr = 14;  // the AVX-512 path's tile height: its packed tiles are shared

__mmask16 Mask(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

template <int kRows>
void Block(const GemmTile& t) {
  const auto* a = reinterpret_cast<const uint32_t*>(t.a_packed);
  const auto* b = reinterpret_cast<const uint32_t*>(t.b_panel);
  __m512 sum[kRows][2];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) sum[r][0] = sum[r][1] = _mm512_setzero_ps();
  for (int64_t k = 0; k < t.kc; ++k) {
    const auto b0 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + k * kGemmNr));
    const auto b1 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + k * kGemmNr + 16));
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const auto av =
          reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(a[k * kMr + r])));
      sum[r][0] = _mm512_dpbf16_ps(sum[r][0], av, b0);
      sum[r][1] = _mm512_dpbf16_ps(sum[r][1], av, b1);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    for (int v = 0; v < 2; ++v) {
      const int64_t col = v * 16;
      if (col >= t.cols) break;
      float* out = t.c + r * t.ldc + col;
      const __mmask16 m = Mask(t.cols - col);
      __m512 x = sum[r][v];
      if (t.accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, out));
      _mm512_mask_storeu_ps(out, m, x);
    }
  }
}

void GemmTileBf16(const GemmTile& t) {
  static constexpr void (*kByRows[kMr + 1])(const GemmTile&) = {
      nullptr,  Block<1>, Block<2>,  Block<3>,  Block<4>,  Block<5>,  Block<6>, Block<7>,
      Block<8>, Block<9>, Block<10>, Block<11>, Block<12>, Block<13>, Block<14>};
  kByRows[t.rows](t);
}

}  // namespace avx512_bf16

const KernelTable* Avx512Bf16Kernels() {
  static const KernelTable table = [] {
    KernelTable t = *Avx512Kernels();
    t.gemm_tile_bf16 = avx512_bf16::GemmTileBf16;
    return t;
  }();
  return &table;
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const KernelTable* Avx512Bf16Kernels() { return nullptr; }
}  // namespace hetero::cpu

#endif
