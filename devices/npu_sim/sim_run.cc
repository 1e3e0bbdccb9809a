// Running a program on the simulated NPU: reference kernels between roundings to the
// chip's formats, and the timeline of the commands the chip would run.
#include "devices/npu_sim/sim_run.h"

#include <algorithm>
#include <cstring>

namespace hetero::npu_sim {
namespace {

bool IsMatrixOp(const std::string& op) {
  return op == "MatMul" || op == "FusedMatMul" || op == "Attention";
}
// Ops that only relabel a tensor's dims: the compiler folds them into the neighbours'
// DMA descriptors, so they cost no command.
bool IsViewOp(const std::string& op) {
  return op == "Reshape" || op == "Squeeze" || op == "Unsqueeze";
}
bool IsMovementOp(const std::string& op) {
  return op == "Transpose" || op == "Concat" || op == "Split" || op == "Slice";
}

double StorageBytes(const TensorType& t, DType compute) {
  auto dims = t.shape.StaticDims();
  if (!dims) return 0;
  double n = 1;
  for (int64_t d : *dims) n *= static_cast<double>(d);
  const DType stored = t.dtype == DType::kF32 ? compute : t.dtype;
  return n * static_cast<double>(DTypeSize(stored));
}

double Elements(const TensorType& t) {
  auto dims = t.shape.StaticDims();
  if (!dims) return 0;
  double n = 1;
  for (int64_t d : *dims) n *= static_cast<double>(d);
  return n;
}

void Emit(const SimRunInfo& info, uint64_t base_ns, const SimCommand& c) {
  const hetero_host_api& host = info.device->plugin->host;
  hetero_profile_counter counters[3] = {{"simulated_compute_ns", c.timing.compute_ns},
                                        {"simulated_dma_ns", c.timing.dma_ns},
                                        {"tiles", static_cast<double>(c.timing.tiles)}};
  hetero_profile_record r{};
  r.struct_size = sizeof(r);
  r.correlation_id = info.correlation_id;
  r.name = c.name.c_str();
  r.op = c.op.empty() ? nullptr : c.op.c_str();
  r.device_index = info.device->index;
  r.stream_id = info.stream_id;
  r.start_ns = base_ns + static_cast<uint64_t>(c.start_ns);
  r.end_ns = base_ns + static_cast<uint64_t>(c.end_ns);
  r.num_counters = c.op.empty() ? 0 : 3;
  r.counters = counters;
  r.simulated = 1;
  host.profile_record(host.host_context, &r);
}

class SimRun {
 public:
  SimRun(const Program& p, const SimRunInfo& info, std::vector<SimCommand>* timeline)
      : p_(p), prog_(p.program), info_(info), timeline_(timeline), env_(prog_.values.size()) {}

  Status Run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    const Preset& preset = *info_.device->preset;
    now_ns_ = preset.launch_overhead_ns;
    double in_bytes = 0;
    for (size_t i = 0; i < prog_.inputs.size(); ++i) {
      HETERO_ASSIGN_OR_RETURN(Tensor t, inputs[i].Clone());
      RoundTensor(t, p_.compute);
      in_bytes += static_cast<double>(inputs[i].byte_size());
      env_[prog_.inputs[i]] = std::move(t);
    }
    Transfer("h2d inputs (host link)", in_bytes);
    for (size_t v = 0; v < prog_.values.size(); ++v) {
      if (prog_.values[v].constant) env_[v] = *prog_.values[v].constant;
    }
    for (size_t level = 0; level < prog_.levels.size(); ++level) {
      for (int32_t n : prog_.levels[level]) HETERO_RETURN_IF_ERROR(RunNode(prog_.nodes[n]));
      for (int32_t v : prog_.release[level]) env_[v] = Tensor();
    }
    double out_bytes = 0;
    for (size_t k = 0; k < prog_.outputs.size(); ++k) {
      const Tensor& src = env_[prog_.outputs[k]];
      Tensor& dst = outputs[k];
      if (src.dtype() != dst.dtype() || src.dims() != dst.dims()) {
        return InvalidArgument("output '" + prog_.values[prog_.outputs[k]].name + "' is " +
                               src.type().ToString() + " in this run, but the host gave " +
                               dst.type().ToString());
      }
      if (src.byte_size() > 0) std::memmove(dst.mutable_raw(), src.raw(), src.byte_size());
      out_bytes += static_cast<double>(src.byte_size());
    }
    Transfer("d2h outputs (host link)", out_bytes);
    return OkStatus();
  }

 private:
  void Transfer(const char* name, double bytes) {
    SimCommand c{name, "", now_ns_, now_ns_ + HostLinkNs(*info_.device->preset, bytes), {}};
    now_ns_ = c.end_ns;
    Record(c);
  }

