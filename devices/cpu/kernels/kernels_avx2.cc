// The AVX2 + FMA code path: f32 kernels on 8-lane vectors, a 6 x 32 GEMM tile computed
// as two 6 x 16 halves (12 accumulators: what 16 ymm registers hold), its left operand
// packed by 8 x 8 register transposes.
#include <cmath>
#include <cstdint>
#include <limits>

#include "devices/cpu/kernels/kernel_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wuninitialized
// reports once inlined (GCC bug 105593); the values are fully written before use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace hetero::cpu {
namespace avx2 {

struct V {
  using T = __m256;
  static constexpr int64_t kLanes = 8;
  static __m256i Mask(int64_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n < 8 ? n : 8)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static T Zero() { return _mm256_setzero_ps(); }
  static T Set(float x) { return _mm256_set1_ps(x); }
  static T Load(const float* p) { return _mm256_loadu_ps(p); }
  static T LoadN(const float* p, int64_t n) { return _mm256_maskload_ps(p, Mask(n)); }
  static void Store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static void StoreN(float* p, T v, int64_t n) { _mm256_maskstore_ps(p, Mask(n), v); }
  static T Add(T a, T b) { return _mm256_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm256_div_ps(a, b); }
  static T Min(T a, T b) { return _mm256_min_ps(a, b); }  // b when either is NaN
  static T Max(T a, T b) { return _mm256_max_ps(a, b); }
  static T Fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T Sqrt(T a) { return _mm256_sqrt_ps(a); }
  static T Round(T a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static T MulPow2(T x, T n) {  // x * 2^n, n in the normal exponent range
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_mul_ps(x, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
  }
  static T Abs(T a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static T CopySign(T mag, T sign) {
    const T mask = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(mask, mag), _mm256_and_ps(mask, sign));
  }
  static float ReduceSum(T a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float ReduceMax(T a) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

#include "devices/cpu/kernels/vec_kernels_inl.h"

constexpr int kMr = 6;

// A tile's rows are packed kMr apart; a partial tile runs a kernel of its own height.
template <int kRows>
void Block(const GemmTile& t) {
  GemmBlock<kRows, 2, kMr>(t.a_packed, t.b_panel, t.kc, t.c, t.ldc, kRows, t.cols, t.accumulate);
  if (t.cols > 16) {
    GemmBlock<kRows, 2, kMr>(t.a_packed, t.b_panel + 16, t.kc, t.c + 16, t.ldc, kRows, t.cols - 16,
                             t.accumulate);
  }
}

// Transposes 8 rows of 8 floats in registers: on return row[j] holds column j.
__attribute__((always_inline)) inline void Transpose8(__m256 row[8]) {
  __m256 t[8];
#pragma GCC unroll 8
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(row[2 * i], row[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(row[2 * i], row[2 * i + 1]);
  }
  // u[4 * g + c]: rows 4g..4g+3 of column c (low 128 bits) and of column c + 4 (high).
  __m256 u[8];
#pragma GCC unroll 8
  for (int g = 0; g < 2; ++g) {
    u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
#pragma GCC unroll 8
  for (int c = 0; c < 4; ++c) {
    row[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
    row[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
  }
}

// 8 columns at a time: rows loaded whole (the two rows past kMr as zeros), transposed in
// registers, each column stored as one group of kMr floats — whole 8-float stores whose
// last two lanes the next group overwrites, the last group as 4 + 2 floats so nothing
// past it is written; the last k % 8 columns one by one.
void PackLeftAvx2(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst) {
  int64_t k0 = 0;
  for (; k0 + 8 <= k; k0 += 8) {
    __m256 m[8];
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      m[r] = r < rows ? _mm256_loadu_ps(a + r * lda + k0) : _mm256_setzero_ps();
    }
    Transpose8(m);
    float* out = dst + k0 * kMr;
#pragma GCC unroll 8
    for (int j = 0; j < 7; ++j) _mm256_storeu_ps(out + j * kMr, m[j]);
    _mm_storeu_ps(out + 7 * kMr, _mm256_castps256_ps128(m[7]));
    _mm_storel_pi(reinterpret_cast<__m64*>(out + 7 * kMr + 4), _mm256_extractf128_ps(m[7], 1));
  }
  for (; k0 < k; ++k0) {
    float* out = dst + k0 * kMr;
    for (int64_t r = 0; r < kMr; ++r) out[r] = r < rows ? a[r * lda + k0] : 0.0f;
  }
}

void GemmTileAvx2(const GemmTile& t) {
  static constexpr void (*kByRows[kMr + 1])(const GemmTile&) = {
      nullptr, Block<1>, Block<2>, Block<3>, Block<4>, Block<5>, Block<6>};
  kByRows[t.rows](t);
}

}  // namespace avx2

const KernelTable* Avx2Kernels() {
  static const KernelTable table = [] {
    KernelTable t;
    t.isa = Isa::kAvx2;
    t.gemm_mr = avx2::kMr;
    t.gemm_tile = avx2::GemmTileAvx2;
    t.pack_left = avx2::PackLeftAvx2;
    t.bias_activation = avx2::BiasActivation;
    t.activation = avx2::ActivationRow;
    t.swiglu = avx2::SwigluRow;
    t.rope_row = avx2::RopeRow;
    t.softmax_row = avx2::SoftmaxRow;
    t.layer_norm_row = avx2::LayerNormRow;
    t.rms_norm_row = avx2::RmsNormRow;
    t.exp_sum = avx2::ExpSum;
    t.row_max = avx2::RowMax;
    t.scale_add_max = avx2::ScaleAddMax;
    t.dot = avx2::Dot;
    t.axpy = avx2::Axpy;
    t.scale = avx2::Scale;
    t.add = avx2::AddRow;
    t.mul = avx2::MulRow;
    return t;
  }();
  return &table;
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const KernelTable* Avx2Kernels() { return nullptr; }
}  // namespace hetero::cpu

#endif
