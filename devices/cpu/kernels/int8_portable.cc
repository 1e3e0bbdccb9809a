// The portable int8 tile: 4 rows x up to 32 columns in plain C++, the reference's sums.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "devices/cpu/kernels/int8_gemm.h"

namespace hetero::cpu {
namespace {

constexpr int64_t kMr = 4;

// All rows at once, so each weight byte is loaded once per step; the 4 products of a
// slot are summed in int32 (exact) before they are added.
template <int kRows>
void Block(const Int8Tile& t) {
  int32_t acc[kRows][kGemmNr] = {};
  for (int64_t kk = 0; kk < t.k4; ++kk) {
    uint8_t a[kMr][kInt8SlotK];
    std::memcpy(a, t.a_packed + kk * kMr, sizeof(a));
    const int8_t* b = t.b_panel + kk * kGemmNr * kInt8SlotK;
    for (int64_t j = 0; j < kGemmNr; ++j) {
      const int32_t w0 = b[j * 4], w1 = b[j * 4 + 1], w2 = b[j * 4 + 2], w3 = b[j * 4 + 3];
      for (int r = 0; r < kRows; ++r) {
        acc[r][j] += a[r][0] * w0 + a[r][1] * w1 + a[r][2] * w2 + a[r][3] * w3;
      }
    }
  }
  for (int r = 0; r < kRows; ++r) {
    for (int64_t j = 0; j < t.cols; ++j) {
      // Unsigned: the int32 wrap the SIMD tiles have (the true sum always fits).
      const auto fixed = static_cast<int32_t>(static_cast<uint32_t>(acc[r][j]) -
                                              static_cast<uint32_t>(t.row_zero_point[r]) *
                                                  static_cast<uint32_t>(t.col_sum[j]));
      t.c[r * t.ldc + j] = static_cast<float>(fixed) * (t.row_scale[r] * t.col_scale[j]);
    }
  }
}

void Int8TilePortable(const Int8Tile& t) {
  static constexpr void (*kByRows[kMr + 1])(const Int8Tile&) = {nullptr, Block<1>, Block<2>,
                                                                Block<3>, Block<4>};
  kByRows[t.rows](t);
}

}  // namespace

void RowRangePortable(const float* x, int64_t k, float* lo, float* hi, bool* finite) {
  float l = 0.0f, h = 0.0f;
  bool f = true;
  for (int64_t i = 0; i < k; ++i) {
    f = f && std::isfinite(x[i]);
    l = std::min(l, x[i]);
    h = std::max(h, x[i]);
  }
  *lo = l;
  *hi = h;
  *finite = f;
}

const Int8Kernels* PortableInt8Kernels() {
  static const Int8Kernels kernels{"portable", kMr, Int8TilePortable, RowRangePortable,
                                   ops::reference::QuantizeRowU8};
  return &kernels;
}

}  // namespace hetero::cpu
