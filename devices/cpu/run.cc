// Running a Program: wavefront by wavefront, intermediates given back to the run's arena
// after their last use, each node on the device's own kernels when they cover it, else the
// reference; fused elementwise chains as one pass (chains.h).
#include "devices/cpu/run.h"

#include <cstring>
#include <mutex>
#include <new>
#include <optional>
#include <string>

#include "devices/cpu/chains.h"
#include "devices/cpu/kernels/fast_ops.h"
#include "devices/cpu/kernels/matmul_rows.h"

namespace hetero::cpu {
namespace {

// Input elements a wavefront must read before its nodes are worth running in parallel.
constexpr int64_t kMinParallelElements = 1 << 15;

class ProgramRun {
 public:
  ProgramRun(const Program& p, std::vector<Tensor>& outputs, const RunInfo& info, RunArena& arena)
      : p_(p),
        fused_(!p.chains.empty()),
        levels_(fused_ ? p.chain_levels : p.levels),
        release_(fused_ ? p.chain_release : p.release),
        outputs_(outputs),
        info_(info),
        arena_(arena),
        env_(p.values.size()),
        present_(p.values.size(), 0),
        output_slot_(p.values.size(), -1) {
    profiling_ = info.device->profiling.load(std::memory_order_acquire);
    const Plugin* plugin = info.device->plugin;
    parallel_for_ = [plugin](uint64_t count, uint64_t grain,
                             const std::function<void(uint64_t, uint64_t)>& fn) {
      plugin->ParallelFor(count, grain, fn);
    };
    for (size_t k = p.outputs.size(); k-- > 0;) output_slot_[p.outputs[k]] = static_cast<int>(k);
  }

  Status Run(const std::vector<Tensor>& inputs) {
    for (size_t i = 0; i < p_.inputs.size(); ++i) Set(p_.inputs[i], inputs[i]);
    for (size_t v = 0; v < p_.values.size(); ++v) {
      if (p_.values[v].constant) Set(static_cast<int32_t>(v), *p_.values[v].constant);
    }
    for (size_t level = 0; level < levels_.size(); ++level) {
      HETERO_RETURN_IF_ERROR(RunLevel(levels_[level]));
      Release(static_cast<int32_t>(level));
    }
    return CopyOutputs();
  }

 private:
  void Set(int32_t v, Tensor t) {
    env_[v] = std::move(t);
    present_[v] = 1;
  }

  Status RunLevel(const std::vector<int32_t>& nodes) {
    const Plugin& plugin = *info_.device->plugin;
    if (nodes.size() < 2 || plugin.host.parallel_for == nullptr ||
        LevelElements(nodes) < kMinParallelElements) {
      for (int32_t n : nodes) HETERO_RETURN_IF_ERROR(RunStep(n));
      return OkStatus();
    }
    std::mutex mu;
    Status first_error;
    plugin.ParallelFor(nodes.size(), 1, [&](uint64_t begin, uint64_t end) {
      for (uint64_t i = begin; i < end; ++i) {
        Status s;
        try {
          s = RunStep(nodes[i]);
        } catch (const std::bad_alloc&) {
          s = ResourceExhausted("out of memory running " + p_.nodes[nodes[i]].Describe());
        } catch (...) {
          s = Internal(p_.nodes[nodes[i]].Describe() + " threw an exception");
        }
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = std::move(s);
        }
      }
    });
    return first_error;
  }

  int64_t LevelElements(const std::vector<int32_t>& nodes) const {
    int64_t total = 0;
    for (int32_t n : nodes) {
      for (int32_t v : p_.nodes[n].inputs) {
        if (v >= 0 && present_[v]) total += env_[v].num_elements();
      }
    }
    return total;
  }

  // Frees the intermediates whose last reader ran in `level`.
  void Release(int32_t level) {
    for (int32_t v : release_[level]) {
      env_[v] = Tensor();
      present_[v] = 0;
    }
  }

