// `hetero compile MODEL [--device LIST] [--explain] [--time-passes] [--shape NAME=BxS]...
// [-o FILE]`: runs the default pass pipeline on a model, plans its memory, places it on
// the devices, and says what happened; -o FILE.ir writes the optimized IR, any other -o
// a compiled model (every segment's executable) that run and bench load directly.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "compiler/builtin/builtin.h"
#include "compiler/ir/printer.h"
#include "compiler/passes/explain.h"
#include "compiler/passes/memory_plan.h"
#include "compiler/passes/pipeline.h"
#include "hetero/session.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/device_flags.h"
#include "tools/hetero/flags.h"
#include "tools/hetero/placement_flags.h"
#include "tools/hetero/run_support.h"
#include "tools/hetero/session_flags.h"

namespace hetero::cli {
namespace {

constexpr char kCompileUsage[] =
    "usage: hetero compile MODEL [--device LIST] [--pin OP_OR_NODE=DEVICE]... [--no-fallback] "
    "[--min-segment N] [--plugin PATH]... [--explain] [--time-passes] [--shape NAME=2x16]... "
    "[--precision P] [--calibrate [NAME=]F.npy,...] [--buckets B] [--quantize int8] [-o "
    "FILE.ir|FILE.hnpu]";

// Sizes of the symbolic dims for the memory plan: from --shape NAME=BxS (NAME a graph
// input), then a built-in's default batch and seq, then batch-like symbols 1, others 128.
StatusOr<std::map<std::string, int64_t>> SymbolSizes(const LoadedModel& model, const Flags& flags) {
  std::map<std::string, int64_t> sizes;
  for (const std::string& spec : flags.GetAll("--shape")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return FailedPrecondition("--shape expects NAME=DIMS, got '" + spec + "'");
    }
    const ir::Value* input = model.graph->FindValue(spec.substr(0, eq));
    if (input == nullptr || !input->is_graph_input()) {
      return InvalidArgument("--shape names '" + spec.substr(0, eq) +
                             "', which is not an input; the model expects " +
                             DescribeInputs(*model.graph));
    }
    HETERO_ASSIGN_OR_RETURN(std::vector<int64_t> dims, ParseDims(spec.substr(eq + 1)));
    const Shape& shape = input->type().shape;
    if (dims.size() != shape.rank()) {
      return InvalidArgument("--shape " + spec + ": input '" + input->name() + "' is " +
                             input->type().ToString());
    }
    for (size_t i = 0; i < dims.size(); ++i) {
      if (shape[i].is_symbol()) sizes[shape[i].symbol()] = dims[i];
    }
  }
  if (!model.builtin_name.empty()) {
    for (const BuiltinInfo& info : ListBuiltinModels()) {
      if (info.name != model.builtin_name) continue;
      sizes.emplace("batch", info.default_batch);
      sizes.emplace("seq", info.default_seq);
    }
  }
  for (const ir::Value* in : model.graph->inputs()) {
    for (const Dim& d : in->type().shape.dims()) {
      if (!d.is_symbol()) continue;
      const bool batch_like = d.symbol().find("batch") != std::string::npos;
      sizes.emplace(d.symbol(), batch_like ? 1 : 128);
    }
  }
  return sizes;
}

// Places the optimized graph on the --device list; --explain prints every segment.
Status PlaceAndExplain(const ir::Graph& graph, const Flags& flags,
                       const std::map<std::string, int64_t>& sizes) {
  HETERO_ASSIGN_OR_RETURN(placement::PlacementOptions options, PlacementOptionsFromFlags(flags));
  options.symbols = sizes;
  auto registry = plugins::LoadPluginRegistry(flags.GetAll("--plugin"));
  HETERO_ASSIGN_OR_RETURN(auto devices, OpenDeviceList(*registry, flags.Get("--device", "cpu")));
  HETERO_ASSIGN_OR_RETURN(auto infos, DescribeDevices(graph, devices));
  HETERO_ASSIGN_OR_RETURN(placement::PlacementPlan plan, placement::Place(graph, infos, options));
  std::printf("placed on %s, predicted %s\n", DescribePlacement(plan).c_str(),
              placement::FormatSeconds(plan.predicted_s).c_str());
  if (flags.Has("--explain")) std::fputs(placement::FormatPlan(plan).c_str(), stdout);
  return OkStatus();
}

std::set<std::string> CompileValuedFlags() {
  std::set<std::string> valued = {"--device",      "--shape",  "--out",     "--pin",
                                  "--min-segment", "--plugin", "--quantize"};
  for (const std::string& name : DeviceOptionFlagNames()) valued.insert(name);
  return valued;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// -o FILE other than *.ir: the model compiled for the --device list (with the device
// option flags), every segment's executable serialized, for run and bench to load.
int WriteCompiled(const Flags& flags) {
  auto options = SessionOptionsFromFlags(flags);
  if (!options.ok()) {
    return Fail(ExitStatusFor(options.status()), "compile: " + options.status().message());
  }
  auto session = Session::Create(flags.positional()[0], *options);
  if (!session.ok()) return Fail(kExitError, "compile: " + session.status().message());
  const std::string path = flags.Get("--out");
  if (Status s = (*session)->SaveCompiled(path); !s.ok()) {
    return Fail(kExitError, "compile: " + s.message());
  }
  std::printf("wrote %s: compiled model for %s (load it with hetero run / hetero bench)\n",
              path.c_str(), flags.Get("--device", "cpu").c_str());
  return kExitOk;
}

}  // namespace

int CompileCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args, CompileValuedFlags(),
                            {"--explain", "--time-passes", "--help", "--no-fallback"}, &error);
  if (!flags) return Fail(kExitUsage, "compile: " + error + " (" + kCompileUsage + ")");
  if (flags->Has("--help")) {
    std::printf("%s\n", kCompileUsage);
    return kExitOk;
  }
  if (flags->positional().size() != 1) {
    return Fail(kExitUsage, std::string("compile: expected one MODEL (") + kCompileUsage + ")");
  }
  // The list is checked now so that a bad one fails before the passes run.
  if (Status s = CheckDeviceList(flags->Get("--device", "cpu"), flags->GetAll("--plugin"));
      !s.ok()) {
    return Fail(kExitError, s.message());
  }
  auto model = LoadModel(flags->positional()[0]);
  if (!model.ok()) return Fail(kExitError, model.status().message());
  auto sizes = SymbolSizes(*model, *flags);
  if (!sizes.ok()) return Fail(ExitStatusFor(sizes.status()), sizes.status().message());

  passes::CompileSummary summary;
  summary.model = model->spec;
  summary.ops_before = passes::CountOps(*model->graph);
  summary.nodes_before = model->graph->num_nodes();
  const auto start = std::chrono::steady_clock::now();
  auto quantize = QuantizeFromFlags(*flags);
  if (!quantize.ok()) return Fail(kExitUsage, "compile: " + quantize.status().message());
  auto reports = passes::Pipeline::Default().Run(*model->graph);
  if (reports.ok() && !quantize->empty()) {
    auto quantized = passes::Pipeline::Parse("quantize-" + *quantize)->Run(*model->graph);
    if (quantized.ok()) {
      reports->insert(reports->end(), quantized->begin(), quantized->end());
    } else {
      reports = quantized.status();
    }
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!reports.ok()) return Fail(kExitError, model->spec + ": " + reports.status().message());
  summary.reports = std::move(*reports);
  summary.ops_after = passes::CountOps(*model->graph);
  summary.nodes_after = model->graph->num_nodes();
  summary.dims = *sizes;
  auto plan = passes::PlanMemory(*model->graph, passes::MemoryPlanOptions{*sizes});
  if (plan.ok()) {
    summary.memory = std::move(*plan);
  } else {
    summary.memory_error = plan.status().message();
  }

  std::printf("compiled %s: %zu -> %zu nodes in %.1f ms\n", model->spec.c_str(),
              summary.nodes_before, summary.nodes_after, ms);
  if (flags->Has("--explain")) std::fputs(passes::FormatExplain(summary).c_str(), stdout);
  if (Status s = PlaceAndExplain(*model->graph, *flags, *sizes); !s.ok()) {
    return Fail(ExitStatusFor(s), "compile: " + s.message());
  }
  if (flags->Has("--time-passes")) {
    std::fputs(passes::FormatPassReports(summary.reports).c_str(), stderr);
  }
  if (flags->Has("--out") && !EndsWith(flags->Get("--out"), ".ir")) {
    return WriteCompiled(*flags);
  }
  if (flags->Has("--out")) {
    const std::string path = flags->Get("--out");
    std::ofstream out(path, std::ios::binary);
    if (!(out << ir::PrintGraph(*model->graph))) {
      return Fail(kExitError, "compile: cannot write '" + path + "'");
    }
    std::printf("wrote %s (constants over 16 elements elided)\n", path.c_str());
  }
  return kExitOk;
}

}  // namespace hetero::cli
