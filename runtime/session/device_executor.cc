// DeviceExecutor: host-side shape inference, then one execute of the whole graph on a
// plugin device.
#include "runtime/session/device_executor.h"

#include <optional>
#include <unordered_map>

#include "compiler/ir/evaluate.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

// Values the host computes to resolve shapes stay small: shape vectors, indices.
constexpr int64_t kMaxHostValueElements = 1024;

struct Known {
  TensorType type;
  std::optional<Tensor> value;
};

// Output types of one node from its inputs' concrete types and known values; the
// outputs' values too when they are cheap to compute here.
Status InferNode(const ir::Node& node, std::unordered_map<const ir::Value*, Known>& known) {
  std::vector<const TensorType*> types;
  std::vector<const Tensor*> values;
  bool all_values = true;
  for (const ir::Value* in : node.inputs()) {
    if (in == nullptr) {
      types.push_back(nullptr);
      values.push_back(nullptr);
      continue;
    }
    const Known& k = known.at(in);
    types.push_back(&k.type);
    values.push_back(k.value ? &*k.value : nullptr);
    all_values = all_values && k.value.has_value();
  }
  ops::InferContext ctx{types, values, node.attrs(), node.outputs().size()};
  auto out_types = node.schema().infer(ctx);
  if (!out_types.ok()) return out_types.status().WithContext(ir::DescribeNode(node));
  std::optional<std::vector<Tensor>> out_values;
  if ((node.op() == "Shape" || node.op() == "Size") && types[0] != nullptr) {
    if (auto v = ir::EvaluateShapeOp(node.op(), *types[0], node.attrs())) {
      out_values = std::vector<Tensor>{std::move(*v)};
    }
  } else if (all_values) {
    // A kernel error here leaves the value unknown: the device reports it when it runs.
    out_values = ir::EvaluateWithKernel(node.op(), types, values, node.attrs(),
                                        node.outputs().size(), kMaxHostValueElements);
  }
  for (size_t i = 0; i < node.outputs().size(); ++i) {
    Known& k = known[node.output(i)];
    k.type = (*out_types)[i];
    if (out_values && i < out_values->size()) k.value = (*out_values)[i];
  }
  return OkStatus();
}

// When every input has the dtype and static dims the graph declares and every output's
// declared shape is static, those declared dims are the answer: nothing to evaluate.
std::optional<std::vector<std::vector<int64_t>>> DeclaredOutputDims(
    const ir::Graph& graph, const std::map<std::string, Tensor>& inputs) {
  for (const ir::Value* in : graph.inputs()) {
    auto it = inputs.find(in->name());
    if (it == inputs.end() || it->second.dtype() != in->type().dtype) return std::nullopt;
    auto declared = in->type().shape.StaticDims();
    if (!declared || *declared != it->second.dims()) return std::nullopt;
  }
  std::vector<std::vector<int64_t>> dims;
  for (const ir::Value* out : graph.outputs()) {
    auto d = out->type().shape.StaticDims();
    if (!d) return std::nullopt;
    dims.push_back(std::move(*d));
  }
  return dims;
}

}  // namespace

StatusOr<std::vector<std::vector<int64_t>>> InferOutputDims(
    const ir::Graph& graph, const std::map<std::string, Tensor>& inputs) {
  if (auto declared = DeclaredOutputDims(graph, inputs)) return std::move(*declared);
  std::unordered_map<const ir::Value*, Known> known;
  for (const ir::Value* in : graph.inputs()) {
    const Tensor& t = inputs.at(in->name());
    Known& k = known[in];
    k.type = t.type();
    // A tensor without storage (a value that lives on a device) gives its type only.
    if (t.num_elements() <= kMaxHostValueElements && !t.empty_storage()) k.value = t;
  }
  for (const ir::Value* c : graph.constants()) {
    const Tensor& t = *c->constant();
    known[c] = Known{t.type(), t.empty_storage() ? std::nullopt : std::optional<Tensor>(t)};
  }
  HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
  for (const ir::Node* node : order) HETERO_RETURN_IF_ERROR(InferNode(*node, known));
  std::vector<std::vector<int64_t>> dims;
  for (const ir::Value* out : graph.outputs()) {
    const TensorType& type = known.at(out).type;
    auto d = type.shape.StaticDims();
    if (!d) {
      return Unimplemented("output '" + out->name() + "' is " + type.ToString() +
                           ": its shape depends on values computed on the device");
    }
    dims.push_back(std::move(*d));
  }
  return dims;
}

