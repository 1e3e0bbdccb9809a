// `--precision int8 --calibrate` on a model split by placement: calibration files hold
// MODEL inputs (FILE.npy for the first input, NAME=FILE.npy,... for several); the session
// captures the values entering the NPU segment. Bad names, dtypes, shapes and files are
// one-line errors.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/io/npy.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/calib_" + name; }

// Token ids 1x16 in [0, 1000): bert-tiny's vocabulary.
std::string WriteIds(const std::string& name, uint64_t seed) {
  std::vector<int64_t> ids(16);
  for (size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<int64_t>((seed * 131 + i * 37) % 997);
  Tensor t = Tensor::Allocate(DType::kI64, {1, 16}).value();
  for (size_t i = 0; i < ids.size(); ++i) t.mutable_data<int64_t>()[i] = ids[i];
  const std::string path = TempPath(name);
  EXPECT_TRUE(WriteNpy(path, t).ok());
  return path;
}

std::vector<std::string> Int8Run(const std::string& calibrate, const std::string& out_dir) {
  return {"run",          "builtin:bert-tiny",
          "--device",     "npu-sim:rngd,cpu",
          "--precision",  "int8",
          "--calibrate",  calibrate,
          "--shape",      "input_ids=1x16",
          "--input",      "input_ids=" + TempPath("eval_ids.npy"),
          "--output-dir", out_dir};
}

TEST(CliCalibrateTest, Int8CalibratesTheNpuSegmentFromModelInputs) {
  WriteIds("eval_ids.npy", 1);
  const std::string calib = WriteIds("calib_ids.npy", 2);
  auto f32 =
      RunCli(HETERO_CLI,
             {"run", "builtin:bert-tiny", "--device", "cpu", "--shape", "input_ids=1x16", "--input",
              "input_ids=" + TempPath("eval_ids.npy"), "--output-dir", TempPath("f32")});
  ASSERT_EQ(f32.exit_status, 0) << f32.err;
  auto want = ReadNpy(TempPath("f32") + "/last_hidden_state.npy");
  ASSERT_TRUE(want.ok());
  const std::string mask = TempPath("calib_mask.npy");
  Tensor ones = Tensor::Allocate(DType::kI64, {1, 16}).value();
  for (int64_t i = 0; i < 16; ++i) ones.mutable_data<int64_t>()[i] = 1;
  ASSERT_TRUE(WriteNpy(mask, ones).ok());
  // The bare form names the model's first input (input_ids); the named forms the same,
  // and several inputs at once.
  for (const std::string& form :
       {calib, "input_ids=" + calib, "input_ids=" + calib + ",attention_mask=" + mask}) {
    SCOPED_TRACE(form);
    auto int8 = RunCli(HETERO_CLI, Int8Run(form, TempPath("int8")));
    ASSERT_EQ(int8.exit_status, 0) << int8.err;
    EXPECT_NE(int8.out.find("npu-sim:rngd"), std::string::npos) << int8.out;
    auto got = ReadNpy(TempPath("int8") + "/last_hidden_state.npy");
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->num_elements(), want->num_elements());
    double dot = 0, nw = 0, ng = 0, differ = 0;
    for (int64_t i = 0; i < want->num_elements(); ++i) {
      const double a = want->GetDouble(i), b = got->GetDouble(i);
      dot += a * b;
      nw += a * a;
      ng += b * b;
      differ += a != b;
    }
    EXPECT_GT(differ, 0) << "int8 on the NPU computes in other formats than f32 on the cpu";
    EXPECT_GE(dot / std::sqrt(nw * ng), 0.99);
  }
}

TEST(CliCalibrateTest, BadCalibrationInputsAreOneLineErrors) {
  WriteIds("eval_ids.npy", 1);
  const std::string ids = WriteIds("ids.npy", 3);
  const std::string floats = TempPath("floats.npy");
  ASSERT_TRUE(WriteNpy(floats, Tensor::FromFloat({1, 16}, std::vector<float>(16, 1.0f))).ok());
  const std::string rank3 = TempPath("rank3.npy");
  ASSERT_TRUE(WriteNpy(rank3, Tensor::Allocate(DType::kI64, {1, 1, 16}).value()).ok());
  struct Bad {
    std::string calibrate;
    int exit_status;
    std::string says;
  };
  const std::vector<Bad> cases = {
      {"nope=" + ids, 1, "'nope'"},                     // no such model input
      {"input_ids=" + floats, 1, "input 'input_ids'"},  // wrong dtype
      {"input_ids=" + rank3, 1, "input 'input_ids'"},   // wrong rank
      {TempPath("missing.npy"), 1, "missing.npy"},      // unreadable file
      {"input_ids=" + ids + ",input_ids=" + ids, 2, "twice"},
      {"=" + ids, 2, "NAME=FILE.npy"},
      {TempPath("ids.txt"), 2, "not an .npy file"},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.calibrate);
    auto r = RunCli(HETERO_CLI, Int8Run(bad.calibrate, TempPath("bad")));
    EXPECT_EQ(r.exit_status, bad.exit_status) << r.err;
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(bad.says), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("calibrate"), std::string::npos) << r.err;
  }
  // --calibrate is for int8.
  auto r = RunCli(HETERO_CLI,
                  {"run", "builtin:bert-tiny", "--device", "npu-sim:rngd,cpu", "--calibrate", ids});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_NE(r.err.find("--precision int8"), std::string::npos) << r.err;
  // int8 needs calibration inputs.
  r = RunCli(HETERO_CLI,
             {"run", "builtin:bert-tiny", "--device", "npu-sim:rngd,cpu", "--precision", "int8"});
  EXPECT_EQ(r.exit_status, 2) << r.err;
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("--calibrate"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hetero::testing
