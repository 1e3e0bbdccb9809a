// `--profile-guided FILE`: a `hetero bench --format json` result feeds placement; a
// missing or foreign file is a one-line error (exit 1).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/profile_guided_" + name;
}

TEST(CliProfileGuidedTest, BenchResultFeedsPlacement) {
  const std::string profile = TempPath("gpt2.json");
  auto bench = RunCli(HETERO_CLI, {"bench", "builtin:gpt2-tiny", "--devices", "cpu", "--iters", "3",
                                   "--format", "json", "--out", profile});
  ASSERT_EQ(bench.exit_status, 0) << bench.err;
  auto run = RunCli(HETERO_CLI, {"run", "builtin:gpt2-tiny", "--profile-guided", profile});
  EXPECT_EQ(run.exit_status, 0) << run.err;
  EXPECT_NE(run.out.find("out logits"), std::string::npos) << run.out;
}

TEST(CliProfileGuidedTest, BadProfilesAreOneLineErrors) {
  const std::string foreign = TempPath("foreign.json");
  std::ofstream(foreign) << "{\"hello\": 1}";
  const std::string broken = TempPath("broken.json");
  std::ofstream(broken) << "{\"schema_version\": ";
  for (const std::string& file : {TempPath("missing.json"), foreign, broken}) {
    auto run = RunCli(HETERO_CLI, {"run", "builtin:gpt2-tiny", "--profile-guided", file});
    EXPECT_EQ(run.exit_status, 1) << file;
    EXPECT_EQ(CountLines(run.err), 1) << run.err;
    EXPECT_NE(run.err.find(file), std::string::npos) << run.err;
  }
}

}  // namespace
}  // namespace hetero::testing
