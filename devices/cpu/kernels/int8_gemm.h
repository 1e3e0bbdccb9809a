// int8 GEMM for QuantMatMul: int8 weights packed once with their column sums and scales,
// activations quantized to u8 per row while they are packed, int32 sums, an f32 epilogue.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/kernel_table.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/reference/quant_matmul.h"

namespace hetero::cpu {

// Slots of a packed int8 panel: each holds 4 consecutive k of one column, so one row of
// a panel (kGemmNr slots, 128 bytes) is what a u8 x s8 4-way dot product instruction
// reads (vpdpbusd: 16 slots per zmm).
inline constexpr int64_t kInt8SlotK = 4;

// A [k, n] int8 matrix as ceil(n / kGemmNr) panels; panel p holds k4 = ceil(k / 4) rows
// of kGemmNr 4-byte slots, byte i of slot (kk, j) being b[4 kk + i, p kGemmNr + j] (zero
// past k and n). col_sum[j] is the sum of column j (for the zero point correction);
// col_scale[j] its scale. Immutable once built; shared freely.
struct PackedInt8Weights {
  int64_t k = 0;
  int64_t k4 = 0;
  int64_t n = 0;
  int64_t panels = 0;
  std::vector<int8_t> data;
  std::vector<int32_t> col_sum;  // panels * kGemmNr, zero past n
  std::vector<float> col_scale;  // panels * kGemmNr, zero past n
  const int8_t* Panel(int64_t p) const { return data.data() + p * k4 * kGemmNr * kInt8SlotK; }
};

// Packs b (i8 [k, n], or [n, k] when transposed) with its scales (one value, or n).
StatusOr<std::shared_ptr<const PackedInt8Weights>> PackInt8Weights(const Tensor& b, bool transposed,
                                                                   const Tensor& scale);

// One int8 tile: c[r, j] = f32(sum_kk a_r . b_j - zero_point[r] * col_sum[j]) *
// (row_scale[r] * col_scale[j]) over rows x cols. a_packed holds k4 groups of `mr`
// slots (row r of step kk at [kk * mr + r], 4 u8 each); b_panel is one packed panel.
struct Int8Tile {
  const uint32_t* a_packed = nullptr;
  const int8_t* b_panel = nullptr;
  int64_t k4 = 0;
  const int32_t* row_zero_point = nullptr;  // rows values
  const float* row_scale = nullptr;         // rows values
  const int32_t* col_sum = nullptr;         // kGemmNr values
  const float* col_scale = nullptr;         // kGemmNr values
  float* c = nullptr;
  int64_t ldc = 0;
  int64_t rows = 0;  // 1..mr
  int64_t cols = 0;  // 1..kGemmNr
};

struct Int8Kernels {
  const char* name = "portable";
  int64_t mr = 4;
  void (*tile)(const Int8Tile& tile) = nullptr;
  // A row's min(0, min x), max(0, max x) and whether every element is finite.
  void (*row_range)(const float* x, int64_t k, float* lo, float* hi, bool* finite) = nullptr;
  // ops::reference::QuantizeRowU8, with the same results.
  void (*quantize_row)(const float* x, int64_t k, ops::reference::RowQuantization params,
                       uint8_t* q) = nullptr;
  // Packed activations: 0, slot kk of row r at [kk * mr + r]; s > 0 (AMX), in steps of s
  // slots, each mr rows of s slots: [(kk / s) * s * mr + r * s + kk % s].
  int64_t step_slots = 0;
  // Products the tile takes: k4 a multiple of k4_multiple, at least min_rows rows; the
  // others run on `fallback`'s tile.
  int64_t k4_multiple = 1;
  int64_t min_rows = 1;
  const Int8Kernels* fallback = nullptr;
};

// The portable row_range (also the vector ones' tail).
void RowRangePortable(const float* x, int64_t k, float* lo, float* hi, bool* finite);

// The int8 tile of a code path: AVX-512 VNNI (vpdpbusd) on the avx512 path when the CPU
// has it, AVX2 (vpmaddwd on widened values) on the avx2 path, else portable C++.
// Every tile computes the same int32 sums and the same epilogue: results are identical.
const Int8Kernels& Int8KernelsFor(Isa isa);
// Per-path tiles (int8_*.cc); the x86 ones are NULL when not built for x86-64.
const Int8Kernels* PortableInt8Kernels();
const Int8Kernels* Avx2Int8Kernels();
const Int8Kernels* Avx512VnniInt8Kernels();
// The VNNI kernels with the tile on AMX (kernels_amx.cc); NULL when not built. Only for
// CPUs where AmxInt8Usable().
const Int8Kernels* AmxInt8Kernels();
// Whether the AMX int8 tile may run here: as AmxBf16Usable() (kernel_table.h), for
// AMX-INT8, its self-test matching the VNNI tile's bits.
bool AmxInt8Usable();

struct QuantGemmArgs {
  const float* a = nullptr;  // [m, k], rows lda apart
  int64_t m = 0;
  int64_t lda = 0;
  const PackedInt8Weights* b = nullptr;
  // Static activation quantization (QuantMatMul's a_scale); dynamic per row when false.
  bool static_activation = false;
  ops::reference::RowQuantization activation_quant;
  const float* bias = nullptr;  // n floats or NULL
  Activation activation = Activation::kNone;
  float* c = nullptr;  // [m, n], rows ldc apart
  int64_t ldc = 0;
};

// c = activation(QuantMatMul(a, b) + bias), as ops::reference::QuantMatMul defines it.
// Rows are quantized and packed in parallel, then blocks of the output run as tasks
// through `parallel_for` (NULL: on the calling thread). Fails only when memory for the
// packed activations cannot be had.
Status QuantGemm(const KernelTable& kernels, const QuantGemmArgs& args,
                 const ParallelForFn& parallel_for);
// The int8 kernels whose tile QuantGemmOn runs the product on: `chosen`, or its fallback
// for a product its tile does not take (too few rows, k not in whole tile steps).
const Int8Kernels& Int8KernelsTaking(const Int8Kernels& chosen, const QuantGemmArgs& args);

// The same on the given int8 kernels (QuantGemm uses Int8KernelsFor(kernels.isa)).
Status QuantGemmOn(const KernelTable& kernels, const Int8Kernels& int8, const QuantGemmArgs& args,
                   const ParallelForFn& parallel_for);

}  // namespace hetero::cpu
