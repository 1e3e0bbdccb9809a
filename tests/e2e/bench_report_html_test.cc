// The `hetero bench --report` page in headless Chromium: offline, its script draws the
// latency, per-op and roofline charts (checked in the DOM Chromium dumps after scripts ran).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/e2e/bad_models.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

// The Chromium binary on PATH (Debian's package installs /usr/bin/chromium), or "".
std::string FindChromium() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      std::error_code ec;
      if (std::filesystem::exists(candidate, ec)) return candidate.string();
    }
  }
  return "";
}

size_t Count(const std::string& text, const std::string& piece) {
  size_t n = 0;
  for (size_t pos = 0; (pos = text.find(piece, pos)) != std::string::npos; pos += piece.size()) ++n;
  return n;
}

TEST(BenchReportHtmlTest, ChartsRenderInHeadlessChromium) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "no chromium on PATH: install Debian's chromium package (listed in "
                    "tools/setup/apt-packages.txt) to run this test";
  }
  const std::string dir = MakeTempDir("bench-html");
  const std::string report = dir + "/report.html";
  CliResult bench =
      RunCli(HETERO_CLI,
             {"bench", "builtin:gpt2-tiny", "--devices", "cpu,npu-sim:rngd+cpu", "--iters", "6",
              "--warmup", "1", "--no-progress", "--report", report, "--out", dir + "/b.md"});
  ASSERT_EQ(bench.exit_status, 0) << bench.err;
  CliResult dom =
      RunCli(chromium, {"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--user-data-dir=" + dir + "/profile", "--virtual-time-budget=5000",
                        "--dump-dom", "file://" + report});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(dom.exit_status, 0) << dom.err;
  // The script ran to the end and drew all three charts.
  EXPECT_NE(dom.out.find("data-rendered=\"3\""), std::string::npos) << dom.err;
  EXPECT_EQ(Count(dom.out, "class=\"chart\""), 3u);
  // Latency: one dot per sample of each of the two results; median lines.
  EXPECT_EQ(Count(dom.out, "class=\"sample\""), 12u);
  EXPECT_EQ(Count(dom.out, "class=\"p50\""), 2u);
  // Per-op bars for both results; a roof per device with a datasheet roof; op points.
  EXPECT_GE(Count(dom.out, "class=\"op-bar\""), 2u);
  EXPECT_GE(Count(dom.out, "class=\"roof\""), 1u);
  EXPECT_GE(Count(dom.out, "class=\"op-point\""), 1u);
}

}  // namespace
}  // namespace hetero::testing
