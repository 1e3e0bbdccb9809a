// A 16 x 16 register transpose of floats on AVX-512: included by the AVX-512 paths' files
// (kernels_avx512.cc, kernels_avx512_bf16.cc) inside their own namespace, under their
// target pragma. No include guard: it is meant to be included once per path.

// Transposes 16 rows of 16 floats in registers: on return row[j] holds column j.
__attribute__((always_inline)) inline void Transpose16(__m512 row[16]) {
  __m512 t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(row[2 * i], row[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(row[2 * i], row[2 * i + 1]);
  }
  // u[4 * g + c]: rows 4g..4g+3 of column c of each 128-bit lane.
  __m512 u[16];
#pragma GCC unroll 16
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
#pragma GCC unroll 16
  for (int c = 0; c < 4; ++c) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44);
    const __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44);
    const __m512 v3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
    row[c] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    row[4 + c] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
    row[8 + c] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    row[12 + c] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
  }
}