  // A node, or the fused chain it ends.
  Status RunStep(int32_t index) {
    const int32_t chain = fused_ ? p_.chain_ending_at[index] : -1;
    return chain < 0 ? RunNode(index) : RunChain(p_.chains[chain]);
  }
  Status RunChain(const FusedChain& chain);
  Status RunNode(int32_t index);
  bool TryView(const ProgramNode& node, const std::vector<const Tensor*>& ins,
               const std::vector<TensorType>& out_types);
  Status RunKernel(int32_t index, const ops::KernelContext& kctx,
                   const std::vector<Tensor*>& stale) const;
  StatusOr<Tensor> OutputTensor(int32_t value, const TensorType& type, bool* stale);
  void Profile(int32_t index, const std::vector<const TensorType*>& in_types,
               const std::vector<TensorType>& out_types, uint64_t start, uint64_t end) const;
  void EmitRecord(const char* name, const char* op, const ops::OpCost& cost, uint64_t start,
                  uint64_t end, const char* compute = nullptr) const;
  Status CopyOutputs();

  const Program& p_;
  const bool fused_;  // the program has fused chains: run by its chain levels
  const std::vector<std::vector<int32_t>>& levels_;
  const std::vector<std::vector<int32_t>>& release_;
  std::vector<Tensor>& outputs_;
  const RunInfo& info_;
  RunArena& arena_;  // intermediates' memory, counted in the device's while the pool holds it
  bool profiling_ = false;
  std::vector<Tensor> env_;
  std::vector<uint8_t> present_;  // bytes, not bits: nodes of a wavefront write concurrently
  std::vector<int> output_slot_;  // first graph output index of each value, -1 if none
  ParallelForFn parallel_for_;    // the host's arena, for kernels split into tasks
};

// The tensor a node writes `value` into. `*stale`: it holds bytes of an earlier value or
// run, which only a reference kernel (it may accumulate) needs cleared.
StatusOr<Tensor> ProgramRun::OutputTensor(int32_t value, const TensorType& type, bool* stale) {
  auto dims = type.shape.StaticDims();
  if (!dims) {
    return Internal("output shape " + type.shape.ToString() + " is not concrete at run time");
  }
  const int slot = output_slot_[value];
  *stale = slot >= 0;
  if (slot < 0) return arena_.Take(type.dtype, std::move(*dims), stale);
  Tensor& dst = outputs_[slot];
  if (dst.dtype() != type.dtype || dst.dims() != *dims) {
    return InvalidArgument("output '" + p_.values[value].name + "' is " + type.ToString() +
                           " in this run, but the host gave " + dst.type().ToString());
  }
  return dst;
}

// The chain as one pass when this run's shapes allow, else its nodes one by one; the
// intermediates of a pass never reach the arena.
Status ProgramRun::RunChain(const FusedChain& chain) {
  const uint64_t start = profiling_ ? info_.device->plugin->NowNs() : 0;
  ChainTensors t;
  for (size_t k = 0; k < chain.nodes.size(); ++k) {
    const ProgramNode& node = p_.nodes[chain.nodes[k]];
    std::vector<const Tensor*>& ins = t.values.emplace_back(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const int32_t v = node.inputs[i];
      if (v < 0 || static_cast<int32_t>(i) == chain.chained_input[k]) continue;
      if (!present_[v]) break;  // RunNode reports it
      ins[i] = &env_[v];
    }
  }
  std::optional<ChainPass> pass;
  if (InferChain(p_, chain, t).ok()) pass = PlanChainPass(p_, chain, t);
  if (!pass) {
    for (int32_t n : chain.nodes) HETERO_RETURN_IF_ERROR(RunNode(n));
    return OkStatus();
  }
  const ProgramNode& last = p_.nodes[chain.nodes.back()];
  bool stale = false;
  auto out = OutputTensor(last.outputs[0], t.out_types.back(), &stale);
  if (!out.ok()) return out.status().WithContext(last.Describe());
  const FastContext fast{&ActiveKernels(), parallel_for_, nullptr, nullptr};
  HETERO_RETURN_IF_ERROR(RunChainPass(p_, chain, t, *pass, *out, fast));
  if (profiling_) {
    EmitRecord(last.name.c_str(), chain.op.c_str(), ChainCost(p_, chain, t), start,
               info_.device->plugin->NowNs());
  }
  Set(last.outputs[0], std::move(*out));
  return OkStatus();
}

Status ProgramRun::RunNode(int32_t index) {
  const ProgramNode& node = p_.nodes[index];
  const size_t num_in = node.inputs.size();
  std::vector<const Tensor*> ins(num_in, nullptr);
  std::vector<TensorType> types(num_in);
  std::vector<const TensorType*> type_ptrs(num_in, nullptr);
  for (size_t i = 0; i < num_in; ++i) {
    const int32_t v = node.inputs[i];
    if (v < 0) continue;
    if (!present_[v])
      return Internal(node.Describe() + ": input '" + p_.values[v].name + "' has no value");
    ins[i] = &env_[v];
    types[i] = env_[v].type();
    type_ptrs[i] = &types[i];
  }
  const uint64_t start = profiling_ ? info_.device->plugin->NowNs() : 0;
  ops::InferContext ictx{type_ptrs, ins, node.attrs, node.outputs.size()};
  auto out_types = node.schema->infer(ictx);
  if (!out_types.ok()) return out_types.status().WithContext(node.Describe());
  if (TryView(node, ins, *out_types)) {
    if (profiling_) Profile(index, type_ptrs, *out_types, start, info_.device->plugin->NowNs());
    return OkStatus();
  }
  std::vector<Tensor> outs;
  std::vector<uint8_t> stale(node.outputs.size(), 0);
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    bool dirty = false;
    auto t = OutputTensor(node.outputs[o], (*out_types)[o], &dirty);
    if (!t.ok()) return t.status().WithContext(node.Describe());
    outs.push_back(std::move(*t));
    stale[o] = dirty;
  }
  std::vector<Tensor*> out_ptrs;
  std::vector<Tensor*> stale_ptrs;
  for (size_t o = 0; o < outs.size(); ++o) {
    out_ptrs.push_back(&outs[o]);
    if (stale[o]) stale_ptrs.push_back(&outs[o]);
  }
  ops::KernelContext kctx{ins, out_ptrs, node.attrs};
  HETERO_RETURN_IF_ERROR(RunKernel(index, kctx, stale_ptrs).WithContext(node.Describe()));
  if (profiling_) Profile(index, type_ptrs, *out_types, start, info_.device->plugin->NowNs());
  for (size_t o = 0; o < node.outputs.size(); ++o) Set(node.outputs[o], std::move(outs[o]));
  return OkStatus();
}

