// Latency of one model on hetero's cpu device: warm-up, then the median of N runs, with
// inputs from .npy files; writes the outputs as .npy so a peer's can be compared with
// them. Driven by bench/cpu_vs_ort.py.
//   cpu_latency MODEL --threads N [--warmup W] [--iters I] [--options "precision=bf16"]
//               [--quantize int8] --input NAME=FILE.npy ... [--output-dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hetero/session.h"
#include "runtime/io/npy.h"

namespace {

struct Args {
  std::string model;
  int threads = 1;
  int warmup = 3;
  int iters = 10;
  std::string options;
  std::string quantize;
  std::string output_dir;
  std::vector<std::pair<std::string, std::string>> inputs;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  if (argc < 2) return false;
  args->model = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--threads")
      args->threads = std::atoi(value.c_str());
    else if (flag == "--warmup")
      args->warmup = std::atoi(value.c_str());
    else if (flag == "--iters")
      args->iters = std::atoi(value.c_str());
    else if (flag == "--options")
      args->options = value;
    else if (flag == "--quantize")
      args->quantize = value;
    else if (flag == "--output-dir")
      args->output_dir = value;
    else if (flag == "--input" && value.find('=') != std::string::npos) {
      args->inputs.emplace_back(value.substr(0, value.find('=')),
                                value.substr(value.find('=') + 1));
    } else {
      return false;
    }
  }
  return args->iters > 0 && args->threads >= 0;
}

int Run(const Args& args) {
  hetero::SessionOptions options;
  options.devices = {"cpu"};
  options.threads = args.threads;
  if (!args.options.empty()) options.compile_options["cpu"] = args.options;
  options.quantize = args.quantize;
  const auto t0 = std::chrono::steady_clock::now();
  auto session = hetero::Session::Create(args.model, options);
  if (!session.ok()) {
    std::fprintf(stderr, "cpu_latency: %s\n", session.status().ToString().c_str());
    return 1;
  }
  const double create_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  hetero::NamedTensors inputs;
  for (const auto& [name, path] : args.inputs) {
    auto t = hetero::ReadNpy(path);
    if (!t.ok()) {
      std::fprintf(stderr, "cpu_latency: %s\n", t.status().ToString().c_str());
      return 1;
    }
    inputs[name] = std::move(*t);
  }
  std::vector<double> times;
  hetero::NamedTensors outputs;
  for (int i = 0; i < args.warmup + args.iters; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto result = (*session)->Run(inputs);
    const auto end = std::chrono::steady_clock::now();
    if (!result.ok()) {
      std::fprintf(stderr, "cpu_latency: %s\n", result.status().ToString().c_str());
      return 1;
    }
    if (i >= args.warmup)
      times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    outputs = std::move(*result);
  }
  std::sort(times.begin(), times.end());
  const double median = times.size() % 2 == 1
                            ? times[times.size() / 2]
                            : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
  if (!args.output_dir.empty()) {
    for (const auto& [name, tensor] : outputs) {
      const auto s = hetero::WriteNpy(args.output_dir + "/" + name + ".npy", tensor);
      if (!s.ok()) {
        std::fprintf(stderr, "cpu_latency: %s\n", s.ToString().c_str());
        return 1;
      }
    }
  }
  std::printf("{\"median_ms\": %.4f, \"min_ms\": %.4f, \"create_ms\": %.1f, \"iters\": %d}\n",
              median, times.front(), create_ms, args.iters);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: cpu_latency MODEL --threads N [--warmup W] [--iters I] [--options S]\n"
                 "                   --input NAME=FILE.npy ... [--output-dir DIR]\n");
    return 2;
  }
  return Run(args);
}
