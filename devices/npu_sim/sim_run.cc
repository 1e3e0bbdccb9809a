// Running a program on the simulated NPU: reference kernels between roundings to the
// chip's formats, and the timeline of the commands the chip would run.
#include "devices/npu_sim/sim_run.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

#include "devices/cpu/memory_counter.h"

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

// Bytes of a tensor in its own dtype (what the host link carries).
double HostBytes(const TensorType& t) {
  return Elements(t) * static_cast<double>(DTypeSize(t.dtype));
}

void Emit(const SimRunInfo& info, uint64_t base_ns, const SimCommand& c) {
  const hetero_host_api& host = info.device->plugin->host;
  hetero_profile_counter counters[7] = {
      {"simulated_compute_ns", c.timing.compute_ns},
      {"simulated_dma_ns", c.timing.dma_ns},
      {"tiles", static_cast<double>(c.timing.tiles)},
      {"cores", static_cast<double>(c.cores.size())},
      {"first_core", c.cores.empty() ? 0.0 : static_cast<double>(c.cores.front())},
      {"flops", c.flops},
      {"bytes", c.bytes}};
  hetero_profile_record r{};
  r.struct_size = sizeof(r);
  r.correlation_id = info.correlation_id;
  r.name = c.name.c_str();
  r.op = c.op.empty() ? nullptr : c.op.c_str();
  r.device_index = info.device->index;
  r.stream_id = info.stream_id;
  r.start_ns = base_ns + static_cast<uint64_t>(c.start_ns);
  r.end_ns = base_ns + static_cast<uint64_t>(c.end_ns);
  r.num_counters = c.op.empty() ? 0 : 7;
  r.counters = counters;
  r.simulated = 1;
  host.profile_record(host.host_context, &r);
}

// Bytes of a node's transient operands, counted in the device's memory while it lives.
class CountedBytes {
 public:
  explicit CountedBytes(cpu::MemoryCounter* memory) : memory_(memory) {}
  CountedBytes(const CountedBytes&) = delete;
  CountedBytes& operator=(const CountedBytes&) = delete;
  ~CountedBytes() {
    if (memory_ != nullptr && bytes_ != 0) memory_->Sub(bytes_);
  }
  void Add(uint64_t bytes) {
    if (memory_ == nullptr || bytes == 0) return;
    memory_->Add(bytes);
    bytes_ += bytes;
  }

 private:
  cpu::MemoryCounter* memory_;
  uint64_t bytes_ = 0;
};

class SimRun {
 public:
  SimRun(const Program& p, const SimRunInfo& info, std::vector<SimCommand>* timeline)
      : p_(p),
        prog_(p.program),
        info_(info),
        timeline_(timeline),
        env_(prog_.values.size()),
        counted_(prog_.values.size(), 0),
        padded_(prog_.values.size()),
        schedule_(info.device->preset->cores, 0),
        value_ready_ns_(prog_.values.size(), 0),
        node_cores_(prog_.nodes.size()) {}
  SimRun(const SimRun&) = delete;
  SimRun& operator=(const SimRun&) = delete;
  ~SimRun() {
    for (size_t v = 0; v < env_.size(); ++v) Drop(static_cast<int32_t>(v));
  }

