// hetero-conformance --plugin NAME|PATH [gtest flags]: runs the conformance suite
// against one plugin and prints what passes, mandatory and optional apart.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

constexpr const char* kUsage =
    "usage: hetero-conformance --plugin NAME|PATH [gtest flags]\n"
    "  NAME: a built-in plugin (cpu) or libhetero_plugin_NAME.so on HETERO_PLUGIN_PATH\n"
    "  PATH: a plugin module; HETERO_CONFORMANCE_PLUGIN may be given instead of --plugin\n";

bool IsOptional(const ::testing::TestInfo& t) {
  return std::strncmp(t.test_suite_name(), "Optional", 8) == 0 ||
         std::strncmp(t.name(), "Optional", 8) == 0;
}

// Tallies results by scope and prints skip reasons, then a summary.
class Summary : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& t) override {
    auto& counts = IsOptional(t) ? optional_ : mandatory_;
    const auto* r = t.result();
    if (r->Skipped()) {
      ++counts.skipped;
      std::string reason;
      for (int i = 0; i < r->total_part_count(); ++i) {
        if (r->GetTestPartResult(i).skipped()) reason = r->GetTestPartResult(i).message();
      }
      skips_[std::string(t.test_suite_name()) + "." + t.name()] = reason;
    } else if (r->Failed()) {
      ++counts.failed;
    } else {
      ++counts.passed;
    }
  }
  void OnTestProgramEnd(const ::testing::UnitTest&) override {
    const Target& target = GetTarget();
    std::printf("\nconformance of plugin '%s' (%s, version %s, ABI %u.%u)\n",
                target.library->name().c_str(), target.library->label().c_str(),
                target.library->version().c_str(), target.library->api().abi_major,
                target.library->negotiated_minor());
    std::printf("  mandatory: %d passed, %d failed, %d skipped\n", mandatory_.passed,
                mandatory_.failed, mandatory_.skipped);
    std::printf("  optional:  %d passed, %d failed, %d skipped\n", optional_.passed,
                optional_.failed, optional_.skipped);
    const Tally& tally = GetTally();
    std::printf("  op cases: %d claimed and matched the reference or failed above, %d declined\n",
                tally.claimed_cases, tally.declined_cases);
    if (!tally.notes.empty()) {
      std::printf("  %zu op/dtype pairs with no claimed case, e.g. %s\n", tally.notes.size(),
                  tally.notes.front().c_str());
    }
    for (const auto& [name, reason] : skips_) {
      std::printf("  skipped %s: %s\n", name.c_str(), reason.c_str());
    }
  }

 private:
  struct Counts {
    int passed = 0, failed = 0, skipped = 0;
  };
  Counts mandatory_, optional_;
  std::map<std::string, std::string> skips_;
};

}  // namespace
}  // namespace hetero::conformance

int main(int argc, char** argv) {
  std::string plugin;
  if (const char* env = std::getenv("HETERO_CONFORMANCE_PLUGIN")) plugin = env;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin" && i + 1 < argc) {
      plugin = argv[++i];
    } else if (arg.rfind("--plugin=", 0) == 0) {
      plugin = arg.substr(9);
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(hetero::conformance::kUsage, stdout);
      return 0;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (plugin.empty()) {
    std::fputs(hetero::conformance::kUsage, stderr);
    return 2;
  }
  hetero::Status loaded = hetero::conformance::LoadTarget(plugin);
  if (!loaded.ok()) {
    std::fprintf(stderr, "hetero-conformance: %s\n", loaded.message().c_str());
    return 1;
  }
  int gtest_argc = static_cast<int>(rest.size());
  ::testing::InitGoogleTest(&gtest_argc, rest.data());
  ::testing::UnitTest::GetInstance()->listeners().Append(new hetero::conformance::Summary());
  return RUN_ALL_TESTS();
}
