// Runs golden IR tests: for each case of a *_test.ir file, parse the IR, run the passes of
// its RUN line (verifying after each), print the result and match the CHECK lines.
//
// Usage: golden_ir_test FILE.ir [LINE]   (LINE: run only the case holding that line)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "compiler/ir/parser.h"
#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"
#include "compiler/passes/pipeline.h"
#include "compiler/passes/testing/golden_case.h"

namespace hetero::golden {
namespace {

// The text CHECK lines are matched against: one "# <pass>: changed|unchanged" line per
// pass run, then the graph.
StatusOr<std::string> RunCase(const GoldenCase& c) {
  HETERO_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> graph, ir::ParseGraph(c.ir_text));
  HETERO_RETURN_IF_ERROR(ir::VerifyGraph(*graph).WithContext("input graph"));
  HETERO_ASSIGN_OR_RETURN(passes::Pipeline pipeline, passes::Pipeline::Parse(c.passes));
  passes::PipelineOptions options;
  options.verify = true;
  HETERO_ASSIGN_OR_RETURN(std::vector<passes::PassReport> reports, pipeline.Run(*graph, options));
  HETERO_RETURN_IF_ERROR(ir::VerifyGraph(*graph).WithContext("output graph"));
  std::string out;
  for (const passes::PassReport& r : reports) {
    out += "# " + r.name + (r.changed ? ": changed\n" : ": unchanged\n");
  }
  return out + ir::PrintGraph(*graph);
}

std::string Numbered(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    char prefix[16];
    std::snprintf(prefix, sizeof(prefix), "%4d | ", n);
    out += prefix + line + "\n";
  }
  return out;
}

// Lines [first, next) of the file, numbered as in the file.
std::string CaseText(const std::string& file, int first, int next) {
  std::string out;
  std::istringstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line) && n < next; ++n) {
    if (n < first) continue;
    char prefix[16];
    std::snprintf(prefix, sizeof(prefix), "%4d | ", n);
    out += prefix + line + "\n";
  }
  return out;
}

// Returns an empty string when the case passes, else what went wrong.
std::string CheckCase(const GoldenCase& c) {
  auto output = RunCase(c);
  if (!c.expect_error.empty()) {
    if (output.ok())
      return "expected an error containing '" + c.expect_error + "', got:\n" + Numbered(*output);
    if (output.status().message().find(c.expect_error) == std::string::npos) {
      return "expected an error containing '" + c.expect_error +
             "', got: " + output.status().ToString() + "\n";
    }
    return "";
  }
  if (!output.ok()) return "error: " + output.status().ToString() + "\n";
  Status matched = MatchChecks(c.checks, *output);
  if (matched.ok()) return "";
  return matched.message() + "\n--- output of --passes " + c.passes + ":\n" + Numbered(*output);
}

int RunFile(const std::string& path, int only_line) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "golden_ir_test: cannot read '%s'\n", path.c_str());
    return 1;
  }
  std::stringstream buffer;
  buffer << file.rdbuf();
  auto cases = SplitGoldenFile(buffer.str());
  if (!cases.ok()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), cases.status().message().c_str());
    return 1;
  }
  int failed = 0, ran = 0;
  for (size_t i = 0; i < cases->size(); ++i) {
    const GoldenCase& c = (*cases)[i];
    const int next = i + 1 < cases->size() ? (*cases)[i + 1].first_line : 1 << 30;
    if (only_line > 0 && (only_line < c.first_line || only_line >= next)) continue;
    ++ran;
    const std::string problem = CheckCase(c);
    if (problem.empty()) continue;
    ++failed;
    std::fprintf(stderr, "FAIL %s:%d (case %zu, --passes %s)\n%s--- the case:\n%s\n", path.c_str(),
                 c.first_line, i + 1, c.passes.c_str(), problem.c_str(),
                 CaseText(buffer.str(), c.first_line, next).c_str());
  }
  std::printf("%s: %d of %d cases passed\n", path.c_str(), ran - failed, ran);
  return failed == 0 && ran > 0 ? 0 : 1;
}

}  // namespace
}  // namespace hetero::golden

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: golden_ir_test FILE.ir [LINE]\n");
    return 2;
  }
  return hetero::golden::RunFile(argv[1], argc == 3 ? std::atoi(argv[2]) : 0);
}