  Status Run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    const Preset& preset = *info_.device->preset;
    now_ns_ = preset.launch_overhead_ns;
    double in_bytes = 0;
    for (size_t i = 0; i < prog_.inputs.size(); ++i) {
      HETERO_ASSIGN_OR_RETURN(Tensor t, inputs[i].Clone());
      RoundTensor(t, p_.compute);
      const cpu::ProgramValue& value = prog_.values[prog_.inputs[i]];
      HETERO_ASSIGN_OR_RETURN(
          auto dims, PaddedDims(p_.buckets, value.dims, t.dims(), "input '" + value.name + "'"));
      padded_[prog_.inputs[i]] = TensorType{t.dtype(), Shape::FromStatic(dims)};
      in_bytes += HostBytes(*padded_[prog_.inputs[i]]);
      Keep(prog_.inputs[i], std::move(t));
    }
    Transfer("h2d inputs (host link)", in_bytes);
    schedule_ = CoreSchedule(preset.cores, now_ns_);
    commands_start_ns_ = now_ns_;
    std::fill(value_ready_ns_.begin(), value_ready_ns_.end(), now_ns_);
    for (size_t v = 0; v < prog_.values.size(); ++v) {
      if (prog_.values[v].constant) env_[v] = *prog_.values[v].constant;
    }
    for (size_t level = 0; level < prog_.levels.size(); ++level) {
      for (int32_t n : prog_.levels[level]) {
        HETERO_RETURN_IF_ERROR(RunNode(prog_.nodes[n], static_cast<size_t>(n)));
      }
      for (int32_t v : prog_.release[level]) Drop(v);
    }
    if (info_.calibration != nullptr) return OkStatus();  // only the statistics
    now_ns_ = std::max(now_ns_, schedule_.EndNs());
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
      const auto& padded = padded_[prog_.outputs[k]];
      out_bytes += padded ? HostBytes(*padded) : static_cast<double>(src.byte_size());
    }
    Transfer("d2h outputs (host link)", out_bytes);
    return OkStatus();
  }

 private:
  // A run temporary (an input's copy in the chip's format, a node's output) held in
  // env_ and counted in the device's memory until dropped.
  void Keep(int32_t v, Tensor t) {
    Drop(v);
    counted_[v] = static_cast<uint64_t>(t.byte_size());
    if (info_.device->memory != nullptr) info_.device->memory->Add(counted_[v]);
    env_[v] = std::move(t);
  }
  void Drop(int32_t v) {
    env_[v] = Tensor();
    if (counted_[v] != 0 && info_.device->memory != nullptr) {
      info_.device->memory->Sub(counted_[v]);
    }
    counted_[v] = 0;
  }

  void Transfer(const char* name, double bytes) {
    SimCommand c;
    c.name = name;
    c.start_ns = now_ns_;
    c.end_ns = now_ns_ + HostLinkNs(*info_.device->preset, bytes);
    now_ns_ = c.end_ns;
    Record(c);
  }

  void Record(const SimCommand& c) {
    if (timeline_ != nullptr) timeline_->push_back(c);
    if (profiling_) Emit(info_, base_ns_, c);
  }

  Status RunNode(const cpu::ProgramNode& node, size_t index);
  Status Compute(const cpu::ProgramNode& node, size_t index, const std::vector<const Tensor*>& ins,
                 const ops::KernelContext& kctx);
  void TimeNode(const cpu::ProgramNode& node, size_t index, const std::vector<TensorType>& types,
                const std::vector<TensorType>& out_types);
  // Bytes of the node's inputs and outputs that stay in SRAM (fused epilogues).
  double SramResidentBytes(const cpu::ProgramNode& node) const {
    if (p_.stays_in_sram.empty()) return 0;
    double bytes = 0;
    for (const auto* list : {&node.inputs, &node.outputs}) {
      for (int32_t v : *list) {
        if (v >= 0 && p_.stays_in_sram[v] && padded_[v])
          bytes += StorageBytes(*padded_[v], p_.compute);
      }
    }
    return bytes;
  }
  std::vector<TensorType> PaddedTypes(const cpu::ProgramNode& node,
                                      const std::vector<TensorType>& actual_in,
                                      const std::vector<TensorType>& actual_out);

  const Program& p_;
  const cpu::Program& prog_;
  const SimRunInfo& info_;
  std::vector<SimCommand>* timeline_;
  std::vector<Tensor> env_;
  std::vector<uint64_t> counted_;  // per value: bytes counted in the device's memory
  // Types at the bucket shapes the chip runs (inputs padded up to their bucket); the
  // function is computed at the real shapes, which is what the padded program, masked
  // and sliced, yields on the real rows.
  std::vector<std::optional<TensorType>> padded_;
  double now_ns_ = 0;
  // The cores' timeline: commands list-scheduled in program order; per value when it
  // is in DRAM (or, for a fused epilogue's input, in its cores' SRAM).
  CoreSchedule schedule_;
  double commands_start_ns_ = 0;
  std::vector<double> value_ready_ns_;
  std::vector<std::vector<int>> node_cores_;

 public:
  bool profiling_ = false;
  uint64_t base_ns_ = 0;
  ParallelFor parallel_for_;
};

