// `hetero opt` and `hetero compile` as a user runs them: output, files, exit statuses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/e2e/bad_models.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

class CliCompileTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("cli-compile"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
};

constexpr char kIr[] = R"(graph @g {
  input %x : f32[batch,1,8]
  %y = Squeeze(%x) {axes = [1]} : f32[batch,8]
  %a = Relu(%y) : f32[batch,8]
  %b = Relu(%y) : f32[batch,8]
  %c = Add(%a, %b) : f32[batch,8]
  output %c
}
)";

TEST_F(CliCompileTest, OptRunsTheGivenPasses) {
  const std::string ir = Write("g.ir", kIr);
  CliResult r =
      RunCli(HETERO_CLI, {"opt", ir, "--passes", "canonicalize,cse,dce", "--time-passes"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("%y = Reshape(%x, %y/shape) : f32[batch,8]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("%c = Add(%a, %a)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("%b ="), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("canonicalize"), std::string::npos) << r.err;  // the timing table
  EXPECT_NE(r.err.find("total: 3 pass runs"), std::string::npos) << r.err;
}

TEST_F(CliCompileTest, OptErrors) {
  const std::string ir = Write("g.ir", kIr);
  CliResult bad_pass = RunCli(HETERO_CLI, {"opt", ir, "--passes", "cse,fuse-everything"});
  EXPECT_EQ(bad_pass.exit_status, 2);
  EXPECT_NE(bad_pass.err.find("known passes: canonicalize"), std::string::npos) << bad_pass.err;
  EXPECT_EQ(CountLines(bad_pass.err), 1);

  CliResult missing = RunCli(HETERO_CLI, {"opt", dir_ + "/none.ir"});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_EQ(CountLines(missing.err), 1);

  const std::string broken =
      Write("broken.ir", "graph @g {\n  input %x : f32[2]\n  output %y\n}\n");
  CliResult parse = RunCli(HETERO_CLI, {"opt", broken});
  EXPECT_EQ(parse.exit_status, 1);
  EXPECT_NE(parse.err.find("line 3"), std::string::npos) << parse.err;

  const std::string wrong = Write("wrong.ir",
                                  "graph @g {\n  input %x : f32[2]\n"
                                  "  %y = Relu(%x) : f32[3]\n  output %y\n}\n");
  CliResult invalid = RunCli(HETERO_CLI, {"opt", wrong});
  EXPECT_EQ(invalid.exit_status, 1);
  EXPECT_EQ(CountLines(invalid.err), 1) << invalid.err;
}

TEST_F(CliCompileTest, CompileExplainsAndWritesIr) {
  const std::string out = dir_ + "/gpt2.ir";
  CliResult r = RunCli(HETERO_CLI, {"compile", "builtin:gpt2-tiny", "--explain", "--shape",
                                    "input_ids=2x8", "-o", out});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("ops (before -> after):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fusions applied:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory plan (batch=2, seq=8):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("peak activation memory"), std::string::npos) << r.out;
  std::ifstream written(out);
  std::string first;
  std::getline(written, first);
  EXPECT_EQ(first, "graph @gpt2-tiny {");
}

TEST_F(CliCompileTest, CompileErrors) {
  CliResult shape = RunCli(HETERO_CLI, {"compile", "builtin:gpt2-tiny", "--shape", "input_ids"});
  EXPECT_EQ(shape.exit_status, 2) << shape.err;
  CliResult name = RunCli(HETERO_CLI, {"compile", "builtin:gpt2-tiny", "--shape", "ids=1x8"});
  EXPECT_EQ(name.exit_status, 1);
  EXPECT_NE(name.err.find("input_ids"), std::string::npos) << name.err;
  CliResult device = RunCli(HETERO_CLI, {"compile", "builtin:gpt2-tiny", "--device", "tpu:9"});
  EXPECT_EQ(device.exit_status, 1);
  EXPECT_EQ(CountLines(device.err), 1);
  CliResult model = RunCli(HETERO_CLI, {"compile", dir_ + "/none.onnx"});
  EXPECT_EQ(model.exit_status, 1);
  EXPECT_EQ(CountLines(model.err), 1);
}

}  // namespace
}  // namespace hetero::testing
