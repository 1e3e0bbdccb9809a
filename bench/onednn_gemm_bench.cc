// oneDNN's f32 matmul at the shapes of bench/cpu_gemm_bench, for holding hetero's GEMM
// against a library (docs/cpu-kernels.md, "Why not Highway or oneDNN"): weights reordered
// once into the layout oneDNN picks (as hetero packs them at compile time), then the best
// of 20 products on one thread. Built only where libdnnl-dev is installed; run it with
// OMP_NUM_THREADS=1 (Debian's oneDNN is built on OpenMP).
//   onednn_gemm_bench [--shapes MxKxN,...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <dnnl.hpp>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/gemm_shapes.h"

namespace {

using hetero::bench::GemmShape;

double BestSeconds(dnnl::matmul& product, dnnl::stream& stream,
                   const std::unordered_map<int, dnnl::memory>& args) {
  double best = 1e30;
  for (int r = 0; r < 20; ++r) {
    const auto start = std::chrono::steady_clock::now();
    product.execute(stream, args);
    stream.wait();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<GemmShape> shapes = hetero::bench::DefaultGemmShapes();
  if (argc == 3 && std::string(argv[1]) == "--shapes") {
    shapes.clear();
    if (!hetero::bench::ParseGemmShapes(argv[2], &shapes)) argc = 0;
  }
  if (argc != 1 && argc != 3) {
    std::fprintf(stderr, "usage: onednn_gemm_bench [--shapes MxKxN,...]\n");
    return 2;
  }
  using dnnl::memory;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  std::printf("| oneDNN %d.%d implementation | M x K x N | ms | GFLOP/s |\n|---|---|---|---|\n",
              dnnl_version()->major, dnnl_version()->minor);
  for (const GemmShape& s : shapes) {
    const memory::desc a_md({s.m, s.k}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc b_plain({s.k, s.n}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc b_any({s.k, s.n}, memory::data_type::f32, memory::format_tag::any);
    const memory::desc c_md({s.m, s.n}, memory::data_type::f32, memory::format_tag::ab);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_any, c_md), engine);
    std::vector<float> a(s.m * s.k), b(s.k * s.n), c(s.m * s.n);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (float& x : a) x = dist(rng);
    for (float& x : b) x = dist(rng);
    memory a_mem(a_md, engine, a.data()), b_mem(b_plain, engine, b.data());
    memory c_mem(c_md, engine, c.data()), b_packed(pd.weights_desc(), engine);
    dnnl::reorder(b_mem, b_packed).execute(stream, b_mem, b_packed);
    stream.wait();
    dnnl::matmul product(pd);
    const double secs =
        BestSeconds(product, stream,
                    {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_packed}, {DNNL_ARG_DST, c_mem}});
    std::printf("| %s | %ldx%ldx%ld | %.3f | %.1f |\n", pd.impl_info_str(), static_cast<long>(s.m),
                static_cast<long>(s.k), static_cast<long>(s.n), secs * 1e3,
                2.0 * s.m * s.n * s.k / secs / 1e9);
  }
  return 0;
}
