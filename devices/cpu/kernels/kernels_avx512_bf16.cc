// The AVX-512 path's bf16 GEMM tile: 14 x 32 on vdpbf16ps (two k steps per instruction,
// products summed in f32), for weights packed as bf16 pairs; and the left operand's packing
// into bf16 pairs with vcvtne2ps2bf16.
#include <algorithm>
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

#include "devices/cpu/kernels/transpose16_avx512_inl.h"

__mmask16 FloatsMask(int64_t n) { return n <= 0 ? 0 : Mask(n); }

// 16 slots (32 inner columns) at a time: each row's 32 floats rounded to bf16 in one
// instruction (nearest even; it reads subnormals as zero), the 16 pairs of the rows
// transposed in registers, each slot stored as one group of kMr pairs.
void PackLeftBf16(const float* a, int64_t lda, int64_t rows, int64_t inner, float* dst) {
  const int64_t k = (inner + 1) / 2;
  const __mmask16 group = static_cast<__mmask16>((1u << kMr) - 1);
  for (int64_t k0 = 0; k0 < k; k0 += 16) {
    const int64_t col = 2 * k0;
    const __mmask16 lo = FloatsMask(inner - col);
    const __mmask16 hi = FloatsMask(inner - col - 16);
    __m512 m[16];
#pragma GCC unroll 16
    for (int r = 0; r < 16; ++r) {
      if (r >= rows) {
        m[r] = _mm512_setzero_ps();
        continue;
      }
      const float* src = a + r * lda + col;
      const __m512bh pairs =
          _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, src + 16), _mm512_maskz_loadu_ps(lo, src));
      m[r] = reinterpret_cast<__m512>(pairs);
    }
    Transpose16(m);
    const int64_t slots = std::min<int64_t>(16, k - k0);
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) {
      if (j < slots) _mm512_mask_storeu_ps(dst + (k0 + j) * kMr, group, m[j]);
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
    t.pack_left_bf16 = avx512_bf16::PackLeftBf16;
    t.gemm_mr_bf16 = avx512_bf16::kMr;
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
