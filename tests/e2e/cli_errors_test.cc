// Bad input through the CLI: each case exits 1 with one clear line on stderr, no crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/io/npy.h"
#include "tests/e2e/bad_models.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

class CliErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("cli-errors"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs hetero and checks the contract for an error: exit 1, one line on stderr that
  // contains every piece of `expect`.
  void ExpectError(const std::vector<std::string>& args, std::vector<std::string> expect) {
    CliResult r = RunCli(HETERO_CLI, args);
    SCOPED_TRACE("stderr: " + r.err);
    EXPECT_EQ(r.exit_status, 1);
    EXPECT_EQ(CountLines(r.err), 1);
    for (const auto& piece : expect) EXPECT_NE(r.err.find(piece), std::string::npos) << piece;
  }

  std::string WriteIds(const std::vector<int64_t>& ids) {
    const std::string p = Path("ids.npy");
    EXPECT_TRUE(WriteNpy(p, Tensor::FromInt64({static_cast<int64_t>(ids.size())}, ids)).ok());
    return p;
  }

  std::string dir_;
};

TEST_F(CliErrorsTest, GoodModelRuns) {
  SaveModel(GatherModel(), Path("m.onnx"));
  CliResult r = RunCli(HETERO_CLI, {"run", Path("m.onnx"), "--input", "ids=" + WriteIds({0, 9}),
                                    "--output-dir", Path("out")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  auto y = ReadNpy(Path("out/y.npy"));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->dims(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(y->GetDouble(4), 36.0);  // row 9 starts at 9 * 4
}

TEST_F(CliErrorsTest, MissingModelFile) {
  ExpectError({"run", Path("absent.onnx")}, {"absent.onnx"});
}

TEST_F(CliErrorsTest, EmptyFile) {
  SaveBytes("", Path("empty.onnx"));
  ExpectError({"run", Path("empty.onnx")}, {"empty.onnx"});
}

TEST_F(CliErrorsTest, GarbageFile) {
  std::string garbage(4096, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
  SaveBytes(garbage, Path("garbage.onnx"));
  ExpectError({"run", Path("garbage.onnx")}, {"garbage.onnx"});
}

TEST_F(CliErrorsTest, TruncatedFile) {
  const std::string bytes = GatherModel().SerializeAsString();
  SaveBytes(bytes.substr(0, bytes.size() / 2), Path("cut.onnx"));
  ExpectError({"run", Path("cut.onnx")}, {"cut.onnx"});
}

TEST_F(CliErrorsTest, UnknownOp) {
  auto m = AddModel();
  m.mutable_graph()->mutable_node(0)->set_op_type("FancyOp");
  SaveModel(m, Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"FancyOp", "add"});
}

TEST_F(CliErrorsTest, Cycle) {
  auto m = AddModel();
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_input(1, "z");
  auto* second = g->add_node();
  second->set_op_type("Neg");
  second->set_name("neg");
  second->add_input("y");
  second->add_output("z");
  SaveModel(m, Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"cycle"});
}

TEST_F(CliErrorsTest, UndefinedName) {
  auto m = AddModel();
  m.mutable_graph()->mutable_node(0)->set_input(1, "nowhere");
  SaveModel(m, Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"nowhere"});
}

TEST_F(CliErrorsTest, InitializerSizeDisagreesWithDims) {
  auto m = AddModel();
  m.mutable_graph()->mutable_initializer(0)->set_dims(0, 5);  // 3 floats stored
  SaveModel(m, Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"'w'"});
}

TEST_F(CliErrorsTest, AbsurdDimsRefusedBeforeAllocation) {
  auto m = AddModel();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->clear_dims();
  w->add_dims(1000000000000);
  w->add_dims(1000000000000);
  w->set_raw_data(std::string(16, '\0'));
  SaveModel(m, Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"'w'"});
}

TEST_F(CliErrorsTest, ExternalDataOutsideModelFolder) {
  std::filesystem::create_directories(Path("model"));
  SaveBytes(std::string(12, '\0'), Path("secret.bin"));
  auto m = AddModel();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_float_data();
  w->set_data_location(::onnx::TensorProto::EXTERNAL);
  auto* loc = w->add_external_data();
  loc->set_key("location");
  loc->set_value("../secret.bin");
  SaveModel(m, Path("model/m.onnx"));
  ExpectError({"run", Path("model/m.onnx")}, {"secret.bin"});
}

TEST_F(CliErrorsTest, WrongInputDtype) {
  SaveModel(GatherModel(), Path("m.onnx"));
  ASSERT_TRUE(WriteNpy(Path("f.npy"), Tensor::FromFloat({2}, {0, 1})).ok());
  ExpectError({"run", Path("m.onnx"), "--input", "ids=" + Path("f.npy")}, {"ids", "i64"});
}

TEST_F(CliErrorsTest, WrongInputRank) {
  SaveModel(GatherModel(), Path("m.onnx"));
  ASSERT_TRUE(WriteNpy(Path("r.npy"), Tensor::FromInt64({1, 2}, {0, 1})).ok());
  ExpectError({"run", Path("m.onnx"), "--input", "ids=" + Path("r.npy")}, {"ids"});
}

TEST_F(CliErrorsTest, WrongInputShape) {
  SaveModel(AddModel(), Path("m.onnx"));
  ASSERT_TRUE(WriteNpy(Path("x.npy"), Tensor::FromFloat({2, 4}, {})).ok());
  ExpectError({"run", Path("m.onnx"), "--input", "x=" + Path("x.npy")}, {"'x'", "[batch,3]"});
}

TEST_F(CliErrorsTest, MissingInputListsExpectedInputs) {
  SaveModel(AddModel(), Path("m.onnx"));
  ExpectError({"run", Path("m.onnx")}, {"missing input x", "x: f32[batch,3]"});
}

TEST_F(CliErrorsTest, GatherIndexOutOfRangeAtRunTime) {
  SaveModel(GatherModel(), Path("m.onnx"));
  ExpectError({"run", Path("m.onnx"), "--input", "ids=" + WriteIds({1, 50})}, {"lookup", "50"});
}

TEST_F(CliErrorsTest, NpyWithBrokenHeader) {
  SaveModel(GatherModel(), Path("m.onnx"));
  SaveBytes(std::string("\x93NUMPY\x01\x00\x10\x00{'descr': '<i8',", 26), Path("bad.npy"));
  ExpectError({"run", Path("m.onnx"), "--input", "ids=" + Path("bad.npy")}, {"bad.npy"});
}

TEST_F(CliErrorsTest, UnknownDevice) {
  ExpectError({"run", "builtin:gpt2-tiny", "--device", "tpu:7"}, {"tpu:7"});
}

TEST_F(CliErrorsTest, UnknownBuiltin) { ExpectError({"run", "builtin:nope"}, {"nope"}); }

TEST_F(CliErrorsTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunCli(HETERO_CLI, {}).exit_status, 2);
  EXPECT_EQ(RunCli(HETERO_CLI, {"frobnicate"}).exit_status, 2);
  EXPECT_EQ(RunCli(HETERO_CLI, {"run"}).exit_status, 2);
  EXPECT_EQ(RunCli(HETERO_CLI, {"run", "builtin:gpt2-tiny", "--bogus"}).exit_status, 2);
  EXPECT_EQ(RunCli(HETERO_CLI, {"run", "builtin:gpt2-tiny", "--input", "noequals"}).exit_status, 2);
}

}  // namespace
}  // namespace hetero::testing