// Runs the node's arithmetic: int8 on quantized weights, the fast kernels, else the
// reference kernel; records calibration statistics when asked.
Status SimRun::Compute(const cpu::ProgramNode& node, size_t index,
                       const std::vector<const Tensor*>& ins, const ops::KernelContext& kctx) {
  const PackedMatrix* packed = p_.packed.empty() ? nullptr : p_.packed[index].get();
  if (info_.calibration != nullptr && packed != nullptr && ins[0] != nullptr) {
    float& m = (*info_.calibration)[index];
    for (int64_t e = 0; e < ins[0]->num_elements(); ++e) {
      m = std::max(m, std::fabs(static_cast<float>(ins[0]->GetDouble(e))));
    }
  }
  const QuantizedMatrix* q = p_.quantized.empty() ? nullptr : p_.quantized[index].get();
  StatusOr<bool> fast = false;
  if (q != nullptr && p_.act_scale[index] > 0) {
    fast = TryInt8Node(*node.schema, kctx, *q, p_.act_scale[index], parallel_for_);
  }
  if (fast.ok() && !*fast) fast = TryFastNode(*node.schema, kctx, packed, parallel_for_);
  if (!fast.ok()) return fast.status().WithContext(node.Describe());
  if (!*fast) {
    Status s = node.schema->reference(kctx);
    if (!s.ok()) return s.WithContext(node.Describe());
  }
  return OkStatus();
}

// The node's command on the simulated timeline, at the bucket's shapes.
void SimRun::TimeNode(const cpu::ProgramNode& node, size_t index,
                      const std::vector<TensorType>& types,
                      const std::vector<TensorType>& out_types) {
  const std::string& op = node.schema->name;
  const size_t num_in = node.inputs.size();
  const QuantizedMatrix* q = p_.quantized.empty() ? nullptr : p_.quantized[index].get();
  std::vector<const TensorType*> type_ptrs(num_in, nullptr);
  const std::vector<TensorType> padded_out = PaddedTypes(node, types, out_types);
  std::vector<TensorType> padded_in(num_in);
  for (size_t i = 0; i < num_in; ++i) {
    if (node.inputs[i] < 0) continue;
    const auto& p = padded_[node.inputs[i]];
    padded_in[i] = p ? TensorType{types[i].dtype, p->shape} : types[i];
    type_ptrs[i] = &padded_in[i];
  }
  OpWork work = NodeWork(*node.schema, node.attrs, type_ptrs, padded_out, p_.compute);
  DType engine_format = IsMatrixOp(op) ? p_.matmul_input : p_.compute;
  if (engine_format == DType::kI8 && q == nullptr) engine_format = p_.compute;
  if (q != nullptr) {  // int8 weights: one byte per element from DRAM
    work.dram_bytes -= static_cast<double>(q->k * q->n) *
                       static_cast<double>(DTypeSize(p_.compute) - DTypeSize(DType::kI8));
  }
  const int32_t fused_input = p_.epilogue_input.empty() ? -1 : p_.epilogue_input[index];
  work.dram_bytes = std::max(0.0, work.dram_bytes - SramResidentBytes(node));
  // A fused epilogue runs on its matrix op's cores, right after it.
  const std::vector<int>* producer_cores =
      fused_input >= 0 ? &node_cores_[prog_.values[fused_input].producer] : nullptr;
  if (producer_cores != nullptr) work.split_cores = static_cast<int64_t>(producer_cores->size());
  double ready_ns = commands_start_ns_;
  for (int32_t v : node.inputs) {
    if (v >= 0) ready_ns = std::max(ready_ns, value_ready_ns_[v]);
  }
  SimCommand c;
  c.name = node.name;
  c.op = op;
  c.start_ns = ready_ns;
  c.end_ns = ready_ns;
  c.timing = TimeOp(*info_.device->preset, engine_format, work);
  if (node.schema->cost != nullptr) {
    c.flops = node.schema->cost(ops::CostContext{type_ptrs, padded_out, node.attrs}).flops;
  }
  c.bytes = work.dram_bytes;
  if (producer_cores != nullptr) {  // runs inside the matrix op's command
    c.timing.total_ns -= info_.device->preset->command_overhead_ns;
    c.name += " (epilogue)";
  }
  if (c.timing.tiles > 0) {
    const CoreSlot slot = producer_cores != nullptr
                              ? schedule_.PlaceOn(ready_ns, *producer_cores, c.timing.total_ns)
                              : schedule_.Place(ready_ns, c.timing.active_cores, c.timing.total_ns);
    c.start_ns = slot.start_ns;
    c.end_ns = slot.end_ns;
    c.cores = slot.cores;
  }
  node_cores_[index] = c.cores;
  for (int32_t v : node.outputs) {
    if (v >= 0) value_ready_ns_[v] = c.end_ns;
  }
  Record(c);
}