// Reshape, Squeeze and Unsqueeze of an intermediate result: the output is a view of the
// input's memory (nothing writes a value once computed), not a copy. Graph outputs are
// still written into the host's buffer by the kernel.
bool ProgramRun::TryView(const ProgramNode& node, const std::vector<const Tensor*>& ins,
                         const std::vector<TensorType>& out_types) {
  const std::string& op = node.schema->name;
  if (op != "Reshape" && op != "Squeeze" && op != "Unsqueeze") return false;
  if (node.outputs.size() != 1 || out_types.size() != 1 || ins.empty() || ins[0] == nullptr ||
      output_slot_[node.outputs[0]] >= 0) {
    return false;
  }
  auto dims = out_types[0].shape.StaticDims();
  if (!dims || out_types[0].dtype != ins[0]->dtype()) return false;
  auto view = ins[0]->Reshaped(std::move(*dims));
  if (!view.ok()) return false;  // the reference kernel reports it
  Set(node.outputs[0], std::move(*view));
  return true;
}

// The device's own kernel when one covers the node (it writes every output element), else
// the reference (big MatMuls of other types split by rows) on cleared outputs.
Status ProgramRun::RunKernel(int32_t index, const ops::KernelContext& kctx,
                             const std::vector<Tensor*>& stale) const {
  const ProgramNode& node = p_.nodes[index];
  const FastContext fast{&ActiveKernels(), parallel_for_, p_.packed[index].get(),
                         p_.packed_i8[index].get()};
  StatusOr<bool> done = false;
  try {
    done = TryFastKernel(*node.schema, kctx, fast);
  } catch (const std::bad_alloc&) {  // packing a right operand that is not constant
    return ResourceExhausted("out of memory in the cpu kernel");
  }
  HETERO_RETURN_IF_ERROR(done.status());
  if (*done) return OkStatus();
  for (Tensor* t : stale) {
    if (t->byte_size() > 0) std::memset(t->mutable_raw(), 0, t->byte_size());
  }
  HETERO_ASSIGN_OR_RETURN(bool split, TryMatMulByRows(*info_.device->plugin, *node.schema, kctx));
  return split ? OkStatus() : node.schema->reference(kctx);
}

