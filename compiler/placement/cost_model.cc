// The placement cost model: roofline node times, host-link transfers, segment overheads.
#include "compiler/placement/cost_model.h"

#include <algorithm>
#include <set>

namespace hetero::placement {
namespace {

TensorType BindType(const TensorType& type, const PlacementOptions& options) {
  TensorType bound = type;
  for (Dim& dim : bound.shape.dims()) {
    if (dim.is_static()) continue;
    int64_t value = options.default_dim;
    if (dim.is_symbol()) {
      auto it = options.symbols.find(dim.symbol());
      if (it != options.symbols.end()) value = it->second;
    }
    dim = Dim(value);
  }
  return bound;
}

double PeakFor(const DeviceInfo& device, DType dtype) {
  double peak = device.peak_flops[static_cast<size_t>(dtype)];
  if (peak <= 0) peak = device.peak_flops[static_cast<size_t>(DType::kF32)];
  return peak > 0 ? peak : 1e9;  // unknown: a modest 1 GFLOP/s
}

DType ComputeDType(const ir::Node& node) {
  for (const ir::Value* input : node.inputs()) {
    if (input != nullptr && IsFloat(input->type().dtype)) return input->type().dtype;
  }
  return node.outputs().empty() ? DType::kF32 : node.output(0)->type().dtype;
}

}  // namespace

double ValueBytes(const TensorType& type, const PlacementOptions& options) {
  TensorType bound = BindType(type, options);
  double elements = 1;
  for (const Dim& dim : bound.shape.dims()) elements *= static_cast<double>(dim.value());
  return elements * static_cast<double>(DTypeSize(bound.dtype));
}

ops::OpCost NodeCost(const ir::Node& node, const PlacementOptions& options) {
  std::vector<TensorType> inputs;
  inputs.reserve(node.inputs().size());
  for (const ir::Value* input : node.inputs()) {
    inputs.push_back(input ? BindType(input->type(), options) : TensorType{});
  }
  std::vector<const TensorType*> input_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    input_ptrs.push_back(node.input(i) ? &inputs[i] : nullptr);
  }
  std::vector<TensorType> outputs;
  for (const ir::Value* output : node.outputs()) {
    outputs.push_back(BindType(output->type(), options));
  }
  if (node.schema().cost != nullptr) {
    return node.schema().cost(ops::CostContext{input_ptrs, outputs, node.attrs()});
  }
  ops::OpCost cost;
  for (const ir::Value* input : node.inputs()) {
    if (input) cost.bytes += ValueBytes(input->type(), options);
  }
  for (const ir::Value* output : node.outputs()) cost.bytes += ValueBytes(output->type(), options);
  return cost;
}

CostModel::CostModel(const ir::Graph& graph, std::vector<const ir::Node*> order,
                     const std::vector<DeviceInfo>& devices, const PlacementOptions& options,
                     std::vector<std::vector<bool>> allowed)
    : order_(std::move(order)), devices_(devices), options_(options), allowed_(std::move(allowed)) {
  ComputeNodeCosts();
  ComputeEdges(graph);
}

void CostModel::ComputeNodeCosts() {
  node_s_.assign(order_.size(), std::vector<double>(devices_.size(), kInfeasible));
  for (size_t i = 0; i < order_.size(); ++i) {
    ops::OpCost cost = NodeCost(*order_[i], options_);
    DType dtype = ComputeDType(*order_[i]);
    for (size_t d = 0; d < devices_.size(); ++d) {
      if (!allowed_[i][d]) continue;
      const DeviceInfo& device = devices_[d];
      double compute = cost.flops / PeakFor(device, dtype);
      double bandwidth = device.memory_bandwidth > 0 ? device.memory_bandwidth : 1e10;
      node_s_[i][d] = std::max(compute, cost.bytes / bandwidth) + device.launch_overhead_s;
    }
  }
  if (!options_.measured_s.empty()) ApplyMeasurements();
}

