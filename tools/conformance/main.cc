// hetero-conformance --plugin NAME|PATH [--compute-dtype D] [--compile-options S]
// [gtest flags]: runs the
// conformance suite against one plugin and prints what passes, mandatory and optional apart.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "tests/conformance/conformance.h"
#include "tools/conformance/compute_format.h"

namespace hetero::conformance {
namespace {

constexpr const char* kUsage =
    "usage: hetero-conformance --plugin NAME|PATH [--compute-dtype D] [--compile-options S]\n"
    "                          [gtest flags]\n"
    "  NAME: a built-in plugin (cpu) or libhetero_plugin_NAME.so on HETERO_PLUGIN_PATH\n"
    "  PATH: a plugin module; HETERO_CONFORMANCE_PLUGIN may be given instead of --plugin\n"
    "  D: the format the device computes f32 graphs in (f32 bf16 f16 f8e4m3 i8); default:\n"
    "     derived from device 0's peak_flops (docs/plugin-guide.md, conformance suite)\n"
    "  S: the compile options every op case is compiled with (e.g. precision=bf16)\n";

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
    const ComputeFormat& format = GetComputeFormat();
    if (!CompileOptions().empty()) {
      std::printf("  compile options: %s\n", CompileOptions().c_str());
    }
    std::printf("  compute format: %s (%s)", std::string(DTypeName(format.dtype)).c_str(),
                format.source.c_str());
    if (format.dtype != DType::kF32) {
      const NarrowComparison c = NarrowComparisonOf(format.dtype);
      const WorstDeviation& w = GetWorstDeviation();
      std::printf(
          "\n    wider float outputs: max and rms rel error <= %.3g (cosine >= %.7f, rms >= 1)"
          "\n    measured over %lld outputs: max rel error %.3g, rms rel error %.3g, "
          "lowest cosine (rms >= 1) %.7f",
          c.max_rel, c.min_cosine, static_cast<long long>(w.outputs), w.max_rel, w.rms_rel,
          w.min_cosine);
    }
    std::printf("\n");
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

// The compute format: `flag` when given, else derived from device 0's properties.
hetero::Status ChooseComputeFormat(const std::string& flag) {
  if (!flag.empty()) {
    HETERO_ASSIGN_OR_RETURN(DType dtype, ParseComputeDType(flag));
    SetComputeFormat({dtype, "--compute-dtype"});
    return hetero::OkStatus();
  }
  const Target& target = GetTarget();
  auto plugin = plugins::Plugin::Create(target.library, target.host);
  if (!plugin.ok()) return hetero::OkStatus();  // the suite reports it
  auto count = (*plugin)->DeviceCount();
  if (!count.ok() || *count == 0) return hetero::OkStatus();
  HETERO_ASSIGN_OR_RETURN(plugins::DeviceProperties properties, (*plugin)->Properties(0));
  SetComputeFormat({DeriveComputeDType(properties), "derived from the peak_flops of device 0"});
  return hetero::OkStatus();
}

}  // namespace
}  // namespace hetero::conformance

int main(int argc, char** argv) {
  std::string plugin, compute_dtype;
  if (const char* env = std::getenv("HETERO_CONFORMANCE_PLUGIN")) plugin = env;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plugin" && i + 1 < argc) {
      plugin = argv[++i];
    } else if (arg.rfind("--plugin=", 0) == 0) {
      plugin = arg.substr(9);
    } else if (arg == "--compute-dtype" && i + 1 < argc) {
      compute_dtype = argv[++i];
    } else if (arg.rfind("--compute-dtype=", 0) == 0) {
      compute_dtype = arg.substr(16);
    } else if (arg == "--compile-options" && i + 1 < argc) {
      hetero::conformance::SetCompileOptions(argv[++i]);
    } else if (arg.rfind("--compile-options=", 0) == 0) {
      hetero::conformance::SetCompileOptions(arg.substr(18));
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
  hetero::Status format = hetero::conformance::ChooseComputeFormat(compute_dtype);
  if (!format.ok()) {
    std::fprintf(stderr, "hetero-conformance: %s\n", format.message().c_str());
    return 2;
  }
  int gtest_argc = static_cast<int>(rest.size());
  ::testing::InitGoogleTest(&gtest_argc, rest.data());
  ::testing::UnitTest::GetInstance()->listeners().Append(new hetero::conformance::Summary());
  return RUN_ALL_TESTS();
}
