// `hetero compile MODEL --device LIST -o FILE.hnpu` writes a compiled model that `hetero
// run` loads without compiling (same outputs); a damaged one is a one-line error.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "runtime/io/npy.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

std::string TempPath(const std::string& name) { return ::testing::TempDir() + "/hnpu_" + name; }

TEST(CliCompiledModelTest, RunLoadsWhatCompileWrote) {
  for (const std::string device : {"cpu", "npu-sim:rngd,cpu"}) {
    const std::string model = TempPath("bert.hnpu");
    auto compile =
        RunCli(HETERO_CLI, {"compile", "builtin:bert-tiny", "--device", device, "-o", model});
    ASSERT_EQ(compile.exit_status, 0) << compile.err;
    auto loaded = RunCli(HETERO_CLI, {"run", model, "--output-dir", TempPath("loaded")});
    ASSERT_EQ(loaded.exit_status, 0) << loaded.err;
    EXPECT_NE(loaded.out.find("out last_hidden_state"), std::string::npos) << loaded.out;
    if (device != "cpu") continue;
    auto direct = RunCli(HETERO_CLI, {"run", "builtin:bert-tiny", "--device", device,
                                      "--output-dir", TempPath("direct")});
    ASSERT_EQ(direct.exit_status, 0) << direct.err;
    auto a = ReadNpy(TempPath("loaded") + "/last_hidden_state.npy");
    auto b = ReadNpy(TempPath("direct") + "/last_hidden_state.npy");
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->byte_size(), b->byte_size());
    EXPECT_EQ(0, std::memcmp(a->raw(), b->raw(), a->byte_size()))
        << "the loaded model computes something else than the compiled one";
  }
}

TEST(CliCompiledModelTest, DamagedFilesAreOneLineErrors) {
  const std::string model = TempPath("gpt2.hnpu");
  auto compile =
      RunCli(HETERO_CLI, {"compile", "builtin:gpt2-tiny", "--device", "cpu", "-o", model});
  ASSERT_EQ(compile.exit_status, 0) << compile.err;
  std::ifstream in(model, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 100u);
  std::vector<char> flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  std::ofstream(TempPath("flipped.hnpu"), std::ios::binary)
      .write(flipped.data(), static_cast<std::streamsize>(flipped.size()));
  std::ofstream(TempPath("short.hnpu"), std::ios::binary).write(bytes.data(), 40);
  for (const std::string& file : {TempPath("flipped.hnpu"), TempPath("short.hnpu")}) {
    auto run = RunCli(HETERO_CLI, {"run", file});
    EXPECT_EQ(run.exit_status, 1) << file << ": " << run.out;
    EXPECT_EQ(CountLines(run.err), 1) << run.err;
  }
}

}  // namespace
}  // namespace hetero::testing
