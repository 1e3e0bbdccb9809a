// `hetero opt FILE.ir [--passes a,b,c] [--time-passes] [--verify]`: runs compiler passes
// on a graph in the IR text form and prints the result in the same form.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "compiler/ir/parser.h"
#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"
#include "compiler/passes/pass.h"
#include "compiler/passes/pipeline.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {
namespace {

constexpr char kOptUsage[] =
    "usage: hetero opt FILE.ir [--passes a,b,c] [--time-passes] [--verify] [-o FILE.ir]";
constexpr char kOptHelp[] =
    "  --passes       passes to run once each, in order (default: the default pipeline)\n"
    "  --time-passes  print the time of every pass run on stderr\n"
    "  --verify       verify the graph after every pass (on in debug builds)\n";

std::string PassList() {
  std::string out = "passes:\n";
  for (const passes::PassInfo& info : passes::AllPasses()) {
    char line[200];
    std::snprintf(line, sizeof(line), "  %-24s %s\n", info.name.c_str(), info.description.c_str());
    out += line;
  }
  return out;
}

StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFound("cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

}  // namespace

int OptCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags =
      Flags::Parse(args, {"--passes", "--out"}, {"--time-passes", "--verify", "--help"}, &error);
  if (!flags) return Fail(kExitUsage, "opt: " + error + " (" + kOptUsage + ")");
  if (flags->Has("--help")) {
    std::printf("%s\n%s%s", kOptUsage, kOptHelp, PassList().c_str());
    return kExitOk;
  }
  if (flags->positional().size() != 1) {
    return Fail(kExitUsage, std::string("opt: expected one FILE.ir (") + kOptUsage + ")");
  }
  const std::string path = flags->positional()[0];

  passes::Pipeline pipeline = passes::Pipeline::Default();
  if (flags->Has("--passes")) {
    auto parsed = passes::Pipeline::Parse(flags->Get("--passes"));
    if (!parsed.ok()) return Fail(kExitUsage, "opt: " + parsed.status().message());
    pipeline = std::move(*parsed);
  }
  auto text = ReadText(path);
  if (!text.ok()) return Fail(kExitError, "opt: " + text.status().message());
  auto graph = ir::ParseGraph(*text);
  if (!graph.ok()) return Fail(kExitError, path + ": " + graph.status().message());

  if (Status s = ir::VerifyGraph(**graph); !s.ok())
    return Fail(kExitError, path + ": " + s.message());

  passes::PipelineOptions options;
  options.verify = options.verify || flags->Has("--verify");
  auto reports = pipeline.Run(**graph, options);
  if (!reports.ok()) return Fail(kExitError, path + ": " + reports.status().message());
  if (flags->Has("--time-passes")) {
    std::fputs(passes::FormatPassReports(*reports).c_str(), stderr);
  }
  const std::string printed = ir::PrintGraph(**graph);
  if (flags->Has("--out")) {
    std::ofstream out(flags->Get("--out"), std::ios::binary);
    if (!(out << printed))
      return Fail(kExitError, "opt: cannot write '" + flags->Get("--out") + "'");
  } else {
    std::fputs(printed.c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace hetero::cli
