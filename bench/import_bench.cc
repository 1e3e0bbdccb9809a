// Import speed: ONNX import + verify of one model file, timed over repetitions, with
// resident memory against the file size. Usage: import_bench MODEL.onnx [REPS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "compiler/ir/verifier.h"
#include "compiler/onnx/importer.h"

namespace {

// VmRSS and VmHWM of this process in bytes.
std::pair<double, double> ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  double rss = 0, hwm = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) * 1024;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::atof(line.c_str() + 6) * 1024;
  }
  return {rss, hwm};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: import_bench MODEL.onnx [REPS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
  const double file_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  const double base_rss = ResidentBytes().first;
  std::vector<double> ms;
  double rss_after = 0;
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto graph = hetero::ImportOnnxFile(path);
    if (!graph.ok()) {
      std::fprintf(stderr, "import_bench: %s\n", graph.status().message().c_str());
      return 1;
    }
    if (auto s = hetero::ir::VerifyGraph(**graph); !s.ok()) {
      std::fprintf(stderr, "import_bench: %s\n", s.message().c_str());
      return 1;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (i == 0) rss_after = ResidentBytes().first;
  }
  std::sort(ms.begin(), ms.end());
  const auto [rss, hwm] = ResidentBytes();
  std::printf("file %.1f MB | import+verify median %.1f ms (min %.1f, max %.1f, n=%d)\n", file_mb,
              ms[ms.size() / 2], ms.front(), ms.back(), reps);
  std::printf("resident: before %.1f MB, with model loaded %.1f MB, peak %.1f MB (now %.1f MB)\n",
              base_rss / 1e6, rss_after / 1e6, hwm / 1e6, rss / 1e6);
  return 0;
}
