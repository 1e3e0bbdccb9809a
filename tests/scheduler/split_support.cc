// Forced splits for scheduler tests: pins computed from support answers and node names.
#include "tests/scheduler/split_support.h"

#include <cmath>
#include <regex>

#include "compiler/ir/parser.h"
#include "compiler/passes/pipeline.h"

namespace hetero::testing {
namespace {

// The layer index in a node name ("layer3/..." or "h.3."), or -1.
int LayerOf(const std::string& name) {
  static const std::regex pattern(R"((?:layer|layers|h|blocks?)[._/]?(\d+))");
  std::smatch m;
  if (std::regex_search(name, m, pattern)) return std::stoi(m[1]);
  return -1;
}

StatusOr<std::vector<std::shared_ptr<plugins::Device>>> OpenAll(
    const plugins::PluginRegistry& registry, const std::vector<std::string>& devices) {
  std::vector<std::shared_ptr<plugins::Device>> opened;
  for (const std::string& name : devices) {
    if (name == "cpu-b") {  // a second device of the cpu plugin's instance
      HETERO_ASSIGN_OR_RETURN(const plugins::DeviceEntry* cpu, registry.FindDevice("cpu"));
      HETERO_ASSIGN_OR_RETURN(auto device, cpu->plugin->OpenDevice(0, "cpu-b"));
      opened.push_back(std::move(device));
      continue;
    }
    HETERO_ASSIGN_OR_RETURN(auto device, registry.OpenDevice(name));
    opened.push_back(std::move(device));
  }
  return opened;
}

}  // namespace

StatusOr<std::unique_ptr<Compiled>> CompilePinned(const plugins::PluginRegistry& registry,
                                                  std::string_view ir_text,
                                                  const std::vector<std::string>& devices,
                                                  const std::vector<std::string>& pins,
                                                  scheduler::SchedulerOptions options) {
  auto compiled = std::make_unique<Compiled>();
  HETERO_ASSIGN_OR_RETURN(compiled->model.graph, ir::ParseGraph(ir_text));
  HETERO_ASSIGN_OR_RETURN(auto opened, OpenAll(registry, devices));
  placement::PlacementOptions placement_options;
  placement_options.min_segment_nodes = 1;
  for (const std::string& text : pins) {
    HETERO_ASSIGN_OR_RETURN(placement::Pin pin, placement::ParsePin(text));
    placement_options.pins.push_back(std::move(pin));
  }
  HETERO_ASSIGN_OR_RETURN(
      compiled->executor,
      PartitionedExecutor::Create(*compiled->model.graph, opened, placement_options));
  compiled->scheduler = std::make_unique<scheduler::FlowScheduler>(
      *compiled->executor, registry.host().arena(), options);
  return compiled;
}

std::unique_ptr<plugins::PluginRegistry> TestRegistry(int threads) {
  return plugins::LoadPluginRegistry({PARTIAL_MODULE_DIR "/libhetero_plugin_partial.so"}, threads);
}

StatusOr<std::unique_ptr<Compiled>> CompileSplit(const plugins::PluginRegistry& registry,
                                                 const std::string& model,
                                                 const std::vector<std::string>& devices,
                                                 SplitPolicy policy,
                                                 scheduler::SchedulerOptions options) {
  auto compiled = std::make_unique<Compiled>();
  HETERO_ASSIGN_OR_RETURN(compiled->model, LoadModel(model));
  ir::Graph& graph = *compiled->model.graph;
  HETERO_RETURN_IF_ERROR(passes::Pipeline::Default().Run(graph).status());
  HETERO_ASSIGN_OR_RETURN(auto opened, OpenAll(registry, devices));
  placement::PlacementOptions placement_options;
  if (policy != SplitPolicy::kAutomatic) {
    placement_options.min_segment_nodes = 1;
    HETERO_ASSIGN_OR_RETURN(auto infos, DescribeDevices(graph, opened));
    for (size_t i = 0; i < graph.nodes().size(); ++i) {
      const ir::Node& node = *graph.nodes()[i];
      int layer = policy == SplitPolicy::kRoundRobin ? static_cast<int>(i) : LayerOf(node.name());
      size_t want = layer < 0 ? 0 : static_cast<size_t>(layer) % opened.size();
      if (!infos[want].supported[i]) want = 0;
      placement_options.pins.push_back({node.name(), opened[want]->name()});
    }
  }
  HETERO_ASSIGN_OR_RETURN(compiled->executor,
                          PartitionedExecutor::Create(graph, opened, placement_options));
  compiled->scheduler = std::make_unique<scheduler::FlowScheduler>(
      *compiled->executor, registry.host().arena(), options);
  return compiled;
}

double MaxAbsDiff(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type() != b[i].type()) return INFINITY;
    for (int64_t k = 0; k < a[i].num_elements(); ++k) {
      worst = std::max(worst, std::fabs(a[i].GetDouble(k) - b[i].GetDouble(k)));
    }
  }
  return worst;
}

std::vector<Tensor> Ordered(const ir::Graph& graph, const RunResult& result) {
  std::vector<Tensor> out;
  for (const ir::Value* v : graph.outputs()) out.push_back(result.outputs.at(v->name()));
  return out;
}

}  // namespace hetero::testing
