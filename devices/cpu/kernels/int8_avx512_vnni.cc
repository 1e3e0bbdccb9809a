// The AVX-512 VNNI int8 tile: 14 rows x 32 columns on vpdpbusd (u8 x s8, four k per
// instruction, int32 sums), then the zero-point correction and the scales in registers.
#include <cstdint>

#include "devices/cpu/kernels/int8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

// See kernels_avx512.cc: GCC 12's intrinsics trip -Wuninitialized (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx2,fma")

namespace hetero::cpu {
namespace {

constexpr int kMr = 14;  // 28 accumulators + 2 weight vectors + 1 broadcast: 31 zmm

__mmask16 Mask(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

// acc += a . b (u8 x s8, 4 per lane). In asm: GCC 12 does not keep the accumulator in
// place for the intrinsic (it copies and spills the 28 accumulators of a 14-row tile).
inline __m512i Dot4(__m512i acc, __m512i a, __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

template <int kRows>
void Block(const Int8Tile& t) {
  __m512i sum[kRows][2];
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) sum[r][0] = sum[r][1] = _mm512_setzero_si512();
  const int8_t* b = t.b_panel;
  for (int64_t kk = 0; kk < t.k4; ++kk) {
    const __m512i b0 = _mm512_loadu_si512(b + kk * kGemmNr * kInt8SlotK);
    const __m512i b1 = _mm512_loadu_si512(b + kk * kGemmNr * kInt8SlotK + 64);
#pragma GCC unroll 16
    for (int r = 0; r < kRows; ++r) {
      const __m512i a = _mm512_set1_epi32(static_cast<int>(t.a_packed[kk * kMr + r]));
      sum[r][0] = Dot4(sum[r][0], a, b0);
      sum[r][1] = Dot4(sum[r][1], a, b1);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < kRows; ++r) {
    const __m512i zp = _mm512_set1_epi32(t.row_zero_point[r]);
    const __m512 rs = _mm512_set1_ps(t.row_scale[r]);
    for (int v = 0; v < 2; ++v) {
      const int64_t col = v * 16;
      if (col >= t.cols) break;
      const __m512i fixed =
          _mm512_sub_epi32(sum[r][v], _mm512_mullo_epi32(zp, _mm512_loadu_si512(t.col_sum + col)));
      const __m512 scale = _mm512_mul_ps(rs, _mm512_loadu_ps(t.col_scale + col));
      const __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(fixed), scale);
      _mm512_mask_storeu_ps(t.c + r * t.ldc + col, Mask(t.cols - col), y);
    }
  }
}

void RowRangeAvx512(const float* x, int64_t k, float* lo, float* hi, bool* finite) {
  __m512 l = _mm512_setzero_ps(), h = _mm512_setzero_ps();
  __mmask16 bad = 0;
  for (int64_t i = 0; i < k; i += 16) {
    const __mmask16 m = Mask(k - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);  // zeros past k change nothing
    l = _mm512_min_ps(l, v);
    h = _mm512_max_ps(h, v);
    // x - x is 0 for a finite x, NaN for NaN and infinities.
    bad |= _mm512_cmp_ps_mask(_mm512_sub_ps(v, v), _mm512_setzero_ps(), _CMP_NEQ_UQ);
  }
  *lo = _mm512_reduce_min_ps(l);
  *hi = _mm512_reduce_max_ps(h);
  *finite = bad == 0;
}

// The reference's arithmetic step by step (IEEE division, round half to even, + zero
// point, clamp, NaN to the zero point): the same bytes.
void QuantizeRowAvx512(const float* x, int64_t k, ops::reference::RowQuantization p, uint8_t* q) {
  const __m512 scale = _mm512_set1_ps(p.scale);
  const __m512 zp = _mm512_set1_ps(static_cast<float>(p.zero_point));
  const __m512 top = _mm512_set1_ps(255.0f);
  for (int64_t i = 0; i < k; i += 16) {
    const __mmask16 m = Mask(k - i);
    const __m512 d = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), scale);
    const __m512 r = _mm512_roundscale_ps(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 v = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(r, zp), _mm512_setzero_ps()), top);
    v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q), zp);
    _mm_mask_storeu_epi8(q + i, m, _mm512_cvtusepi32_epi8(_mm512_cvtps_epi32(v)));
  }
}

void Int8TileVnni(const Int8Tile& t) {
  static constexpr void (*kByRows[kMr + 1])(const Int8Tile&) = {
      nullptr,  Block<1>, Block<2>,  Block<3>,  Block<4>,  Block<5>,  Block<6>, Block<7>,
      Block<8>, Block<9>, Block<10>, Block<11>, Block<12>, Block<13>, Block<14>};
  kByRows[t.rows](t);
}

}  // namespace

const Int8Kernels* Avx512VnniInt8Kernels() {
  static const Int8Kernels kernels{"avx512-vnni", kMr, Int8TileVnni, RowRangeAvx512,
                                   QuantizeRowAvx512};
  return &kernels;
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const Int8Kernels* Avx512VnniInt8Kernels() { return nullptr; }
}  // namespace hetero::cpu

#endif
