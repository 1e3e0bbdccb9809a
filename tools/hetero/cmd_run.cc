// `hetero run`: load a model, bind inputs, run it on a device plugin, write and summarize
// the outputs.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "compiler/builtin/builtin.h"
#include "compiler/passes/pipeline.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "tools/hetero/flags.h"
#include "tools/hetero/placement_flags.h"
#include "tools/hetero/run_support.h"

namespace hetero::cli {
namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void PrintSummary(const std::string& name, const Tensor& t) {
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t non_finite = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    const double v = t.GetDouble(i);
    if (!std::isfinite(v)) {
      ++non_finite;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  const int64_t n = t.num_elements() - non_finite;
  std::printf("  %-24s %-22s min %-11.5g max %-11.5g mean %-11.5g", name.c_str(),
              t.type().ToString().c_str(), n ? lo : 0.0, n ? hi : 0.0, n ? sum / n : 0.0);
  if (non_finite) std::printf(" non-finite %lld", static_cast<long long>(non_finite));
  std::printf("\n    first:");
  for (int64_t i = 0; i < std::min<int64_t>(t.num_elements(), 6); ++i) {
    std::printf(" %.6g", t.GetDouble(i));
  }
  std::printf("\n");
}

}  // namespace

int RunModelCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args,
                            {"--device", "--input", "--shape", "--output-dir", "--seed", "--plugin",
                             "--pin", "--min-segment"},
                            {"--no-optimize", "--no-fallback"}, &error);
  if (!flags) return Fail(kExitUsage, "run: " + error);
  if (flags->positional().size() != 1) {
    return Fail(kExitUsage, "run: expected one MODEL (a .onnx path or builtin:NAME)");
  }
  auto registry = plugins::LoadPluginRegistry(flags->GetAll("--plugin"));
  auto devices = OpenDeviceList(*registry, flags->Get("--device", "cpu"));
  if (!devices.ok()) return Fail(kExitError, devices.status().message());
  const auto load_start = std::chrono::steady_clock::now();
  auto model = LoadModel(flags->positional()[0]);
  if (!model.ok()) return Fail(kExitError, model.status().message());
  const double load_ms = MillisSince(load_start);

  auto inputs = BindInputs(*model, *flags);
  if (!inputs.ok()) return Fail(ExitStatusFor(inputs.status()), inputs.status().message());

  const auto compile_start = std::chrono::steady_clock::now();
  const size_t imported_nodes = model->graph->num_nodes();
  if (!flags->Has("--no-optimize")) {
    auto reports = passes::Pipeline::Default().Run(*model->graph);
    if (!reports.ok()) return Fail(kExitError, reports.status().message());
  }
  auto options = PlacementOptionsFromFlags(*flags);
  if (!options.ok()) return Fail(kExitUsage, "run: " + options.status().message());
  auto executor = PartitionedExecutor::Create(*model->graph, *devices, *options);
  if (!executor.ok()) return Fail(kExitError, executor.status().message());
  const double compile_ms = MillisSince(compile_start);
  const auto run_start = std::chrono::steady_clock::now();
  auto outputs = (*executor)->Run(*inputs);
  if (!outputs.ok()) return Fail(kExitError, outputs.status().message());
  const double run_ms = MillisSince(run_start);

  const std::string out_dir = flags->Get("--output-dir");
  std::printf("model %s: %zu nodes (%zu imported), %zu inputs, %zu outputs on %s\n",
              model->spec.c_str(), model->graph->num_nodes(), imported_nodes,
              model->graph->inputs().size(), model->graph->outputs().size(),
              DescribePlacement((*executor)->plan()).c_str());
  for (const auto& [name, t] : *inputs) PrintSummary("in  " + name, t);
  for (size_t i = 0; i < outputs->size(); ++i) {
    const std::string& name = model->graph->outputs()[i]->name();
    PrintSummary("out " + name, (*outputs)[i]);
    if (!out_dir.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(out_dir, ec);
      const std::string path = out_dir + "/" + SafeFileName(name) + ".npy";
      if (Status s = WriteNpy(path, (*outputs)[i]); !s.ok()) return Fail(kExitError, s.message());
    }
  }
  std::printf("time: load %.1f ms, compile %.1f ms, run %.1f ms\n", load_ms, compile_ms, run_ms);
  return kExitOk;
}

}  // namespace hetero::cli
