// PartitionedExecutor: placement from the devices' answers, a DeviceExecutor per segment,
// values passed between segments through host tensors.
#include "runtime/session/partitioned_executor.h"

#include <algorithm>

#include "runtime/plugins/graph_view.h"
#include "runtime/session/calibration.h"
#include "runtime/session/reference_executor.h"
#include "runtime/session/segment_graph.h"

namespace hetero {
namespace {

placement::DeviceInfo InfoFromProperties(const plugins::Device& device) {
  const plugins::DeviceProperties& props = device.properties();
  placement::DeviceInfo info;
  info.name = device.name();
  for (DType dtype : kAllDTypes)
    info.peak_flops[static_cast<size_t>(dtype)] = props.PeakFlops(dtype);
  info.memory_bandwidth = props.memory_bandwidth;
  info.host_link_bandwidth = props.host_link_bandwidth;
  info.launch_overhead_s = props.launch_overhead_ns * 1e-9;
  info.host_memory = props.Has(HETERO_CAP_HOST_MEMORY) || props.kind == HETERO_DEVICE_CPU;
  return info;
}

}  // namespace

StatusOr<std::vector<placement::DeviceInfo>> DescribeDevices(
    const ir::Graph& graph, const std::vector<std::shared_ptr<plugins::Device>>& devices) {
  HETERO_ASSIGN_OR_RETURN(auto view, plugins::GraphView::FromGraph(graph));
  std::unordered_map<const ir::Node*, size_t> index;
  for (size_t i = 0; i < graph.nodes().size(); ++i) index[graph.nodes()[i].get()] = i;
  std::vector<placement::DeviceInfo> infos;
  for (const auto& device : devices) {
    placement::DeviceInfo info = InfoFromProperties(*device);
    HETERO_ASSIGN_OR_RETURN(plugins::SupportResult support, device->QuerySupport(*view));
    info.supported.assign(graph.nodes().size(), false);
    info.reasons.assign(graph.nodes().size(), "");
    for (size_t i = 0; i < view->num_nodes() && i < support.supported.size(); ++i) {
      size_t k = index.at(view->ir_node(i));
      info.supported[k] = support.supported[i];
      if (i < support.reason.size()) info.reasons[k] = support.reason[i];
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

StatusOr<std::unique_ptr<PartitionedExecutor>> PartitionedExecutor::Create(
    const ir::Graph& graph, std::vector<std::shared_ptr<plugins::Device>> devices,
    const placement::PlacementOptions& options,
    const std::map<std::string, std::string>& compile_options,
    const std::map<std::string, Tensor>& calibration_inputs) {
  HETERO_ASSIGN_OR_RETURN(auto infos, DescribeDevices(graph, devices));
  std::unique_ptr<PartitionedExecutor> executor(new PartitionedExecutor(graph));
  HETERO_ASSIGN_OR_RETURN(executor->plan_, placement::Place(graph, infos, options));
  const size_t num_segments = executor->plan_.segments.size();
  std::vector<SegmentRun> runs(num_segments);
  std::vector<const ir::Graph*> graphs(num_segments, nullptr);
  std::vector<bool> wanted(num_segments, false);
  for (size_t s = 0; s < num_segments; ++s) {
    const placement::Segment& segment = executor->plan_.segments[s];
    runs[s].device_name = devices[segment.device]->name();
    HETERO_ASSIGN_OR_RETURN(runs[s].graph, ExtractSegmentGraph(graph, segment.nodes));
    graphs[s] = runs[s].graph.get();
    wanted[s] = compile_options.count(runs[s].device_name) > 0;
  }
  std::unique_ptr<SegmentCalibration> calibration;
  if (!calibration_inputs.empty() && std::count(wanted.begin(), wanted.end(), true) > 0) {
    HETERO_ASSIGN_OR_RETURN(calibration,
                            SegmentCalibration::Write(graph, calibration_inputs, graphs, wanted));
  }
  for (size_t s = 0; s < num_segments; ++s) {
    SegmentRun& run = runs[s];
    const placement::Segment& segment = executor->plan_.segments[s];
    auto option = compile_options.find(run.device_name);
    std::string text = option == compile_options.end() ? "" : option->second;
    if (calibration) text = WithCalibration(text, calibration->Files(s));
    auto compiled = DeviceExecutor::Create(*run.graph, devices[segment.device], text);
    if (!compiled.ok()) {
      return Status(compiled.status().code(), "segment " + std::to_string(s) + " on " +
                                                  run.device_name + ": " +
                                                  compiled.status().message());
    }
    run.executor = std::move(*compiled);
    executor->segments_.push_back(std::move(run));
  }
  executor->ComputeDeps();
  return executor;
}

StatusOr<std::unique_ptr<PartitionedExecutor>> PartitionedExecutor::FromCompiled(
    const ir::Graph& graph, std::vector<LoadedSegment> segments) {
  std::unique_ptr<PartitionedExecutor> executor(new PartitionedExecutor(graph));
  std::map<std::string, const ir::Node*> by_name;
  for (const auto& node : graph.nodes()) by_name[node->name()] = node.get();
  for (size_t s = 0; s < segments.size(); ++s) {
    LoadedSegment& loaded = segments[s];
    placement::Segment segment;
    auto known = std::find(executor->plan_.devices.begin(), executor->plan_.devices.end(),
                           loaded.device->name());
    segment.device = static_cast<int>(known - executor->plan_.devices.begin());
    if (known == executor->plan_.devices.end()) {
      executor->plan_.devices.push_back(loaded.device->name());
    }
    segment.reason = "compiled model";
    for (const auto& node : loaded.graph->nodes()) {
      auto it = by_name.find(node->name());
      if (it == by_name.end()) {
        return InvalidArgument("segment " + std::to_string(s) + " has node '" + node->name() +
                               "', which the model's graph does not");
      }
      segment.nodes.push_back(it->second);
    }
    SegmentRun run;
    run.device_name = loaded.device->name();
    auto restored = DeviceExecutor::Deserialize(*loaded.graph, loaded.device, loaded.executable);
    if (!restored.ok()) {
      return Status(restored.status().code(), "segment " + std::to_string(s) + " on " +
                                                  run.device_name + ": " +
                                                  restored.status().message());
    }
    run.executor = std::move(*restored);
    run.graph = std::move(loaded.graph);
    executor->plan_.segments.push_back(std::move(segment));
    executor->segments_.push_back(std::move(run));
  }
  executor->ComputeDeps();
  return executor;
}

void PartitionedExecutor::ComputeDeps() {
  std::map<std::string, size_t> producer;
  for (size_t s = 0; s < segments_.size(); ++s) {
    for (const ir::Value* input : segments_[s].graph->inputs()) {
      auto it = producer.find(input->name());
      if (it != producer.end() && std::find(segments_[s].deps.begin(), segments_[s].deps.end(),
                                            it->second) == segments_[s].deps.end()) {
        segments_[s].deps.push_back(it->second);
      }
    }
    for (const ir::Value* output : segments_[s].graph->outputs()) producer[output->name()] = s;
  }
}

std::vector<std::string> PartitionedExecutor::SegmentInputs(size_t s) const {
  std::vector<std::string> names;
  for (const ir::Value* input : segments_[s].graph->inputs()) names.push_back(input->name());
  return names;
}

StatusOr<std::vector<std::pair<std::string, Tensor>>> PartitionedExecutor::RunSegment(
    size_t s, const std::map<std::string, Tensor>& inputs) const {
  const SegmentRun& run = segments_[s];
  auto outputs = run.executor->Run(inputs);
  if (!outputs.ok()) {
    return Status(outputs.status().code(), "segment " + std::to_string(s) + " on " +
                                               run.device_name + ": " + outputs.status().message());
  }
  std::vector<std::pair<std::string, Tensor>> named;
  for (size_t i = 0; i < outputs->size(); ++i) {
    named.emplace_back(run.graph->outputs()[i]->name(), std::move((*outputs)[i]));
  }
  return named;
}

StatusOr<std::vector<Tensor>> PartitionedExecutor::Run(
    const std::map<std::string, Tensor>& inputs) const {
  HETERO_RETURN_IF_ERROR(CheckInputs(graph_, inputs));
  std::map<std::string, Tensor> values = inputs;  // shares memory; grows with outputs
  for (size_t s = 0; s < segments_.size(); ++s) {
    const SegmentRun& run = segments_[s];
    std::map<std::string, Tensor> segment_inputs;
    for (const ir::Value* input : run.graph->inputs()) {
      auto it = values.find(input->name());
      if (it == values.end()) {
        return Internal("segment " + std::to_string(s) + ": value '" + input->name() +
                        "' was not computed before it");
      }
      segment_inputs.emplace(input->name(), it->second);
    }
    HETERO_ASSIGN_OR_RETURN(auto outputs, RunSegment(s, segment_inputs));
    for (auto& [name, tensor] : outputs) values.insert_or_assign(name, std::move(tensor));
  }
  return GraphOutputs(values);
}

StatusOr<std::vector<Tensor>> PartitionedExecutor::GraphOutputs(
    const std::map<std::string, Tensor>& values) const {
  std::vector<Tensor> results;
  for (const ir::Value* output : graph_.outputs()) {
    if (output->is_constant()) {
      results.push_back(*output->constant());
      continue;
    }
    auto it = values.find(output->name());
    if (it == values.end()) return Internal("graph output '" + output->name() + "' not computed");
    results.push_back(it->second);
  }
  return results;
}

}  // namespace hetero
