// execute: binds this run's buffers, infers each node's concrete shapes, allocates
// intermediates, enqueues every node's kernel in order and signals completion.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"
#include "devices/opencl/executable.h"

namespace hetero::opencl {
namespace {

class Run {
 public:
  Run(CompiledProgram& cp, Stream& stream)
      : cp_(cp), p_(cp.program), stream_(stream), env_(p_.values.size()) {}
  ~Run() {
    for (cl_mem m : owned_) clReleaseMemObject(m);
    cp_.device->memory.Sub(owned_bytes_);
  }

  Status Bind(uint32_t num_inputs, hetero_buffer* const* inputs, const hetero_tensor_desc* in_descs,
              uint32_t num_outputs, hetero_buffer* const* outputs,
              const hetero_tensor_desc* out_descs);
  Status Nodes(LaunchContext& ctx);
  Status CopyOutputs();

 private:
  StatusOr<DeviceValue> FromBuffer(hetero_buffer* buffer, const hetero_tensor_desc* desc,
                                   const std::string& what, int32_t value);
  Status CheckFits(DType dtype, const std::vector<int64_t>& dims, const std::string& what) const;
  Status Allocate(DeviceValue& v, const std::string& what);
  Status HostNode(const cpu::ProgramNode& node);
  bool OnHost(const cpu::ProgramNode& node) const;
  // Keeps an intermediate until the run ends, counted in the device's memory.
  void Own(cl_mem mem, uint64_t bytes) {
    owned_.push_back(mem);
    owned_bytes_ += bytes;
    cp_.device->memory.Add(bytes);
  }

