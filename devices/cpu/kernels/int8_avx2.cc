// The AVX2 int8 tile: 6 rows x 32 columns, as four groups of 8. vpmaddubsw would
// saturate u8 x s8 pair sums at 16 bits (2 * 255 * 127 > 32767), so both operands are
// widened to 16 bits and multiplied with vpmaddwd, which is exact: the sums equal the
// other paths'.
#include <algorithm>
#include <cstdint>

#include "devices/cpu/kernels/int8_gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace hetero::cpu {
namespace {

constexpr int kMr = 6;  // 12 accumulators + 2 widened weight vectors + 1 broadcast: 15 ymm

__m256i Mask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n < 8 ? n : 8)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// The 4 u8 of a slot as 16-bit values, repeated over the register (a broadcast load and
// one widening).
__m256i BroadcastSlot(uint32_t slot) {
  return _mm256_cvtepu8_epi16(_mm_set1_epi32(static_cast<int>(slot)));
}

// Writes 8 columns: the pair sums of cols 0-3 (lo) and 4-7 (hi) added up, corrected and
// scaled.
void Store8(const Int8Tile& t, int r, int64_t col, __m256i lo, __m256i hi) {
  const __m256i sums = _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo, hi), 0xD8);
  const __m256i zp = _mm256_set1_epi32(t.row_zero_point[r]);
  const __m256i fixed = _mm256_sub_epi32(
      sums, _mm256_mullo_epi32(
                zp, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.col_sum + col))));
  const __m256 scale =
      _mm256_mul_ps(_mm256_set1_ps(t.row_scale[r]), _mm256_loadu_ps(t.col_scale + col));
  const __m256 y = _mm256_mul_ps(_mm256_cvtepi32_ps(fixed), scale);
  _mm256_maskstore_ps(t.c + r * t.ldc + col, Mask(t.cols - col), y);
}

// Rows x 8 columns from col0: per 4 k, the 8 columns' 32 weight bytes widened into two
// registers (columns 0-3 and 4-7, 4 k each), and per row two vpmaddwd giving pair sums.
template <int kRows>
void Group8(const Int8Tile& t, int64_t col0) {
  __m256i acc[kRows][2];
  for (int r = 0; r < kRows; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  const int8_t* b = t.b_panel + col0 * kInt8SlotK;
  for (int64_t kk = 0; kk < t.k4; ++kk) {
    const int8_t* row = b + kk * kGemmNr * kInt8SlotK;
    const __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row)));
    const __m256i w1 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 16)));
    for (int r = 0; r < kRows; ++r) {
      const __m256i a = BroadcastSlot(t.a_packed[kk * kMr + r]);
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(a, w0));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(a, w1));
    }
  }
  for (int r = 0; r < kRows; ++r) Store8(t, r, col0, acc[r][0], acc[r][1]);
}

template <int kRows>
void Block(const Int8Tile& t) {
  for (int64_t col0 = 0; col0 < t.cols; col0 += 8) Group8<kRows>(t, col0);
}

void RowRangeAvx2(const float* x, int64_t k, float* lo, float* hi, bool* finite) {
  __m256 l = _mm256_setzero_ps(), h = _mm256_setzero_ps(), bad = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    l = _mm256_min_ps(l, v);
    h = _mm256_max_ps(h, v);
    // x - x is 0 for a finite x, NaN for NaN and infinities.
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_NEQ_UQ));
  }
  alignas(32) float ls[8], hs[8];
  _mm256_store_ps(ls, l);
  _mm256_store_ps(hs, h);
  RowRangePortable(x + i, k - i, lo, hi, finite);
  for (int j = 0; j < 8; ++j) {
    *lo = std::min(*lo, ls[j]);
    *hi = std::max(*hi, hs[j]);
  }
  *finite = *finite && _mm256_movemask_ps(bad) == 0;
}

// The reference's arithmetic step by step, 8 at a time; the tail by the reference.
void QuantizeRowAvx2(const float* x, int64_t k, ops::reference::RowQuantization p, uint8_t* q) {
  const __m256 scale = _mm256_set1_ps(p.scale);
  const __m256 zp = _mm256_set1_ps(static_cast<float>(p.zero_point));
  const __m256 top = _mm256_set1_ps(255.0f);
  int64_t i = 0;
  for (; i + 8 <= k; i += 8) {
    const __m256 d = _mm256_div_ps(_mm256_loadu_ps(x + i), scale);
    const __m256 r = _mm256_round_ps(d, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 v = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(r, zp), _mm256_setzero_ps()), top);
    v = _mm256_blendv_ps(v, zp, _mm256_cmp_ps(d, d, _CMP_UNORD_Q));
    const __m256i ints = _mm256_cvtps_epi32(v);
    const __m128i words =
        _mm_packus_epi32(_mm256_castsi256_si128(ints), _mm256_extracti128_si256(ints, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + i), _mm_packus_epi16(words, words));
  }
  ops::reference::QuantizeRowU8(x + i, k - i, p, q + i);
}

void Int8TileAvx2(const Int8Tile& t) {
  static constexpr void (*kByRows[kMr + 1])(const Int8Tile&) = {
      nullptr, Block<1>, Block<2>, Block<3>, Block<4>, Block<5>, Block<6>};
  kByRows[t.rows](t);
}

}  // namespace

const Int8Kernels* Avx2Int8Kernels() {
  static const Int8Kernels kernels{"avx2", kMr, Int8TileAvx2, RowRangeAvx2, QuantizeRowAvx2};
  return &kernels;
}

}  // namespace hetero::cpu

#pragma GCC pop_options

#else

namespace hetero::cpu {
const Int8Kernels* Avx2Int8Kernels() { return nullptr; }
}  // namespace hetero::cpu

#endif
