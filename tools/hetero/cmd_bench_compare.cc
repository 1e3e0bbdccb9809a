// `hetero bench compare A.json B.json [--top-ops N | --all-ops] [--out FILE]`: two bench
// reports side by side, result by result, then the most changed ops.
#include <cstdio>
#include <cstdlib>

#include "profiler/compare.h"
#include "profiler/report.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

int BenchCompareCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args, {"--out", "--top-ops"}, {"--all-ops"}, &error);
  if (!flags) return Fail(kExitUsage, "bench compare: " + error);
  if (flags->positional().size() != 2) {
    return Fail(kExitUsage, "bench compare: expected two reports, A.json B.json");
  }
  size_t max_ops = 10;
  if (flags->Has("--top-ops")) {
    const std::string text = flags->Get("--top-ops");
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1 || n > 1000000) {
      return Fail(kExitUsage, "bench compare: --top-ops needs a count >= 1, not '" + text + "'");
    }
    max_ops = static_cast<size_t>(n);
  }
  if (flags->Has("--all-ops")) {
    if (flags->Has("--top-ops")) {
      return Fail(kExitUsage, "bench compare: --top-ops and --all-ops exclude each other");
    }
    max_ops = 0;
  }
  profiler::BenchReport reports[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& path = flags->positional()[i];
    auto doc = profiler::ReadJsonFile(path);
    if (!doc.ok()) return Fail(kExitError, "bench compare: " + doc.status().message());
    auto report = profiler::BenchReportFromJson(*doc);
    if (!report.ok())
      return Fail(kExitError, "bench compare: " + path + ": " + report.status().message());
    reports[i] = std::move(*report);
  }
  const profiler::Comparison c = profiler::CompareReports(reports[0], reports[1]);
  const std::string text =
      profiler::ComparisonMarkdown(c, flags->positional()[0], flags->positional()[1], max_ops);
  if (flags->Has("--out")) {
    if (Status s = profiler::WriteTextFile(flags->Get("--out"), text); !s.ok()) {
      return Fail(kExitError, "bench compare: " + s.message());
    }
  } else {
    std::fputs(text.c_str(), stdout);
  }
  if (c.rows.empty()) return Fail(kExitError, "bench compare: no result of A matches one of B");
  return kExitOk;
}

}  // namespace hetero::cli