  CompiledProgram& cp_;
  const cpu::Program& p_;
  Stream& stream_;
  std::vector<DeviceValue> env_;
  std::vector<DeviceValue> outputs_;
  std::vector<std::optional<Tensor>> host_;  // values known on the host
  std::vector<cl_mem> owned_;
  uint64_t owned_bytes_ = 0;  // counted in the device's memory until the run ends
};

StatusOr<DeviceValue> Run::FromBuffer(hetero_buffer* handle, const hetero_tensor_desc* desc,
                                      const std::string& what, int32_t value) {
  HETERO_ASSIGN_OR_RETURN(Buffer * buffer, FromHandle(handle, "execute"));
  if (buffer->device->context != cp_.device->context) {
    return InvalidArgument("opencl execute: " + what + " is a buffer of another device");
  }
  HETERO_ASSIGN_OR_RETURN(TensorType type, cpu::DecodeDesc(*desc, what));
  auto dims = type.shape.StaticDims();
  if (!dims) return InvalidArgument("opencl execute: " + what + " has unknown dims");
  const auto& declared = p_.values[value];
  if (type.dtype != declared.dtype || dims->size() != declared.dims.size()) {
    return InvalidArgument("opencl execute: " + what + " is " + type.ToString() +
                           ", but the graph declares another type or rank");
  }
  for (size_t d = 0; d < dims->size(); ++d) {
    if (declared.dims[d] >= 0 && declared.dims[d] != (*dims)[d]) {
      return InvalidArgument("opencl execute: " + what + " is " + type.ToString() +
                             ", but its dim " + std::to_string(d) + " is declared " +
                             std::to_string(declared.dims[d]));
    }
  }
  HETERO_RETURN_IF_ERROR(CheckFits(type.dtype, *dims, what));
  DeviceValue v{buffer->mem, type.dtype, *dims, true};
  const uint64_t bytes = uint64_t(v.elements()) * DTypeSize(v.dtype);
  if (bytes > buffer->size) {
    return InvalidArgument("opencl execute: " + what + " needs " + std::to_string(bytes) +
                           " bytes; its buffer has " + std::to_string(buffer->size));
  }
  return v;
}

Status Run::Bind(uint32_t num_inputs, hetero_buffer* const* inputs,
                 const hetero_tensor_desc* in_descs, uint32_t num_outputs,
                 hetero_buffer* const* outputs, const hetero_tensor_desc* out_descs) {
  if (num_inputs != p_.inputs.size() || num_outputs != p_.outputs.size()) {
    return InvalidArgument("opencl execute: the executable takes " +
                           std::to_string(p_.inputs.size()) + " inputs and " +
                           std::to_string(p_.outputs.size()) + " outputs; got " +
                           std::to_string(num_inputs) + " and " + std::to_string(num_outputs));
  }
  if ((num_inputs > 0 && (inputs == nullptr || in_descs == nullptr)) ||
      (num_outputs > 0 && (outputs == nullptr || out_descs == nullptr))) {
    return InvalidArgument("opencl execute: NULL inputs or outputs");
  }
  for (uint32_t i = 0; i < num_inputs; ++i) {
    const int32_t v = p_.inputs[i];
    HETERO_ASSIGN_OR_RETURN(
        env_[v], FromBuffer(inputs[i], &in_descs[i], "input '" + p_.values[v].name + "'", v));
  }
  for (uint32_t i = 0; i < num_outputs; ++i) {
    const int32_t v = p_.outputs[i];
    HETERO_ASSIGN_OR_RETURN(DeviceValue out, FromBuffer(outputs[i], &out_descs[i],
                                                        "output '" + p_.values[v].name + "'", v));
    outputs_.push_back(std::move(out));
  }
  for (size_t v = 0; v < p_.values.size(); ++v) {
    if (!cp_.constants[v]) continue;
    env_[v] =
        DeviceValue{cp_.constants[v], p_.values[v].dtype, p_.values[v].constant->dims(), true};
  }
  host_.resize(p_.values.size());
  for (size_t v = 0; v < p_.values.size(); ++v) {
    if (p_.values[v].constant) host_[v] = *p_.values[v].constant;
  }
  return OkStatus();
}

bool Run::OnHost(const cpu::ProgramNode& node) const {
  bool all = true;
  int present = 0;
  for (int32_t v : node.inputs) {
    if (v < 0) continue;
    ++present;
    all = all && host_[v].has_value();
  }
  return HostEvaluable(node.schema->name, all, present);
}

// Runs the node's reference kernel on host values and uploads its outputs.
Status Run::HostNode(const cpu::ProgramNode& node) {
  std::vector<Tensor> ins(node.inputs.size());
  std::vector<const Tensor*> in_ptrs(node.inputs.size(), nullptr);
  std::vector<TensorType> types(node.inputs.size());
  std::vector<const TensorType*> type_ptrs(node.inputs.size(), nullptr);
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const int32_t v = node.inputs[i];
    if (v < 0) continue;
    // Shape and Size read only dims: a tensor without storage stands for a device value.
    ins[i] = host_[v] ? *host_[v] : Tensor::Borrow(env_[v].dtype, env_[v].dims, nullptr, nullptr);
    in_ptrs[i] = &ins[i];
    types[i] = ins[i].type();
    type_ptrs[i] = &types[i];
  }
  ops::InferContext ictx{type_ptrs, in_ptrs, node.attrs, node.outputs.size()};
  HETERO_ASSIGN_OR_RETURN(auto out_types, node.schema->infer(ictx));
  std::vector<Tensor> outs;
  std::vector<Tensor*> out_ptrs;
  outs.reserve(out_types.size());
  for (size_t o = 0; o < out_types.size(); ++o) {
    const TensorType& t = out_types[o];
    auto dims = t.shape.StaticDims();
    if (!dims) return Internal("output shape is not concrete");
    // Checked before the host allocates what the shape claims.
    HETERO_RETURN_IF_ERROR(CheckFits(t.dtype, *dims, "'" + p_.values[node.outputs[o]].name + "'"));
    HETERO_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(t.dtype, *dims));
    outs.push_back(std::move(out));
  }
  for (Tensor& t : outs) out_ptrs.push_back(&t);
  HETERO_RETURN_IF_ERROR(node.schema->reference(ops::KernelContext{in_ptrs, out_ptrs, node.attrs}));
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    DeviceValue& dv = env_[node.outputs[o]];
    dv.dtype = outs[o].dtype();
    dv.dims = outs[o].dims();
    const size_t bytes = outs[o].byte_size();
    cl_int err = CL_SUCCESS;
    dv.mem = clCreateBuffer(
        cp_.device->context, CL_MEM_READ_WRITE | (bytes > 0 ? CL_MEM_COPY_HOST_PTR : 0),
        bytes < 4 ? 4 : bytes, bytes > 0 ? outs[o].mutable_raw() : nullptr, &err);
    if (err != CL_SUCCESS) return ClStatus(err, "uploading a host-computed value");
    Own(dv.mem, bytes);
    dv.present = true;
    host_[node.outputs[o]] = std::move(outs[o]);
  }
  return OkStatus();
}

