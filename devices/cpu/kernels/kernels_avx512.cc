// The AVX-512 code path: f32 kernels on 16-lane vectors, a 14 x 32 GEMM tile.
#include <algorithm>
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
#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")

namespace hetero::cpu {
namespace avx512 {

struct V {
  using T = __m512;
  static constexpr int64_t kLanes = 16;
  static __mmask16 Mask(int64_t n) {
    return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
  }
  static T Zero() { return _mm512_setzero_ps(); }
  static T Set(float x) { return _mm512_set1_ps(x); }
  static T Load(const float* p) { return _mm512_loadu_ps(p); }
  static T LoadN(const float* p, int64_t n) { return _mm512_maskz_loadu_ps(Mask(n), p); }
  static void Store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static void StoreN(float* p, T v, int64_t n) { _mm512_mask_storeu_ps(p, Mask(n), v); }
  static T Add(T a, T b) { return _mm512_add_ps(a, b); }
  static T Sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T Mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T Div(T a, T b) { return _mm512_div_ps(a, b); }
  static T Min(T a, T b) { return _mm512_min_ps(a, b); }  // b when either is NaN
  static T Max(T a, T b) { return _mm512_max_ps(a, b); }
  static T Fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T Sqrt(T a) { return _mm512_sqrt_ps(a); }
  static T Round(T a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static T MulPow2(T x, T n) { return _mm512_scalef_ps(x, n); }  // one instruction, exact
  static T Abs(T a) { return _mm512_abs_ps(a); }
  static T CopySign(T mag, T sign) {
    const T mask = _mm512_set1_ps(-0.0f);
    return _mm512_or_ps(_mm512_andnot_ps(mask, mag), _mm512_and_ps(mask, sign));
  }
  static float ReduceSum(T a) { return _mm512_reduce_add_ps(a); }
  static float ReduceMax(T a) { return _mm512_reduce_max_ps(a); }
};

#include "devices/cpu/kernels/vec_kernels_inl.h"

constexpr int kMr = 14;

// A tile's rows are packed kMr apart; a partial tile runs a kernel of its own height,
// so no FMA is spent on padding rows.
template <int kRows>
void Block(const GemmTile& t) {
  GemmBlock<kRows, 2, kMr>(t.a_packed, t.b_panel, t.kc, t.c, t.ldc, kRows, t.cols, t.accumulate);
}

#include "devices/cpu/kernels/transpose16_avx512_inl.h"

// 16 columns at a time: rows loaded whole, transposed in registers, each column stored
// as one group of kMr floats; the last k % 16 columns one by one.
void PackLeftAvx512(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst) {
  const __mmask16 group = static_cast<__mmask16>((1u << kMr) - 1);
  int64_t k0 = 0;
  for (; k0 + 16 <= k; k0 += 16) {
    __m512 m[16];
#pragma GCC unroll 16
    for (int r = 0; r < 16; ++r) {
      m[r] = r < rows ? _mm512_loadu_ps(a + r * lda + k0) : _mm512_setzero_ps();
    }
    Transpose16(m);
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(dst + (k0 + j) * kMr, group, m[j]);
  }
  for (; k0 < k; ++k0) {
    float* out = dst + k0 * kMr;
    for (int64_t r = 0; r < kMr; ++r) out[r] = r < rows ? a[r * lda + k0] : 0.0f;
  }
}

void GemmTileAvx512(const GemmTile& t) {
  static constexpr void (*kByRows[kMr + 1])(const GemmTile&) = {
      nullptr,  Block<1>, Block<2>,  Block<3>,  Block<4>,  Block<5>,  Block<6>, Block<7>,
      Block<8>, Block<9>, Block<10>, Block<11>, Block<12>, Block<13>, Block<14>};
  kByRows[t.rows](t);
}

}  // namespace avx512

const KernelTable* Avx512Kernels() {
  static const KernelTable table = [] {
    KernelTable t;
    t.isa = Isa::kAvx512;
    t.gemm_mr = avx512::kMr;
    t.gemm_tile = avx512::GemmTileAvx512;
    t.pack_left = avx512::PackLeftAvx512;
    t.bias_activation = avx512::BiasActivation;
    t.activation = avx512::ActivationRow;
    t.swiglu = avx512::SwigluRow;
    t.rope_row = avx512::RopeRow;
    t.softmax_row = avx512::SoftmaxRow;
    t.layer_norm_row = avx512::LayerNormRow;
    t.rms_norm_row = avx512::RmsNormRow;
    t.exp_sum = avx512::ExpSum;
    t.row_max = avx512::RowMax;
    t.scale_add_max = avx512::ScaleAddMax;
    t.dot = avx512::Dot;
    t.axpy = avx512::Axpy;
    t.scale = avx512::Scale;
    t.add = avx512::AddRow;
    t.mul = avx512::MulRow;
    return t;
  }();
  return &table;
}

}  // namespace hetero::cpu

#pragma GCC pop_options
#pragma GCC diagnostic pop

#else

namespace hetero::cpu {
const KernelTable* Avx512Kernels() { return nullptr; }
}  // namespace hetero::cpu

#endif
