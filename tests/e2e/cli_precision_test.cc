// `--precision` reaches every device that computes in it: the cpu takes f32 and bf16
// (bf16 weights), npu-sim its formats; a precision no listed device has is a usage error,
// never silently ignored.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "runtime/io/npy.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/prec_" + name; }

StatusOr<Tensor> RunOnCpu(const std::string& precision, const std::string& dir) {
  std::vector<std::string> args = {"run", "builtin:bert-tiny", "--device",
                                   "cpu", "--output-dir",      dir};
  if (!precision.empty()) {
    args.push_back("--precision");
    args.push_back(precision);
  }
  auto r = RunCli(HETERO_CLI, args);
  if (r.exit_status != 0) return Internal("hetero run failed: " + r.err);
  return ReadNpy(dir + "/last_hidden_state.npy");
}

TEST(CliPrecisionTest, CpuTakesF32AndBf16) {
  auto f32 = RunOnCpu("", TempPath("default"));
  auto explicit_f32 = RunOnCpu("f32", TempPath("f32"));
  auto bf16 = RunOnCpu("bf16", TempPath("bf16"));
  ASSERT_TRUE(f32.ok()) << f32.status().ToString();
  ASSERT_TRUE(explicit_f32.ok()) << explicit_f32.status().ToString();
  ASSERT_TRUE(bf16.ok()) << bf16.status().ToString();
  ASSERT_EQ(f32->byte_size(), explicit_f32->byte_size());
  EXPECT_EQ(0, std::memcmp(f32->raw(), explicit_f32->raw(), f32->byte_size()));
  ASSERT_EQ(f32->num_elements(), bf16->num_elements());
  double worst = 0;
  for (int64_t i = 0; i < f32->num_elements(); ++i) {
    worst = std::max(worst, std::fabs(f32->GetDouble(i) - bf16->GetDouble(i)));
  }
  EXPECT_LT(worst, 0.05) << "bf16 weights moved an output by more than bf16 rounding explains";
  if (worst == 0) {
    GTEST_SKIP() << "this CPU has no bf16 GEMM path (AVX-512 BF16): precision=bf16 computes "
                    "f32 here, so whether it reached the device cannot be seen";
  }
}

TEST(CliPrecisionTest, APrecisionNoListedDeviceHasIsAUsageError) {
  for (const std::string precision : {"fp8", "fp16"}) {
    auto r = RunCli(HETERO_CLI,
                    {"run", "builtin:bert-tiny", "--device", "cpu", "--precision", precision});
    EXPECT_EQ(r.exit_status, 2) << r.err;
    EXPECT_EQ(CountLines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("--precision " + precision + ": no device of cpu"), std::string::npos)
        << r.err;
  }
  // The same precision is fine where a listed device has it.
  auto r = RunCli(HETERO_CLI, {"run", "builtin:bert-tiny", "--device", "npu-sim:atom,cpu",
                               "--precision", "fp16", "--output-dir", TempPath("atom")});
  EXPECT_EQ(r.exit_status, 0) << r.err;
}

}  // namespace
}  // namespace hetero::testing