// A tensor is refused, naming it, before anything is allocated for it when the kernels'
// 32-bit indices cannot reach all its elements or it exceeds the largest allocation.
Status Run::CheckFits(DType dtype, const std::vector<int64_t>& dims,
                      const std::string& what) const {
  int64_t elements = 1;
  bool indexable = true;
  for (int64_t d : dims) {
    if (d == 0) return OkStatus();
    if (d < 0 || elements > INT32_MAX / d) indexable = false;
    if (indexable) elements *= d;
  }
  if (!indexable) {
    return Unimplemented("opencl: tensor " + what + " is " + Shape::FromStatic(dims).ToString() +
                         ": 2^31 elements or more, and the OpenCL kernels index with 32 bits");
  }
  const uint64_t bytes = uint64_t(elements) * DTypeSize(dtype);
  if (cp_.device->info->max_alloc != 0 && bytes > cp_.device->info->max_alloc) {
    return ResourceExhausted("opencl: tensor " + what + " (" + std::to_string(bytes) +
                             " bytes) exceeds the largest allocation of " + cp_.device->info->name +
                             " (" + std::to_string(cp_.device->info->max_alloc) + " bytes)");
  }
  return OkStatus();
}

Status Run::Allocate(DeviceValue& v, const std::string& what) {
  const uint64_t bytes = uint64_t(v.elements()) * DTypeSize(v.dtype);
  cl_int err = CL_SUCCESS;
  v.mem =
      clCreateBuffer(cp_.device->context, CL_MEM_READ_WRITE, bytes < 4 ? 4 : bytes, nullptr, &err);
  if (err != CL_SUCCESS) return ClStatus(err, "allocating " + what);
  Own(v.mem, bytes);
  v.present = true;
  return OkStatus();
}

Status Run::Nodes(LaunchContext& ctx) {
  std::vector<bool> used_slot(outputs_.size(), false);
  for (const cpu::ProgramNode& node : p_.nodes) {
    if (OnHost(node)) {
      HETERO_RETURN_IF_ERROR(HostNode(node).WithContext(node.Describe() + " (on the host)"));
      continue;
    }
    std::vector<TensorType> types(node.inputs.size());
    std::vector<const TensorType*> type_ptrs(node.inputs.size(), nullptr);
    std::vector<const Tensor*> consts(node.inputs.size(), nullptr);
    std::vector<const DeviceValue*> ins(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int32_t v = node.inputs[i];
      if (v < 0) continue;
      if (!env_[v].present) return Internal(node.Describe() + ": input has no value");
      ins[i] = &env_[v];
      types[i] = TensorType{env_[v].dtype, Shape::FromStatic(env_[v].dims)};
      type_ptrs[i] = &types[i];
      if (host_[v]) consts[i] = &*host_[v];
    }
    ops::InferContext ictx{type_ptrs, consts, node.attrs, node.outputs.size()};
    auto out_types = node.schema->infer(ictx);
    if (!out_types.ok()) return out_types.status().WithContext(node.Describe());
    std::vector<DeviceValue*> outs;
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const int32_t v = node.outputs[o];
      auto dims = (*out_types)[o].shape.StaticDims();
      if (!dims) return Internal(node.Describe() + ": output shape is not concrete");
      DeviceValue& dv = env_[v];
      dv.dtype = (*out_types)[o].dtype;
      dv.dims = *dims;
      const std::string what = "'" + p_.values[v].name + "' of " + node.Describe();
      HETERO_RETURN_IF_ERROR(CheckFits(dv.dtype, dv.dims, what));
      int slot = -1;
      for (size_t k = 0; k < p_.outputs.size() && slot < 0; ++k) {
        if (p_.outputs[k] == v && !used_slot[k]) slot = static_cast<int>(k);
      }
      if (slot >= 0 && outputs_[slot].dims == dv.dims && outputs_[slot].dtype == dv.dtype) {
        used_slot[slot] = true;
        dv.mem = outputs_[slot].mem;
        dv.present = true;
      } else {
        HETERO_RETURN_IF_ERROR(Allocate(dv, what));
      }
      outs.push_back(&dv);
    }
    ctx.node_name = node.name;
    ctx.node_op = node.schema->name;
    HETERO_RETURN_IF_ERROR(LaunchNode(ctx, node, ins, consts, outs).WithContext(node.Describe()));
  }
  return OkStatus();
}

