// FMA and dot-product throughput: 12 independent accumulator chains (more than latency x
// units on the CPUs we know), no memory traffic, best of a few repetitions.
#include "devices/cpu/kernels/fma_peak.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace hetero::cpu {
namespace {

constexpr long kIters = 100'000;
constexpr int kChains = 12;
constexpr int kRepetitions = 5;

#if defined(__x86_64__)
// One timed loop per vector width; the chains' lanes go to *sink so the work stays.
__attribute__((target("avx512f"))) double Avx512Seconds(float* sink) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(0.1f * static_cast<float>(c));
  const __m512 x = _mm512_set1_ps(0.9999999f), y = _mm512_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], x, y);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  alignas(64) float lanes[16];
  for (int c = 0; c < kChains; ++c) {
    _mm512_store_ps(lanes, acc[c]);
    *sink += lanes[0];
  }
  return took.count();
}

__attribute__((target("avx2,fma"))) double Avx2Seconds(float* sink) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(0.1f * static_cast<float>(c));
  const __m256 x = _mm256_set1_ps(0.9999999f), y = _mm256_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], x, y);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  alignas(32) float lanes[8];
  for (int c = 0; c < kChains; ++c) {
    _mm256_store_ps(lanes, acc[c]);
    *sink += lanes[0];
  }
  return took.count();
}

// 12 chains of bf16 pair dot products (vdpbf16ps: 16 lanes x 2 products x 2 FLOP).
__attribute__((target("avx512f,avx512bf16"))) double Bf16DotSeconds(float* sink) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(0.1f * static_cast<float>(c));
  const __m512bh x = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-3f), _mm512_set1_ps(1e-3f));
  const auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], x, x);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  alignas(64) float lanes[16];
  for (int c = 0; c < kChains; ++c) {
    _mm512_store_ps(lanes, acc[c]);
    *sink += lanes[0];
  }
  return took.count();
}

// acc += a . b, u8 x s8 quads; in asm as the int8 tile writes it (GCC 12 copies the
// accumulator of the intrinsic).
__attribute__((target("avx512f,avx512vnni"), always_inline)) inline __m512i Dot4(__m512i acc,
                                                                                 __m512i a,
                                                                                 __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

// 12 chains of u8 x s8 quad dot products (vpdpbusd: 16 lanes x 4 products x 2 ops).
__attribute__((target("avx512f,avx512vnni"))) double Int8DotSeconds(float* sink) {
  __m512i acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_epi32(c);
  const __m512i x = _mm512_set1_epi8(1);
  const auto start = std::chrono::steady_clock::now();
  for (long it = 0; it < kIters; ++it) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = Dot4(acc[c], x, x);
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  alignas(64) int32_t lanes[16];
  for (int c = 0; c < kChains; ++c) {
    _mm512_store_si512(lanes, acc[c]);
    *sink += static_cast<float>(lanes[0]);
  }
  return took.count();
}

// ops_per_loop operations per iteration of `timed`, best of kRepetitions.
template <typename Timed>
double Rate(Timed timed, double ops_per_iteration) {
  float sink = 0;
  double best = 1e30;
  for (int r = 0; r < kRepetitions; ++r) best = std::min(best, timed(&sink));
  if (sink == 12345.0f) best *= 1.0000001;  // keeps the sums alive
  return best > 0 ? ops_per_iteration * kIters / best : 0;
}
#endif

}  // namespace

double MeasureBf16DotFlops() {
#if defined(__x86_64__)
  if (!CpuHasAvx512Bf16()) return 0;
  return Rate(Bf16DotSeconds, 4.0 * 16 * kChains);
#else
  return 0;
#endif
}

double MeasureInt8DotOps() {
#if defined(__x86_64__)
  if (!CpuHasAvx512Vnni()) return 0;
  return Rate(Int8DotSeconds, 8.0 * 16 * kChains);
#else
  return 0;
#endif
}

double MeasureFmaFlops(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::kPortable) return 0;
  if (isa == Isa::kAvx512) return Rate(Avx512Seconds, 2.0 * 16 * kChains);
  return Rate(Avx2Seconds, 2.0 * 8 * kChains);
#else
  (void)isa;
  return 0;
#endif
}

}  // namespace hetero::cpu