Status SimRun::RunNode(const cpu::ProgramNode& node, size_t index) {
  const std::string& op = node.schema->name;
  const size_t num_in = node.inputs.size();
  std::vector<Tensor> operands(num_in);
  CountedBytes operand_bytes(info_.device->memory);
  std::vector<const Tensor*> ins(num_in, nullptr);
  std::vector<TensorType> types(num_in);
  std::vector<const TensorType*> type_ptrs(num_in, nullptr);
  const PackedMatrix* packed = p_.packed.empty() ? nullptr : p_.packed[index].get();
  const bool narrow_operands =
      IsMatrixOp(op) && p_.matmul_input != p_.compute && p_.matmul_input != DType::kI8;
  for (size_t i = 0; i < num_in; ++i) {
    const int32_t v = node.inputs[i];
    if (v < 0) continue;
    ins[i] = &env_[v];
    // A packed right operand is already in the engine's format.
    const bool packed_operand = i == 1 && packed != nullptr;
    if (narrow_operands && i < 3 && !packed_operand && env_[v].dtype() == DType::kF32) {
      HETERO_ASSIGN_OR_RETURN(operands[i], env_[v].Clone());
      operand_bytes.Add(static_cast<uint64_t>(operands[i].byte_size()));
      RoundFloats(operands[i].mutable_data<float>(), operands[i].num_elements(), p_.matmul_input,
                  parallel_for_);
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
  HETERO_RETURN_IF_ERROR(Compute(node, index, ins, kctx));
  for (size_t o = 0; o < outs.size(); ++o) {
    if (outs[o].dtype() == DType::kF32) {
      RoundFloats(outs[o].mutable_data<float>(), outs[o].num_elements(), p_.compute, parallel_for_);
    }
    Keep(node.outputs[o], std::move(outs[o]));
  }
  TimeNode(node, index, types, *out_types);
  return OkStatus();
}

// Output types at the bucket shapes: inference over the padded input types. Where that
// fails (a Reshape to a constant shape of the real size), the real types are used.
std::vector<TensorType> SimRun::PaddedTypes(const cpu::ProgramNode& node,
                                            const std::vector<TensorType>& actual_in,
                                            const std::vector<TensorType>& actual_out) {
  bool any_padded = false;
  std::vector<TensorType> in = actual_in;
  std::vector<const TensorType*> in_ptrs(in.size(), nullptr);
  std::vector<const Tensor*> values(in.size(), nullptr);
  for (size_t i = 0; i < in.size(); ++i) {
    const int32_t v = node.inputs[i];
    if (v < 0) continue;
    if (padded_[v] && padded_[v]->shape != in[i].shape) {
      in[i].shape = padded_[v]->shape;
      any_padded = true;
    }
    in_ptrs[i] = &in[i];
    if (prog_.values[v].constant) values[i] = &*prog_.values[v].constant;
  }
  std::vector<TensorType> out = actual_out;
  if (any_padded) {
    ops::InferContext ictx{in_ptrs, values, node.attrs, node.outputs.size()};
    auto inferred = node.schema->infer(ictx);
    bool usable = inferred.ok() && inferred->size() == out.size();
    for (size_t o = 0; usable && o < out.size(); ++o) {
      usable = (*inferred)[o].shape.StaticDims().has_value();
    }
    if (usable) out = std::move(*inferred);
  }
  for (size_t o = 0; o < out.size(); ++o) padded_[node.outputs[o]] = out[o];
  return out;
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
  run.profiling_ =
      info.calibration == nullptr && info.device->profiling.load(std::memory_order_acquire);
  run.base_ns_ = info.device->plugin->NowNs();
  const hetero_host_api host = info.device->plugin->host;
  if (host.parallel_for != nullptr) {
    run.parallel_for_ = [host](int64_t count, const std::function<void(int64_t, int64_t)>& fn) {
      using Fn = std::function<void(int64_t, int64_t)>;
      host.parallel_for(
          host.host_context, static_cast<uint64_t>(count), 1,
          [](void* arg, uint64_t begin, uint64_t end) {
            (*static_cast<const Fn*>(arg))(static_cast<int64_t>(begin), static_cast<int64_t>(end));
          },
          const_cast<Fn*>(&fn));
    };
  }
  return run.Run(inputs, outputs);
}

}  // namespace hetero::npu_sim