// Graph outputs not written in place: inputs, constants, values listed twice.
Status Run::CopyOutputs() {
  for (size_t k = 0; k < p_.outputs.size(); ++k) {
    const DeviceValue& src = env_[p_.outputs[k]];
    const DeviceValue& dst = outputs_[k];
    if (!src.present) return Internal("opencl: graph output was not computed");
    if (src.mem == dst.mem) continue;
    if (src.dims != dst.dims || src.dtype != dst.dtype) {
      return InvalidArgument("opencl execute: output '" + p_.values[p_.outputs[k]].name +
                             "' has another shape in this run than the host gave");
    }
    const size_t bytes = size_t(src.elements()) * DTypeSize(src.dtype);
    if (bytes == 0) continue;
    const cl_int err =
        clEnqueueCopyBuffer(stream_.queue, src.mem, dst.mem, 0, 0, bytes, 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return ClStatus(err, "copying an output");
  }
  return OkStatus();
}

}  // namespace

namespace abi {

hetero_status* Execute(hetero_stream* stream_handle, hetero_executable* handle, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync) {
  return cpu::Guard("opencl execute", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(stream_handle, "execute"));
    HETERO_ASSIGN_OR_RETURN(Executable * executable, FromHandle(handle, "execute"));
    if (executable->device != stream->device) {
      return InvalidArgument(
          "opencl execute: the executable and the stream belong to different devices");
    }
    CompiledProgram& cp = *executable->program;
    Run run(cp, *stream);
    HETERO_RETURN_IF_ERROR(
        run.Bind(num_inputs, inputs, input_descs, num_outputs, outputs, output_descs));
    std::lock_guard<std::mutex> lock(cp.mu);
    HETERO_RETURN_IF_ERROR(EnqueueWaits(*stream, sync));
    auto batch = std::make_unique<ProfileBatch>();
    std::vector<std::unique_ptr<RangeCheck>> checks;
    LaunchContext ctx{cp, stream->queue, stream->device->profiling.load(), &batch->events, {}, {},
                      {}, &checks};
    Status status = run.Nodes(ctx);
    if (status.ok()) status = run.CopyOutputs();
    // After a failed enqueue the signal carries the error, so nothing waits forever.
    Status signal = status.ok() ? EnqueueSignal(*stream, sync, std::move(checks))
                                : FailSignal(*stream, sync, status);
    if (ctx.profiling && !batch->events.empty()) {
      batch->device = stream->device;
      batch->stream_id = stream->id;
      batch->correlation_id = sync != nullptr ? sync->correlation_id : 0;
      batch->names = ctx.names;
      HETERO_RETURN_IF_ERROR(DeliverProfile(std::move(batch)));
    } else {
      for (cl_event e : batch->events) clReleaseEvent(e);
    }
    HETERO_RETURN_IF_ERROR(status);
    return signal;
  });
}

}  // namespace abi
}  // namespace hetero::opencl
