// The portable code path: the shared kernels over one float at a time (the compiler may
// vectorize them for the baseline ISA), a 4 x 32 GEMM tile done as four 4 x 8 blocks.
#include <cmath>
#include <cstdint>
#include <limits>

#include "devices/cpu/kernels/kernel_table.h"

namespace hetero::cpu {
namespace portable {

struct V {
  using T = float;
  static constexpr int64_t kLanes = 1;
  static T Zero() { return 0.0f; }
  static T Set(float x) { return x; }
  static T Load(const float* p) { return *p; }
  static T LoadN(const float* p, int64_t n) { return n > 0 ? *p : 0.0f; }
  static void Store(float* p, T v) { *p = v; }
  static void StoreN(float* p, T v, int64_t n) {
    if (n > 0) *p = v;
  }
  static T Add(T a, T b) { return a + b; }
  static T Sub(T a, T b) { return a - b; }
  static T Mul(T a, T b) { return a * b; }
  static T Div(T a, T b) { return a / b; }
  static T Min(T a, T b) { return a < b ? a : b; }  // b when either is NaN, as SSE's min
  static T Max(T a, T b) { return a > b ? a : b; }
  static T Fma(T a, T b, T c) { return a * b + c; }
  static T Sqrt(T a) { return std::sqrt(a); }
  static T Round(T a) { return std::nearbyint(a); }
  static T MulPow2(T x, T n) { return std::isnan(n) ? n : std::ldexp(x, static_cast<int>(n)); }
  static T Abs(T a) { return std::fabs(a); }
  static T CopySign(T mag, T sign) { return std::copysign(mag, sign); }
  static float ReduceSum(T a) { return a; }
  static float ReduceMax(T a) { return a; }
};

#include "devices/cpu/kernels/vec_kernels_inl.h"

constexpr int kMr = 4;

void GemmTilePortable(const GemmTile& t) {
  for (int64_t col = 0; col < t.cols; col += 8) {
    GemmBlock<kMr, 8, kMr>(t.a_packed, t.b_panel + col, t.kc, t.c + col, t.ldc, t.rows,
                           t.cols - col, t.accumulate);
  }
}

}  // namespace portable

const KernelTable* PortableKernels() {
  static const KernelTable table = [] {
    KernelTable t;
    t.isa = Isa::kPortable;
    t.gemm_mr = portable::kMr;
    t.gemm_tile = portable::GemmTilePortable;
    t.bias_activation = portable::BiasActivation;
    t.activation = portable::ActivationRow;
    t.swiglu = portable::SwigluRow;
    t.rope_row = portable::RopeRow;
    t.softmax_row = portable::SoftmaxRow;
    t.layer_norm_row = portable::LayerNormRow;
    t.rms_norm_row = portable::RmsNormRow;
    t.exp_sum = portable::ExpSum;
    t.row_max = portable::RowMax;
    t.scale_add_max = portable::ScaleAddMax;
    t.dot = portable::Dot;
    t.axpy = portable::Axpy;
    t.scale = portable::Scale;
    t.add = portable::AddRow;
    t.mul = portable::MulRow;
    return t;
  }();
  return &table;
}

const KernelTable& KernelsFor(Isa isa) {
  const KernelTable* table = nullptr;
  if (isa == Isa::kAvx512 && DetectedIsa() >= Isa::kAvx512) {
    table = AmxBf16Usable()      ? AmxBf16Kernels()
            : CpuHasAvx512Bf16() ? Avx512Bf16Kernels()
                                 : Avx512Kernels();
  }
  if (isa == Isa::kAvx2 && DetectedIsa() >= Isa::kAvx2) table = Avx2Kernels();
  return table != nullptr ? *table : *PortableKernels();
}

const KernelTable& ActiveKernels() {
  static const KernelTable& active = KernelsFor(ActiveIsa());
  return active;
}

}  // namespace hetero::cpu