StatusOr<std::unique_ptr<DeviceExecutor>> DeviceExecutor::Create(
    const ir::Graph& graph, std::shared_ptr<plugins::Device> device,
    const std::string& compile_options) {
  std::unique_ptr<DeviceExecutor> exe(new DeviceExecutor(graph, std::move(device)));
  HETERO_ASSIGN_OR_RETURN(exe->view_, plugins::GraphView::FromGraph(graph));
  HETERO_ASSIGN_OR_RETURN(plugins::SupportResult support, exe->device_->QuerySupport(*exe->view_));
  for (size_t i = 0; i < support.supported.size(); ++i) {
    if (!support.supported[i]) {
      return Unimplemented("device '" + exe->device_->name() + "' does not run " +
                           ir::DescribeNode(*exe->view_->ir_node(i)) + ": " +
                           (support.reason[i].empty() ? "no reason given" : support.reason[i]));
    }
  }
  HETERO_ASSIGN_OR_RETURN(plugins::Executable compiled,
                          exe->device_->Compile(*exe->view_, compile_options));
  exe->executable_ = std::make_unique<plugins::Executable>(std::move(compiled));
  return exe;
}

StatusOr<std::unique_ptr<DeviceExecutor>> DeviceExecutor::Deserialize(
    const ir::Graph& graph, std::shared_ptr<plugins::Device> device,
    const std::vector<uint8_t>& bytes) {
  std::unique_ptr<DeviceExecutor> exe(new DeviceExecutor(graph, std::move(device)));
  HETERO_ASSIGN_OR_RETURN(exe->view_, plugins::GraphView::FromGraph(graph));
  HETERO_ASSIGN_OR_RETURN(plugins::Executable restored,
                          exe->device_->Deserialize(bytes.data(), bytes.size()));
  // The ABI cannot tell a restored executable's arity; the plugin checks every execute's
  // input and output counts and types against what it compiled.
  exe->executable_ = std::make_unique<plugins::Executable>(std::move(restored));
  return exe;
}

StatusOr<std::vector<Tensor>> DeviceExecutor::Run(
    const std::map<std::string, Tensor>& inputs) const {
  HETERO_RETURN_IF_ERROR(CheckInputs(graph_, inputs));
  HETERO_ASSIGN_OR_RETURN(auto output_dims, InferOutputDims(graph_, inputs));
  // Declared before the stream: queued work may touch them until the stream is drained.
  std::vector<plugins::Buffer> in_buffers, out_buffers;
  std::vector<hetero_tensor_desc> in_descs, out_descs;
  std::vector<Tensor> outputs;
  HETERO_ASSIGN_OR_RETURN(plugins::Stream stream, device_->CreateStream());
  Status status =
      Enqueue(stream, inputs, output_dims, in_buffers, in_descs, out_buffers, out_descs, outputs);
  // Drained on every path, so nothing in flight outlives the buffers.
  Status drained = stream.Synchronize();
  HETERO_RETURN_IF_ERROR(status);
  HETERO_RETURN_IF_ERROR(drained);
  return outputs;
}

Status DeviceExecutor::Enqueue(plugins::Stream& stream, const std::map<std::string, Tensor>& inputs,
                               const std::vector<std::vector<int64_t>>& output_dims,
                               std::vector<plugins::Buffer>& in_buffers,
                               std::vector<hetero_tensor_desc>& in_descs,
                               std::vector<plugins::Buffer>& out_buffers,
                               std::vector<hetero_tensor_desc>& out_descs,
                               std::vector<Tensor>& outputs) const {
  const std::vector<const ir::Value*> in_values = view_->InputValues();
  const std::vector<const ir::Value*> out_values = view_->OutputValues();
  in_buffers.reserve(in_values.size());
  out_buffers.reserve(out_values.size());
  outputs.reserve(out_values.size());
  for (const ir::Value* v : in_values) {
    const Tensor& t = inputs.at(v->name());
    HETERO_ASSIGN_OR_RETURN(plugins::Buffer buffer, device_->Allocate(t.byte_size()));
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc, plugins::MakeTensorDesc(t.dtype(), t.dims()));
    in_buffers.push_back(std::move(buffer));
    in_descs.push_back(desc);
    HETERO_RETURN_IF_ERROR(stream.CopyToDevice(t.raw(), in_buffers.back(), 0, t.byte_size()));
  }
  for (size_t i = 0; i < out_values.size(); ++i) {
    HETERO_ASSIGN_OR_RETURN(Tensor host,
                            Tensor::Allocate(out_values[i]->type().dtype, output_dims[i]));
    HETERO_ASSIGN_OR_RETURN(plugins::Buffer buffer, device_->Allocate(host.byte_size()));
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc,
                            plugins::MakeTensorDesc(host.dtype(), host.dims()));
    out_buffers.push_back(std::move(buffer));
    out_descs.push_back(desc);
    outputs.push_back(std::move(host));
  }
  std::vector<plugins::Buffer*> ins, outs;
  for (auto& b : in_buffers) ins.push_back(&b);
  for (auto& b : out_buffers) outs.push_back(&b);
  HETERO_RETURN_IF_ERROR(stream.Execute(*executable_, ins, in_descs, outs, out_descs));
  for (size_t i = 0; i < outputs.size(); ++i) {
    HETERO_RETURN_IF_ERROR(
        stream.CopyToHost(out_buffers[i], 0, outputs[i].mutable_raw(), outputs[i].byte_size()));
  }
  return OkStatus();
}

}  // namespace hetero
