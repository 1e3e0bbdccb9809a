// Compile speed: the default pass pipeline on a model, timed over repetitions (median),
// with where the time goes by pass. Usage: compile_bench [MODEL...] [--reps N]
// (default models: builtin:bert-base builtin:gpt2; MODEL as for `hetero compile`).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "compiler/passes/memory_plan.h"
#include "compiler/passes/pipeline.h"
#include "runtime/session/model_loader.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int BenchModel(const std::string& spec, int reps) {
  std::vector<double> pipeline_ms, plan_ms;
  std::map<std::string, std::vector<double>> per_pass;  // summed over rounds, per rep
  size_t before = 0, after = 0, runs = 0;
  for (int rep = 0; rep < reps; ++rep) {
    auto model = hetero::LoadModel(spec);  // not timed: a fresh graph every repetition
    if (!model.ok()) {
      std::fprintf(stderr, "compile_bench: %s\n", model.status().message().c_str());
      return 1;
    }
    before = model->graph->num_nodes();
    hetero::passes::PipelineOptions options;
    options.verify = false;  // what a release build does
    const auto start = std::chrono::steady_clock::now();
    auto reports = hetero::passes::Pipeline::Default().Run(*model->graph, options);
    pipeline_ms.push_back(MillisSince(start));
    if (!reports.ok()) {
      std::fprintf(stderr, "compile_bench: %s\n", reports.status().message().c_str());
      return 1;
    }
    after = model->graph->num_nodes();
    runs = reports->size();
    std::map<std::string, double> sum;
    for (const auto& r : *reports) sum[r.name] += r.milliseconds;
    for (const auto& [name, ms] : sum) per_pass[name].push_back(ms);
    const auto plan_start = std::chrono::steady_clock::now();
    auto plan = hetero::passes::PlanMemory(*model->graph, {{{"batch", 1}, {"seq", 128}}});
    plan_ms.push_back(MillisSince(plan_start));
    if (!plan.ok()) std::fprintf(stderr, "  memory plan: %s\n", plan.status().message().c_str());
  }
  std::printf(
      "%s: %zu -> %zu nodes, %zu pass runs; default pipeline median %.1f ms (min %.1f, "
      "%d reps); memory plan (batch=1, seq=128) median %.1f ms\n",
      spec.c_str(), before, after, runs, Median(pipeline_ms),
      *std::min_element(pipeline_ms.begin(), pipeline_ms.end()), reps, Median(plan_ms));
  for (const auto& [name, ms] : per_pass) {
    std::printf("    %-24s %8.2f ms\n", name.c_str(), Median(ms));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> models;
  int reps = 7;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      models.push_back(arg);
    }
  }
  if (models.empty()) models = {"builtin:bert-base", "builtin:gpt2"};
  int status = 0;
  for (const std::string& m : models) status |= BenchModel(m, reps);
  return status;
}