void CostModel::ApplyMeasurements() {
  for (size_t d = 0; d < devices_.size(); ++d) {
    double measured_sum = 0, predicted_sum = 0;
    std::vector<bool> measured(order_.size(), false);
    for (size_t i = 0; i < order_.size(); ++i) {
      if (node_s_[i][d] == kInfeasible) continue;
      auto node = options_.measured_s.find(order_[i]->name());
      if (node == options_.measured_s.end()) continue;
      auto time = node->second.find(devices_[d].name);
      if (time == node->second.end() || time->second < 0) continue;
      measured_sum += time->second;
      predicted_sum += node_s_[i][d];
      node_s_[i][d] = time->second;
      measured[i] = true;
    }
    if (measured_sum <= 0 || predicted_sum <= 0) continue;
    const double scale = measured_sum / predicted_sum;
    for (size_t i = 0; i < order_.size(); ++i) {
      if (!measured[i] && node_s_[i][d] != kInfeasible) node_s_[i][d] *= scale;
    }
  }
}

void CostModel::ComputeEdges(const ir::Graph& graph) {
  std::unordered_map<const ir::Value*, size_t> use_index;
  std::unordered_map<const ir::Node*, int> position;
  for (size_t i = 0; i < order_.size(); ++i) position[order_[i]] = static_cast<int>(i);
  auto use_of = [&](const ir::Value* value) -> ValueUse& {
    auto [it, inserted] = use_index.emplace(value, uses_.size());
    if (inserted) {
      ValueUse use;
      use.source.producer = value->producer() ? position.at(value->producer()) : -1;
      use.source.bytes = ValueBytes(value->type(), options_);
      uses_.push_back(std::move(use));
    }
    return uses_[it->second];
  };
  for (size_t i = 0; i < order_.size(); ++i) {
    std::set<const ir::Value*> seen;
    for (const ir::Value* input : order_[i]->inputs()) {
      if (input == nullptr || input->is_constant() || !seen.insert(input).second) continue;
      use_of(input).consumers.push_back(static_cast<int>(i));
    }
  }
  for (const ir::Value* output : graph.outputs()) {
    if (!output->is_constant()) use_of(output).graph_output = true;
  }
}

double CostModel::TransferSeconds(double bytes, int src, int dst) const {
  if (src == dst) return 0;
  double seconds = 0;
  for (int end : {src, dst}) {
    if (end < 0 || devices_[end].host_memory) continue;
    const DeviceInfo& device = devices_[end];
    double link = device.host_link_bandwidth > 0 ? device.host_link_bandwidth : 1e10;
    seconds += bytes / link + device.launch_overhead_s;
  }
  return seconds;
}

CostModel::Breakdown CostModel::Evaluate(const std::vector<int>& assignment) const {
  Breakdown result;
  for (size_t i = 0; i < order_.size(); ++i) {
    result.total_s += node_s_[i][assignment[i]];
    if (i == 0 || assignment[i] != assignment[i - 1]) ++result.num_segments;
  }
  for (const ValueUse& use : uses_) {
    int src = use.source.producer < 0 ? -1 : assignment[use.source.producer];
    uint64_t done = 0;  // destination devices already holding a copy (bit per device)
    auto copy_to = [&](int dst) {
      if (dst == src || (dst >= 0 && (done >> dst) & 1)) return;
      if (dst >= 0) done |= uint64_t{1} << dst;
      double seconds = TransferSeconds(use.source.bytes, src, dst);
      if (seconds > 0) {
        result.transfer_s += seconds;
        ++result.num_transfers;
      }
    };
    for (int consumer : use.consumers) copy_to(assignment[consumer]);
    if (use.graph_output) copy_to(-1);
  }
  result.total_s += result.transfer_s + options_.segment_overhead_s * result.num_segments;
  return result;
}

}  // namespace hetero::placement
