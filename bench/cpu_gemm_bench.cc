// GFLOP/s of the CPU device's packed f32 GEMM at transformer shapes, per code path, on one
// thread: the number to hold against the per-core FMA peak (docs/benchmarks.md); then
// GOP/s of the int8 GEMM (QuantMatMul: per-row u8 activations, int8 weights) per path.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench/gemm_shapes.h"
#include "devices/cpu/kernels/fma_peak.h"
#include "devices/cpu/kernels/gemm.h"
#include "devices/cpu/kernels/int8_gemm.h"

namespace {

using hetero::cpu::Isa;

using hetero::bench::GemmShape;

double BestSeconds(const hetero::cpu::KernelTable& kt, const hetero::cpu::GemmArgs& g, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (!hetero::cpu::Gemm(kt, g, nullptr).ok()) return -1;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

double BestSecondsInt8(const hetero::cpu::KernelTable& kt, const hetero::cpu::Int8Kernels& ik,
                       const hetero::cpu::QuantGemmArgs& g, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (!hetero::cpu::QuantGemmOn(kt, ik, g, nullptr).ok()) return -1;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

// The int8 GEMM (activation quantization included) on every path, same shapes; on the
// avx512 path, where the CPU has AMX, on the VNNI tile and on AMX tiles.
int BenchInt8(const std::vector<GemmShape>& shapes, const std::vector<Isa>& paths) {
  std::vector<std::pair<Isa, const hetero::cpu::Int8Kernels*>> passes;
  for (Isa isa : paths) {
    const hetero::cpu::Int8Kernels& chosen = hetero::cpu::Int8KernelsFor(isa);
    if (chosen.fallback != nullptr) passes.emplace_back(isa, chosen.fallback);
    passes.emplace_back(isa, &chosen);
  }
  for (const auto& [isa, ik] : passes) {
    const auto& kt = hetero::cpu::KernelsFor(isa);
    for (const GemmShape& s : shapes) {
      const int64_t m = s.m, k = s.k, n = s.n;
      std::mt19937 rng(7);
      std::uniform_real_distribution<float> dist(-1, 1);
      std::uniform_int_distribution<int> weight(-127, 127);
      std::vector<float> a(m * k), c(m * n);
      std::vector<int64_t> b(k * n);
      for (float& x : a) x = dist(rng);
      for (int64_t& x : b) x = weight(rng);
      const hetero::Tensor bt = hetero::Tensor::FromInt64({k, n}, b, hetero::DType::kI8);
      auto packed = hetero::cpu::PackInt8Weights(bt, false, hetero::Tensor::FromFloat({}, {0.01f}));
      if (!packed.ok()) return 1;
      hetero::cpu::QuantGemmArgs g;
      g.a = a.data();
      g.m = m;
      g.lda = k;
      g.b = packed->get();
      g.c = c.data();
      g.ldc = n;
      const double secs = BestSecondsInt8(kt, *ik, g, isa == Isa::kPortable ? 3 : 20);
      // The tile that ran: an AMX tile leaves some shapes to its fallback.
      std::printf("| %s int8 (%s tile) | %ldx%ldx%ld | %.3f | %.1f |\n", hetero::cpu::IsaName(isa),
                  hetero::cpu::Int8KernelsTaking(*ik, g).name, static_cast<long>(m),
                  static_cast<long>(k), static_cast<long>(n), secs * 1e3,
                  2.0 * m * n * k / secs / 1e9);
    }
  }
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: cpu_gemm_bench [--shapes MxKxN,...] [--isa portable|avx2|avx512] "
               "[--no-int8] [--cold]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<GemmShape> shapes = hetero::bench::DefaultGemmShapes();
  std::vector<Isa> paths;
  bool int8 = true;
  bool cold = false;  // weights read from memory (--cold), not from cache
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-int8") {
      int8 = false;
      continue;
    }
    if (flag == "--cold") {
      cold = true;
      continue;
    }
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    Isa isa{};
    if (flag == "--shapes") {
      shapes.clear();
      if (!hetero::bench::ParseGemmShapes(value, &shapes)) return Usage();
    } else if (flag == "--isa" && hetero::cpu::ParseIsa(value, &isa)) {
      if (isa > hetero::cpu::DetectedIsa()) {
        std::fprintf(stderr, "cpu_gemm_bench: this CPU has no %s path\n", value.c_str());
        return 2;
      }
      paths.push_back(isa);
    } else {
      return Usage();
    }
  }
  if (paths.empty()) {
    for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
      if (isa <= hetero::cpu::DetectedIsa()) paths.push_back(isa);
    }
  }
  const Isa widest = hetero::cpu::DetectedIsa();
  if (widest != Isa::kPortable) {
    double best = 0;
    for (int r = 0; r < 10; ++r) best = std::max(best, hetero::cpu::MeasureFmaFlops(widest));
    std::printf("f32 FMA peak, one core (%s): %.1f GFLOP/s\n\n", hetero::cpu::IsaName(widest),
                best / 1e9);
  }
  std::printf("| path | M x K x N | ms | GFLOP/s |\n|---|---|---|---|\n");
  // After the f32 passes: the AVX-512 path with bf16 weights, where the CPU has AVX-512 BF16,
  // on its vdpbf16ps tile and, where the CPU has AMX, on AMX tiles too.
  struct Pass {
    Isa isa;
    bool bf16;
    const hetero::cpu::KernelTable* table;
  };
  std::vector<Pass> passes;
  for (Isa isa : paths) passes.push_back({isa, false, &hetero::cpu::KernelsFor(isa)});
  if (std::find(paths.begin(), paths.end(), Isa::kAvx512) != paths.end() &&
      hetero::cpu::CpuHasAvx512Bf16()) {
    passes.push_back({Isa::kAvx512, true, hetero::cpu::Avx512Bf16Kernels()});
    if (hetero::cpu::AmxBf16Usable()) {
      passes.push_back({Isa::kAvx512, true, hetero::cpu::AmxBf16Kernels()});
    }
  }
  for (const auto& [isa, bf16, table] : passes) {
    const auto& kt = *table;
    for (const GemmShape& s : shapes) {
      const int64_t m = s.m, k = s.k, n = s.n;
      std::mt19937 rng(7);
      std::uniform_real_distribution<float> dist(-1, 1);
      std::vector<float> a(m * k), b(k * n), c(m * n);
      for (float& x : a) x = dist(rng);
      for (float& x : b) x = dist(rng);
      auto packed = hetero::cpu::PackWeights(
          hetero::Tensor::Borrow(hetero::DType::kF32, {k, n}, b.data(), nullptr), false, bf16);
      if (!packed.ok()) return 1;
      hetero::cpu::GemmArgs g;
      g.a = a.data();
      g.m = m;
      g.lda = k;
      g.b = (*packed)->View();
      g.c = c.data();
      g.ldc = n;
      double secs = BestSeconds(kt, g, isa == Isa::kPortable ? 3 : 20);
      if (cold) {
        // Weights as in a model larger than the caches: copies of b (64 MiB in all) used
        // in turn, so each product reads its weights from memory. Median of the rounds.
        const auto& one = **packed;
        const size_t copies = std::max<size_t>(2, (size_t{64} << 20) / (one.data.size() * 4));
        std::vector<hetero::cpu::PackedWeights> many(copies, one);
        std::vector<double> times;
        for (size_t r = 0; r < 4 * copies && times.size() < 200; ++r) {
          g.b = many[r % copies].View();
          const auto start = std::chrono::steady_clock::now();
          if (!hetero::cpu::Gemm(kt, g, nullptr).ok()) return 1;
          times.push_back(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
        secs = times[times.size() / 2];
      }
      // The tile that ran: an AMX table leaves some shapes to its fallback.
      const auto& ran = hetero::cpu::TableFor(kt, g);
      const bool amx = bf16 && ran.bf16_fallback != nullptr;
      std::printf("| %s%s%s%s | %ldx%ldx%ld | %.3f | %.1f |\n", hetero::cpu::IsaName(isa),
                  bf16 ? " bf16" : "", amx ? " amx" : "", cold ? " cold" : "", static_cast<long>(m),
                  static_cast<long>(k), static_cast<long>(n), secs * 1e3,
                  2.0 * m * n * k / secs / 1e9);
    }
  }
  if (!int8) return 0;
  std::printf(
      "\nint8 (GOP/s: 2 M N K integer multiply-adds per second, quantizing a included)\n\n"
      "| path | M x K x N | ms | GOP/s |\n|---|---|---|---|\n");
  return BenchInt8(shapes, paths);
}