// A node's record; products on bf16 weights or int8 weights say so (a counter
// "compute_bf16" / "compute_i8" of 1), so the profiler holds them to that format's peak.
void ProgramRun::Profile(int32_t index, const std::vector<const TensorType*>& in_types,
                         const std::vector<TensorType>& out_types, uint64_t start,
                         uint64_t end) const {
  const ProgramNode& node = p_.nodes[index];
  ops::OpCost cost;
  if (node.schema->cost != nullptr) cost = node.schema->cost({in_types, out_types, node.attrs});
  const char* compute = nullptr;
  if (p_.packed[index] != nullptr && p_.packed[index]->bf16) compute = "compute_bf16";
  if (node.schema->name == "QuantMatMul") compute = "compute_i8";
  EmitRecord(node.name.c_str(), node.schema->name.c_str(), cost, start, end, compute);
}

void ProgramRun::EmitRecord(const char* name, const char* op, const ops::OpCost& cost,
                            uint64_t start, uint64_t end, const char* compute) const {
  hetero_profile_counter counters[3] = {
      {"flops", cost.flops}, {"bytes", cost.bytes}, {compute, 1.0}};
  hetero_profile_record r{};
  r.struct_size = sizeof(r);
  r.correlation_id = info_.correlation_id;
  r.name = name;
  r.op = op;
  r.device_index = info_.device->index;
  r.stream_id = info_.stream_id;
  r.start_ns = start;
  r.end_ns = end;
  r.num_counters = compute != nullptr ? 3 : 2;
  r.counters = counters;
  const hetero_host_api& host = info_.device->plugin->host;
  host.profile_record(host.host_context, &r);
}

// Graph outputs not written in place (graph inputs, constants, values listed twice).
Status ProgramRun::CopyOutputs() {
  for (size_t k = 0; k < p_.outputs.size(); ++k) {
    const int32_t v = p_.outputs[k];
    if (!present_[v]) return Internal("graph output '" + p_.values[v].name + "' was not computed");
    const Tensor& src = env_[v];
    Tensor& dst = outputs_[k];
    if (src.raw() == dst.raw()) continue;
    if (src.dtype() != dst.dtype() || src.dims() != dst.dims()) {
      return InvalidArgument("output '" + p_.values[v].name + "' is " + src.type().ToString() +
                             " in this run, but the host gave " + dst.type().ToString());
    }
    if (src.byte_size() > 0) std::memmove(dst.mutable_raw(), src.raw(), src.byte_size());
  }
  return OkStatus();
}

}  // namespace

Status RunProgram(const Program& program, const std::vector<Tensor>& inputs,
                  std::vector<Tensor>& outputs, const RunInfo& info) {
  std::unique_ptr<RunArenaPool> own_pool;
  RunArenaPool* pool = info.arenas;
  if (pool == nullptr) {  // a caller without an executable's pool: this run's alone
    own_pool = std::make_unique<RunArenaPool>(&info.device->memory);
    pool = own_pool.get();
  }
  std::unique_ptr<RunArena> arena = pool->Checkout();
  Status status;
  {
    ProgramRun run(program, outputs, info, *arena);
    status = run.Run(inputs);
  }  // every intermediate is back in the arena
  pool->Checkin(std::move(arena));
  return status;
}

}  // namespace hetero::cpu
