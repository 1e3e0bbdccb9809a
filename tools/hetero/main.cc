// The hetero command line: dispatches to one subcommand.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace {

constexpr char kUsage[] =
    "usage: hetero <command> [args]\n"
    "\n"
    "commands:\n"
    "  devices [--json] [--plugin PATH]...   list the devices hetero can use\n"
    "  run MODEL [--device LIST] [--input NAME=FILE.npy]... [--shape NAME=2x16]...\n"
    "            [--output-dir DIR] [--plugin PATH]... [--no-optimize] [--threads N]\n"
    "            [--trace FILE.json] [--explain] [--profile-guided FILE.json]\n"
    "            [--precision P] [--calibrate [NAME=]FILE.npy,...] [--buckets LIST]\n"
    "            [--quantize int8]\n"
    "                                        run a model and summarize its outputs\n"
    "  bench MODEL [--devices LIST] [--shape NAME=1x128[,1x256]] [--warmup N|stable]\n"
    "            [--iters N] [--time SEC] [--scenario single|offline|server]\n"
    "            [--percentiles 50,90,99] [--threads 1,2] [--target-qps Q]\n"
    "            [--p99-bound-ms MS] [--baseline DEVICE] [--format md|json|csv|ops-csv]\n"
    "            [--out FILE] [--report FILE.html] [--trace FILE.json] [--quantize int8]\n"
    "                                        measure devices side by side\n"
    "  bench compare A.json B.json [--top-ops N | --all-ops] [--out FILE]\n"
    "                                        compare two bench runs, results and ops\n"
    "  calibrate DEVICE [--size N] [--dtypes f32,f16]   measure a device's roofs\n"
    "  export builtin:NAME -o FILE.onnx [--quantize int8]   write a built-in model as ONNX\n"
    "  opt FILE.ir [--passes a,b,c] [--time-passes]   run compiler passes, print the IR\n"
    "  compile MODEL [--explain] [--time-passes] [--shape NAME=2x16]... [-o FILE.ir]\n"
    "            [--quantize int8]\n"
    "                                        compile a model and say what the passes did\n"
    "\n"
    "MODEL is a path to an .onnx file or builtin:NAME (gpt2-tiny, bert-tiny, llama-tiny,\n"
    "gpt2, bert-base, minilm-l6). Exit status: 0 success, 1 error, 2 usage error.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? hetero::cli::kExitUsage : hetero::cli::kExitOk;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "run") return hetero::cli::RunModelCommand(args);
  if (command == "export") return hetero::cli::ExportCommand(args);
  if (command == "devices") return hetero::cli::DevicesCommand(args);
  if (command == "opt") return hetero::cli::OptCommand(args);
  if (command == "compile") return hetero::cli::CompileCommand(args);
  if (command == "bench") return hetero::cli::BenchCommand(args);
  if (command == "calibrate") return hetero::cli::CalibrateCommand(args);
  std::fprintf(stderr, "hetero: unknown command '%s'\n%s", command.c_str(), kUsage);
  return hetero::cli::kExitUsage;
}
