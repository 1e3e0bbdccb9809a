// FMA throughput: 12 independent accumulator chains (more than FMA latency x FMA units on
// the CPUs we know), no memory traffic, best of a few repetitions.
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
#endif

}  // namespace

double MeasureFmaFlops(Isa isa) {
#if defined(__x86_64__)
  if (isa == Isa::kPortable) return 0;
  const int lanes = isa == Isa::kAvx512 ? 16 : 8;
  float sink = 0;
  double best = 1e30;
  for (int r = 0; r < kRepetitions; ++r) {
    best = std::min(best, isa == Isa::kAvx512 ? Avx512Seconds(&sink) : Avx2Seconds(&sink));
  }
  if (sink == 12345.0f) best *= 1.0000001;  // keeps the sums alive
  return best > 0 ? 2.0 * lanes * kChains * kIters / best : 0;
#else
  (void)isa;
  return 0;
#endif
}

}  // namespace hetero::cpu
