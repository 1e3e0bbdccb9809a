// Runs every case of the fusion golden files on the reference executor before and after
// its passes, with random inputs, and compares the outputs: a fusion may only change
// what a graph computes by float reassociation.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/ir/parser.h"
#include "compiler/passes/fusion_test_util.h"
#include "compiler/passes/pipeline.h"
#include "gtest/gtest.h"
#include "runtime/session/reference_executor.h"

namespace hetero::passes {
namespace {

const std::filesystem::path kPassesDir =
    std::filesystem::path(HETERO_SOURCE_DIR) / "compiler/passes";

struct Case {
  int line = 0;        // where the case starts in its file
  std::string passes;  // from the RUN line in force
  std::string ir;      // the graph text
};

// Splits a golden file as the golden runner does (docs/compiler.md): cases between
// "// -----" lines, a RUN line staying in force until the next one, `//` lines aside.
std::vector<Case> ReadCases(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<Case> cases(1);
  std::string passes, line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line == "// -----") {
      cases.push_back(Case{number + 1, passes, ""});
      continue;
    }
    if (line.rfind("// RUN: --passes ", 0) == 0) {
      passes = line.substr(17);
      cases.back().passes = passes;
    }
    if (line.rfind("//", 0) == 0) continue;
    cases.back().ir += line + "\n";
    if (cases.back().line == 0) cases.back().line = number;
  }
  return cases;
}

// 1e-4 relative for f32 outputs; narrower floats round to their own precision.
double ToleranceFor(DType dtype) { return dtype == DType::kF32 ? 1e-4 : 1e-2; }

// Runs one case with and without `pipeline`; returns whether it changed the graph.
bool ExpectSameOutputs(const Case& c, Pipeline& pipeline) {
  auto original = ir::ParseGraph(c.ir);
  auto fused = ir::ParseGraph(c.ir);
  EXPECT_TRUE(original.ok() && fused.ok()) << original.status().ToString();
  if (!original.ok() || !fused.ok()) return false;
  PipelineOptions options;
  options.verify = true;
  auto reports = pipeline.Run(**fused, options);
  EXPECT_TRUE(reports.ok()) << reports.status().ToString();
  if (!reports.ok()) return false;
  bool changed = false;
  for (const PassReport& r : *reports) changed = changed || r.changed;

  auto inputs = testing::RandomInputs(**original, {{"batch", 2}, {"seq", 4}}, 7);
  EXPECT_TRUE(inputs.ok()) << inputs.status().ToString();
  if (!inputs.ok()) return changed;
  auto want = RunReference(**original, *inputs);
  auto got = RunReference(**fused, *inputs);
  EXPECT_TRUE(want.ok()) << want.status().ToString();
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!want.ok() || !got.ok()) return changed;
  EXPECT_EQ(got->size(), want->size());
  for (size_t i = 0; i < want->size() && i < got->size(); ++i) {
    const double tolerance = ToleranceFor((*want)[i].dtype());
    EXPECT_EQ(testing::CompareTensors((*got)[i], (*want)[i], tolerance), "") << "output " << i;
  }
  return changed;
}

class FusionNumericsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FusionNumericsTest, EveryCaseKeepsItsOutputs) {
  const std::filesystem::path path = kPassesDir / GetParam();
  const std::vector<Case> cases = ReadCases(path);
  ASSERT_GT(cases.size(), 3u) << path;
  int changed = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(GetParam() + ":" + std::to_string(c.line) + " --passes " + c.passes);
    auto pipeline = Pipeline::Parse(c.passes);
    ASSERT_TRUE(pipeline.ok()) << pipeline.status().ToString();
    changed += ExpectSameOutputs(c, *pipeline) ? 1 : 0;
    // The whole default pipeline on the same case: the fusions next to every other pass.
    SCOPED_TRACE("default pipeline");
    Pipeline all = Pipeline::Default();
    ExpectSameOutputs(c, all);
  }
  // Each file holds matches as well as near misses: the comparison must cover rewrites.
  EXPECT_GE(changed, 3) << path;
}

INSTANTIATE_TEST_SUITE_P(GoldenFiles, FusionNumericsTest,
                         ::testing::Values("fold_transpose_matmul_test.ir",
                                           "fuse_attention_test.ir", "fuse_gelu_test.ir",
                                           "fuse_layernorm_test.ir", "fuse_matmul_bias_test.ir",
                                           "fuse_rmsnorm_test.ir", "fuse_rope_test.ir",
                                           "fuse_swiglu_test.ir"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.find('.'));
                         });

}  // namespace
}  // namespace hetero::passes
