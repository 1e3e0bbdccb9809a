// The table of f32 kernels one code path (ISA) provides, and the GEMM tile they share.
#pragma once

#include <cstdint>

#include "devices/cpu/kernels/cpu_isa.h"

namespace hetero::cpu {

// Columns of a packed weight panel: every path's GEMM tile is kGemmNr columns wide.
inline constexpr int64_t kGemmNr = 32;
// Most rows a GEMM tile has on any path (its MR).
inline constexpr int64_t kGemmMaxMr = 16;

enum class Activation { kNone, kRelu, kGelu, kGeluTanh, kSilu };

// One GEMM tile: c[rows, cols] (+)= a_packed · b_panel over kc steps.
// a_packed holds kc groups of `mr` floats (row r of step k at [k * mr + r]; rows past
// `rows` are zero); b_panel holds kc rows of kGemmNr floats (zero past `cols`).
struct GemmTile {
  const float* a_packed = nullptr;
  const float* b_panel = nullptr;
  int64_t kc = 0;
  float* c = nullptr;
  int64_t ldc = 0;
  int64_t rows = 0;         // 1..mr
  int64_t cols = 0;         // 1..kGemmNr
  bool accumulate = false;  // add to c instead of overwriting it
};

struct KernelTable {
  Isa isa = Isa::kPortable;
  int64_t gemm_mr = 4;
  void (*gemm_tile)(const GemmTile& tile) = nullptr;
  // Packs `rows` (1..gemm_mr) rows of a, lda apart, k columns each, for gemm_tile: k
  // groups of gemm_mr floats at dst, zeros for rows past `rows`. NULL: the GEMM driver's
  // scalar loop.
  void (*pack_left)(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst) = nullptr;
  // The same tile on bf16 pairs (GemmTile's pointers then hold pairs of bf16 in each
  // 4-byte slot, kc counts pairs); NULL on paths without AVX-512 BF16.
  void (*gemm_tile_bf16)(const GemmTile& tile) = nullptr;
  // pack_left for gemm_tile_bf16: `inner` columns of each row as ceil(inner / 2) slots of
  // bf16 pairs (columns 2i in the low half, 2i + 1 in the high half, zero past inner),
  // rounded to nearest even. NULL: the GEMM driver's scalar loop.
  void (*pack_left_bf16)(const float* a, int64_t lda, int64_t rows, int64_t inner,
                         float* dst) = nullptr;
  // Rows of a packed left tile for gemm_tile_bf16 (gemm_mr where it is the same tile shape).
  int64_t gemm_mr_bf16 = 0;
  // bf16 products gemm_tile_bf16 takes: slots (ceil(inner / 2)) a multiple of
  // bf16_k_multiple, at least bf16_min_rows rows; the others run on bf16_fallback's.
  int64_t bf16_k_multiple = 1;
  int64_t bf16_min_rows = 1;
  const KernelTable* bf16_fallback = nullptr;
  // c[r, j] = act(c[r, j] + bias[j]) over rows x cols (bias may be NULL).
  void (*bias_activation)(float* c, int64_t ldc, int64_t rows, int64_t cols, const float* bias,
                          Activation act) = nullptr;
  // y = act(x), n elements (y may alias x).
  void (*activation)(const float* x, float* y, int64_t n, Activation act) = nullptr;
  // y = silu(gate) * up.
  void (*swiglu)(const float* gate, const float* up, float* y, int64_t n) = nullptr;
  // Rotary embedding of one row of n (even) elements: y[c] = x[c] * cosines[c] + rot[c] *
  // sines[c], rot[c] = -x[c + n/2] for c < n/2, x[c - n/2] otherwise (y may alias x).
  void (*rope_row)(const float* x, const float* cosines, const float* sines, float* y,
                   int64_t n) = nullptr;
  // Softmax of one row; false (nothing written) when the row holds NaN or infinities.
  bool (*softmax_row)(const float* x, float* y, int64_t n) = nullptr;
  // (x - mean) / sqrt(var + eps) * scale + bias (bias may be NULL).
  void (*layer_norm_row)(const float* x, float* y, int64_t n, const float* scale, const float* bias,
                         float eps) = nullptr;
  // x / sqrt(mean(x^2) + eps) * scale.
  void (*rms_norm_row)(const float* x, float* y, int64_t n, const float* scale,
                       float eps) = nullptr;
  // y = exp(x - shift); returns the sum of y. -inf in x gives (nearly) 0.
  float (*exp_sum)(const float* x, float shift, float* y, int64_t n) = nullptr;
  // Largest element of a row; -inf when empty.
  float (*row_max)(const float* x, int64_t n) = nullptr;
  // y = x * scale (+ add unless NULL), returning the largest y (y may alias x).
  float (*scale_add_max)(const float* x, float scale, const float* add, float* y,
                         int64_t n) = nullptr;
  float (*dot)(const float* a, const float* b, int64_t n) = nullptr;
  // y += alpha * x.
  void (*axpy)(float alpha, const float* x, float* y, int64_t n) = nullptr;
  // y = x * alpha.
  void (*scale)(const float* x, float alpha, float* y, int64_t n) = nullptr;
  // y = a + b or a * b elementwise (y may alias a or b).
  void (*add)(const float* a, const float* b, float* y, int64_t n) = nullptr;
  void (*mul)(const float* a, const float* b, float* y, int64_t n) = nullptr;
};

// The table of a path; a path this build or CPU lacks gives the portable table.
const KernelTable& KernelsFor(Isa isa);
// KernelsFor(ActiveIsa()).
const KernelTable& ActiveKernels();

// Per-path tables (kernels_portable.cc, kernels_avx2.cc, kernels_avx512.cc); the x86
// ones return NULL when not built for x86-64.
const KernelTable* PortableKernels();
const KernelTable* Avx2Kernels();
const KernelTable* Avx512Kernels();
// The AVX-512 table plus the bf16 tile (kernels_avx512_bf16.cc); NULL when not built.
const KernelTable* Avx512Bf16Kernels();
// The AVX-512 BF16 table with bf16 products on AMX tiles (kernels_amx_bf16.cc); NULL when
// not built. Only for CPUs where AmxBf16Usable().
const KernelTable* AmxBf16Kernels();
// Whether the AMX tile may run here: the CPU has AMX-BF16, the kernel granted the tile
// state, HETERO_CPU_AMX is not 0, and a self-test (in a child process) matched the
// AVX-512 BF16 tile. Decided once per process; a failed self-test says so on stderr.
bool AmxBf16Usable();

}  // namespace hetero::cpu
