// GEMM shapes given on a benchmark's command line: "MxKxN,MxKxN,..." (cpu_gemm_bench,
// onednn_gemm_bench).
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace hetero::bench {

struct GemmShape {
  int64_t m, k, n;
};

// Appends the shapes of `text` to *out; false when an item is not MxKxN with positive
// sizes, or when there is none.
inline bool ParseGemmShapes(const std::string& text, std::vector<GemmShape>* out) {
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    GemmShape s{};
    char x1 = 0, x2 = 0;
    std::stringstream one(item);
    if (!(one >> s.m >> x1 >> s.k >> x2 >> s.n) || x1 != 'x' || x2 != 'x' || s.m <= 0 || s.k <= 0 ||
        s.n <= 0 || !one.eof()) {
      return false;
    }
    out->push_back(s);
  }
  return !out->empty();
}

// The shapes both GEMM benchmarks run by default: BERT-base's products at sequence 128,
// a longer batch, and the memory-bound single row.
inline std::vector<GemmShape> DefaultGemmShapes() {
  return {{128, 768, 768}, {128, 768, 3072}, {128, 3072, 768}, {1024, 768, 768}, {1, 768, 3072}};
}

}  // namespace hetero::bench
