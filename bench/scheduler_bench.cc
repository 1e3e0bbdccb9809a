// Execution overhead per op and per segment on a chain of 1,000 tiny ops (f32[1,4]):
// the reference executor, one segment on the CPU plugin, and one segment per op split
// round robin across two CPU plugin devices. Usage: scheduler_bench [NUM_OPS] [REPS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

std::unique_ptr<ir::Graph> Chain(int num_ops) {
  auto graph = std::make_unique<ir::Graph>();
  ir::Value* v = *graph->AddInput("x", TensorType{DType::kF32, Shape{1, 4}});
  for (int i = 0; i < num_ops; ++i) {
    v = (*graph->AddNode(i % 2 ? "Neg" : "Relu", {v}, {}, 1, "op" + std::to_string(i)))->output(0);
  }
  graph->AddOutput(v);
  return graph;
}

// Microseconds per run, best of `reps` after one warm-up.
double BestMicros(int reps, const std::function<bool()>& run) {
  if (!run()) return -1;
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    if (!run()) return -1;
    best = std::min(
        best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                  .count());
  }
  return best;
}

int Main(int argc, char** argv) {
  const int num_ops = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 20;
  auto graph = Chain(num_ops);
  std::map<std::string, Tensor> inputs = {{"x", Tensor::FromFloat({1, 4}, {1, -2, 3, -4})}};
  auto registry = plugins::LoadPluginRegistry({}, 1);
  auto cpu = registry->OpenDevice("cpu");
  if (!cpu.ok()) return std::fprintf(stderr, "%s\n", cpu.status().ToString().c_str()), 1;
  auto cpu_b = (*cpu)->plugin().OpenDevice(0, "cpu-b");
  if (!cpu_b.ok()) return std::fprintf(stderr, "%s\n", cpu_b.status().ToString().c_str()), 1;

  double reference = BestMicros(reps, [&] { return RunReference(*graph, inputs).ok(); });
  auto one = PartitionedExecutor::Create(*graph, {*cpu}, {});
  if (!one.ok()) return std::fprintf(stderr, "%s\n", one.status().ToString().c_str()), 1;
  double single = BestMicros(reps, [&] { return (*one)->Run(inputs).ok(); });
  placement::PlacementOptions split;
  split.min_segment_nodes = 1;
  for (int i = 0; i < num_ops; ++i) {
    split.pins.push_back({"op" + std::to_string(i), i % 2 ? "cpu-b" : "cpu"});
  }
  auto many = PartitionedExecutor::Create(*graph, {*cpu, *cpu_b}, split);
  if (!many.ok()) return std::fprintf(stderr, "%s\n", many.status().ToString().c_str()), 1;
  double segmented = BestMicros(reps, [&] { return (*many)->Run(inputs).ok(); });

  std::printf("chain of %d tiny ops, best of %d runs\n", num_ops, reps);
  std::printf("  reference executor:           %9.1f us  %6.3f us/op\n", reference,
              reference / num_ops);
  std::printf("  cpu, 1 segment:               %9.1f us  %6.3f us/op\n", single, single / num_ops);
  std::printf("  cpu+cpu-b, %zu segments:     %9.1f us  %6.3f us/segment\n",
              (*many)->num_segments(), segmented, segmented / (*many)->num_segments());
  return 0;
}

}  // namespace
}  // namespace hetero

int main(int argc, char** argv) { return hetero::Main(argc, argv); }
