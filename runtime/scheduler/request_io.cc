// SeedRequest / CollectOutputs: the edges of a request, and DeviceTensor's methods.
#include "runtime/scheduler/request_io.h"

#include <algorithm>

#include "runtime/session/reference_executor.h"

namespace hetero {

const std::string& DeviceTensor::device() const { return impl_->device->name(); }
DType DeviceTensor::dtype() const { return impl_->dtype; }
const std::vector<int64_t>& DeviceTensor::dims() const { return impl_->dims; }

StatusOr<Tensor> DeviceTensor::ToHost() const {
  if (impl_ == nullptr) return FailedPrecondition("ToHost on an empty DeviceTensor");
  HETERO_ASSIGN_OR_RETURN(Tensor host, Tensor::Allocate(impl_->dtype, impl_->dims));
  HETERO_ASSIGN_OR_RETURN(plugins::Stream stream, impl_->device->CreateStream());
  Status copied = stream.CopyToHost(*impl_->buffer, 0, host.mutable_raw(), host.byte_size());
  Status drained = stream.Synchronize();
  HETERO_RETURN_IF_ERROR(copied);
  HETERO_RETURN_IF_ERROR(drained);
  return host;
}

namespace scheduler {
namespace {

// Device inputs this small also get a host copy, for shape inference.
constexpr int64_t kSmallValueElements = 1024;

bool ReadableOn(const plugins::Device& holder, const plugins::Device& reader) {
  return &holder == &reader ||
         (&holder.plugin() == &reader.plugin() && reader.properties().Has(HETERO_CAP_DEVICE_COPY));
}

// Whether some segment reading `name` runs where the tensor cannot reach directly.
bool NeedsHostCopy(const std::string& name, const plugins::Device& holder,
                   const std::vector<SegmentPlan>& plans) {
  for (const SegmentPlan& plan : plans) {
    if (std::find(plan.inputs.begin(), plan.inputs.end(), name) == plan.inputs.end()) continue;
    if (!ReadableOn(holder, plan.executor->device())) return true;
  }
  return false;
}

Status SeedDeviceInput(Request& request, const std::string& name, const DeviceTensor& tensor,
                       const std::vector<SegmentPlan>& plans) {
  if (!tensor.valid()) return InvalidArgument("device input '" + name + "' is empty");
  const DeviceTensor::Impl& impl = *tensor.impl();
  ValueSlot& slot = request.values[name];
  slot.dtype = impl.dtype;
  slot.dims = impl.dims;
  slot.copies.push_back({impl.device, impl.buffer});
  HETERO_ASSIGN_OR_RETURN(int64_t count, CheckedElementCount(impl.dims));
  if (count <= kSmallValueElements || NeedsHostCopy(name, *impl.device, plans)) {
    HETERO_ASSIGN_OR_RETURN(Tensor host, tensor.ToHost());
    slot.host = std::move(host);
  }
  return OkStatus();
}

}  // namespace

Status SeedRequest(Request& request, const ir::Graph& graph, const std::vector<SegmentPlan>& plans,
                   const NamedTensors& inputs) {
  // Device inputs are checked by type alongside the host inputs.
  std::map<std::string, Tensor> all = inputs;
  for (const auto& [name, tensor] : request.options.device_inputs) {
    if (inputs.count(name)) {
      return InvalidArgument("input '" + name + "' is given both on the host and on a device");
    }
    if (!tensor.valid()) return InvalidArgument("device input '" + name + "' is empty");
    all.emplace(name, Tensor::Borrow(tensor.dtype(), tensor.dims(), nullptr, nullptr));
  }
  HETERO_RETURN_IF_ERROR(CheckInputs(graph, all));
  std::lock_guard<std::mutex> lock(request.mutex);
  for (const auto& [name, tensor] : inputs) {
    ValueSlot& slot = request.values[name];
    slot.dtype = tensor.dtype();
    slot.dims = tensor.dims();
    slot.host = tensor;
  }
  for (const auto& [name, tensor] : request.options.device_inputs) {
    HETERO_RETURN_IF_ERROR(SeedDeviceInput(request, name, tensor, plans));
  }
  for (const std::string& name : request.options.keep_on_device) {
    const ir::Value* v = graph.FindValue(name);
    if (v == nullptr ||
        std::find(graph.outputs().begin(), graph.outputs().end(), v) == graph.outputs().end()) {
      return InvalidArgument("keep_on_device names '" + name + "', which is not a graph output");
    }
  }
  return OkStatus();
}

StatusOr<RunResult> CollectOutputs(Request& request, const ir::Graph& graph) {
  std::lock_guard<std::mutex> lock(request.mutex);
  if (!request.error.ok()) return request.error;
  const auto& keep = request.options.keep_on_device;
  RunResult result;
  for (const ir::Value* output : graph.outputs()) {
    const std::string& name = output->name();
    const bool on_device = std::find(keep.begin(), keep.end(), name) != keep.end();
    if (output->is_constant() && !on_device) {
      result.outputs.emplace(name, *output->constant());
      continue;
    }
    auto it = request.values.find(name);
    if (it == request.values.end()) return Internal("graph output '" + name + "' not computed");
    const ValueSlot& slot = it->second;
    if (on_device) {
      if (slot.copies.empty()) {
        return InvalidArgument("output '" + name + "' is not computed on a device, so it cannot " +
                               "stay on one");
      }
      auto impl = std::make_shared<DeviceTensor::Impl>();
      impl->device = slot.copies.back().device;
      impl->buffer = slot.copies.back().buffer;
      impl->dtype = slot.dtype;
      impl->dims = slot.dims;
      result.device_outputs.emplace(name, DeviceTensor(std::move(impl)));
      continue;
    }
    if (!slot.host) return Internal("graph output '" + name + "' has no host copy");
    result.outputs.emplace(name, *slot.host);
  }
  return result;
}

}  // namespace scheduler
}  // namespace hetero
