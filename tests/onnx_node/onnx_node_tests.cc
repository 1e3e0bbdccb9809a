// onnx_node_tests: ONNX's backend node tests through the importer and reference executor.
//
// Usage: onnx_node_tests DIR [NAME_SUBSTRING...]
// Prints PASS / FAIL / SKIP per test and a summary; exits 1 iff an in-scope test failed
// (or DIR is missing), 2 on a usage error.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/onnx_node/node_test_case.h"

namespace {

namespace fs = std::filesystem;
using hetero::onnx_node::Outcome;

constexpr const char* kHowToGetData =
    "The data ships in the onnx 1.16.2 wheel. Fetch it with\n"
    "  tests/onnx_node/fetch_node_tests.sh %s\n"
    "or point the CMake cache variable HETERO_ONNX_NODE_TEST_DIR at a folder of node tests\n"
    "(onnx/backend/test/data/node from that wheel).\n";

bool Selected(const std::string& name, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  return std::any_of(filters.begin(), filters.end(),
                     [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

// category → (detail → count)
using SkipTable = std::map<std::string, std::map<std::string, int>>;

void PrintSkips(const SkipTable& skips) {
  for (const auto& [category, details] : skips) {
    int total = 0;
    std::vector<std::pair<int, std::string>> by_count;
    for (const auto& [detail, count] : details) {
      total += count;
      by_count.emplace_back(-count, detail);
    }
    std::sort(by_count.begin(), by_count.end());
    std::string list;
    for (const auto& [neg_count, detail] : by_count) {
      if (!list.empty()) list += ", ";
      list += (detail.empty() ? "-" : detail) + ": " + std::to_string(-neg_count);
    }
    std::printf("  skipped %4d  %s (%s)\n", total, category.c_str(), list.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: onnx_node_tests DIR [NAME_SUBSTRING...]\n");
    return 2;
  }
  const fs::path dir = argv[1];
  const std::vector<std::string> filters(argv + 2, argv + argc);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::fprintf(stderr, "FAIL: no ONNX node tests at %s\n", dir.c_str());
    std::fprintf(stderr, kHowToGetData, dir.c_str());
    return 1;
  }
  std::vector<fs::path> tests;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "model.onnx") &&
        Selected(entry.path().filename().string(), filters)) {
      tests.push_back(entry.path());
    }
  }
  std::sort(tests.begin(), tests.end());
  if (tests.empty()) {
    std::fprintf(stderr, "FAIL: %s holds no node tests%s\n", dir.c_str(),
                 filters.empty() ? "" : " matching the filters");
    std::fprintf(stderr, kHowToGetData, dir.c_str());
    return 1;
  }
  int passed = 0, failed = 0, skipped = 0;
  SkipTable skips;
  for (const fs::path& test : tests) {
    const std::string name = test.filename().string();
    const Outcome outcome = hetero::onnx_node::RunNodeTest(test);
    switch (outcome.kind) {
      case Outcome::Kind::kPass:
        ++passed;
        std::printf("PASS %s%s%s%s\n", name.c_str(), outcome.message.empty() ? "" : " (",
                    outcome.message.c_str(), outcome.message.empty() ? "" : ")");
        break;
      case Outcome::Kind::kFail:
        ++failed;
        std::printf("FAIL %s: %s\n", name.c_str(), outcome.message.c_str());
        break;
      case Outcome::Kind::kSkip:
        ++skipped;
        ++skips[outcome.skip.category][outcome.skip.detail];
        std::printf("SKIP %s: %s\n", name.c_str(), outcome.skip.text.c_str());
        break;
    }
  }
  std::printf("\nonnx node tests: %d passed, %d failed, %d skipped, %zu in all\n", passed, failed,
              skipped, tests.size());
  PrintSkips(skips);
  return failed > 0 ? 1 : 0;
}