  void Record(const SimCommand& c) {
    if (timeline_ != nullptr) timeline_->push_back(c);
    if (profiling_) Emit(info_, base_ns_, c);
  }

  Status RunNode(const cpu::ProgramNode& node);

  const Program& p_;
  const cpu::Program& prog_;
  const SimRunInfo& info_;
  std::vector<SimCommand>* timeline_;
  std::vector<Tensor> env_;
  double now_ns_ = 0;

 public:
  bool profiling_ = false;
  uint64_t base_ns_ = 0;
};

Status SimRun::RunNode(const cpu::ProgramNode& node) {
  const std::string& op = node.schema->name;
  const size_t num_in = node.inputs.size();
  std::vector<Tensor> operands(num_in);
  std::vector<const Tensor*> ins(num_in, nullptr);
  std::vector<TensorType> types(num_in);
  std::vector<const TensorType*> type_ptrs(num_in, nullptr);
  const bool narrow_operands = IsMatrixOp(op) && p_.matmul_input != p_.compute;
  for (size_t i = 0; i < num_in; ++i) {
    const int32_t v = node.inputs[i];
    if (v < 0) continue;
    ins[i] = &env_[v];
    if (narrow_operands && i < 3 && env_[v].dtype() == DType::kF32) {
      HETERO_ASSIGN_OR_RETURN(operands[i], env_[v].Clone());
      RoundTensor(operands[i], p_.matmul_input);
      ins[i] = &operands[i];
    }
    types[i] = ins[i]->type();
    type_ptrs[i] = &types[i];
  }
  ops::InferContext ictx{type_ptrs, ins, node.attrs, node.outputs.size()};
  auto out_types = node.schema->infer(ictx);
  if (!out_types.ok()) return out_types.status().WithContext(node.Describe());
  std::vector<Tensor> outs;
  std::vector<Tensor*> out_ptrs;
  outs.reserve(node.outputs.size());
  for (const TensorType& t : *out_types) {
    auto dims = t.shape.StaticDims();
    if (!dims) return Internal(node.Describe() + ": output shape is not concrete at run time");
    HETERO_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(t.dtype, *dims));
    outs.push_back(std::move(out));
  }
  for (Tensor& t : outs) out_ptrs.push_back(&t);
  ops::KernelContext kctx{ins, out_ptrs, node.attrs};
  Status s = node.schema->reference(kctx);
  if (!s.ok()) return s.WithContext(node.Describe());
  for (size_t o = 0; o < outs.size(); ++o) {
    RoundTensor(outs[o], p_.compute);
    env_[node.outputs[o]] = std::move(outs[o]);
  }
  const OpWork work = NodeWork(*node.schema, node.attrs, type_ptrs, *out_types, p_.compute);
  const DType engine_format = IsMatrixOp(op) ? p_.matmul_input : p_.compute;
  SimCommand c{node.name, op, now_ns_, now_ns_, {}};
  c.timing = TimeOp(*info_.device->preset, engine_format, work);
  c.end_ns = now_ns_ + c.timing.total_ns;
  now_ns_ = c.end_ns;
  Record(c);
  return OkStatus();
}

}  // namespace

OpWork NodeWork(const ops::OpSchema& schema, const ops::Attributes& attrs,
                const std::vector<const TensorType*>& inputs,
                const std::vector<TensorType>& outputs, DType compute) {
  OpWork w;
  const std::string& op = schema.name;
  if (IsViewOp(op)) {
    w.engine = Engine::kNone;
    return w;
  }
  for (const TensorType* t : inputs) {
    if (t != nullptr) w.dram_bytes += StorageBytes(*t, compute);
  }
  double out_elements = 0;
  for (const TensorType& t : outputs) {
    w.dram_bytes += StorageBytes(t, compute);
    out_elements += Elements(t);
  }
  if (IsMovementOp(op)) {
    w.engine = Engine::kNone;
    return w;
  }
  double flops = 0;
  if (schema.cost != nullptr) {
    ops::CostContext cctx{inputs, outputs, attrs};
    flops = schema.cost(cctx).flops;
  }
  w.engine = IsMatrixOp(op) ? Engine::kMatrix : Engine::kVector;
  w.flops = w.engine == Engine::kMatrix ? flops : std::max(flops, out_elements);
  return w;
}

Status RunSim(const Program& program, const std::vector<Tensor>& inputs,
              std::vector<Tensor>& outputs, const SimRunInfo& info,
              std::vector<SimCommand>* timeline) {
  SimRun run(program, info, timeline);
  run.profiling_ = info.device->profiling.load(std::memory_order_acquire);
  run.base_ns_ = info.device->plugin->NowNs();
  return run.Run(inputs, outputs);
}

}  // namespace hetero::npu_sim
