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
    "            [--output-dir DIR] [--plugin PATH]... [--no-optimize]\n"
    "                                        run a model and summarize its outputs\n"
    "  export builtin:NAME -o FILE.onnx      write a built-in model as ONNX\n"
    "  opt FILE.ir [--passes a,b,c] [--time-passes]   run compiler passes, print the IR\n"
    "  compile MODEL [--explain] [--time-passes] [--shape NAME=2x16]... [-o FILE.ir]\n"
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
  std::fprintf(stderr, "hetero: unknown command '%s'\n%s", command.c_str(), kUsage);
  return hetero::cli::kExitUsage;
}
