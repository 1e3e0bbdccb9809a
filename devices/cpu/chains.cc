// Fused elementwise chains: which nodes form one at plan time, and the single pass that
// runs one at run time.
#include "devices/cpu/chains.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <span>
#include <string>
#include <string_view>

namespace hetero::cpu {
namespace {

constexpr int64_t kBlockElements = 1 << 14;     // a block's intermediates stay in cache
constexpr size_t kMaxInputs = 3;                // x, scale, bias of a norm
constexpr int64_t kParallelElements = 1 << 16;  // below this, one thread
constexpr int64_t kElementsPerTask = 1 << 14;   // work per parallel task

// Per element, so any cut of the data gives the same bits: the fast kernels (activation,
// add, mul) or the reference.
constexpr std::string_view kElementwiseOps[] = {
    "Relu", "Gelu",  "Silu",       "Tanh", "Sigmoid", "Neg", "Exp", "Log",
    "Sqrt", "Rsqrt", "Reciprocal", "Erf",  "Add",     "Sub", "Mul", "Div"};

bool IsNorm(const ProgramNode& node) {
  return node.schema->name == "LayerNorm" || node.schema->name == "RMSNorm";
}

bool AllF32(const Program& p, const ProgramNode& node) {
  if (node.inputs.size() > kMaxInputs || node.outputs.size() != 1 ||
      p.values[node.outputs[0]].dtype != DType::kF32)
    return false;
  return std::all_of(node.inputs.begin(), node.inputs.end(),
                     [&](int32_t v) { return v < 0 || p.values[v].dtype == DType::kF32; });
}

bool IsElementwise(const Program& p, const ProgramNode& node) {
  const std::string& op = node.schema->name;
  return std::find(std::begin(kElementwiseOps), std::end(kElementwiseOps), op) !=
             std::end(kElementwiseOps) &&
         AllF32(p, node);
}

// LayerNorm / RMSNorm over the last axis of x, its only output.
bool IsNormOverLastAxis(const Program& p, const ProgramNode& node) {
  if (!IsNorm(node) || !AllF32(p, node) || node.inputs.empty() || node.inputs[0] < 0) {
    return false;
  }
  const int64_t axis = node.attrs.GetInt("axis", -1);
  const auto rank = static_cast<int64_t>(p.values[node.inputs[0]].dims.size());
  return axis == -1 || axis == rank - 1;
}

std::vector<int64_t> SliceDims(const ChainPass& pass, int64_t units) {
  std::vector<int64_t> dims(pass.dims.size(), 1);
  if (pass.rows && dims.size() >= 2) {
    dims[dims.size() - 2] = units;
    dims.back() = pass.unit;
  } else {
    dims.back() = units * pass.unit;
  }
  return dims;
}

// Runs every node of the chain over units [first, first + count) of the output.
Status RunBlock(const Program& p, const FusedChain& chain, const ChainTensors& t,
                const ChainPass& pass, int64_t first, int64_t count, float* scratch, Tensor& out,
                const FastContext& fast) {
  using Operand = ChainPass::Operand;
  const int64_t offset = first * pass.unit;
  const std::vector<int64_t> dims = SliceDims(pass, count);
  const int64_t block_elements = pass.block_units * pass.unit;
  Tensor prev;
  for (size_t k = 0; k < chain.nodes.size(); ++k) {
    const ProgramNode& node = p.nodes[chain.nodes[k]];
    std::array<Tensor, kMaxInputs> slices;
    std::array<const Tensor*, kMaxInputs> ins{};
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      switch (pass.operands[k][i]) {
        case Operand::kAbsent: break;
        case Operand::kChained: ins[i] = &prev; break;
        case Operand::kWhole: ins[i] = t.values[k][i]; break;
        case Operand::kFull:
          slices[i] =
              Tensor::Borrow(DType::kF32, dims, t.values[k][i]->data<float>() + offset, nullptr);
          ins[i] = &slices[i];
          break;
      }
    }
    const bool last = k + 1 == chain.nodes.size();
    float* dst = last ? out.mutable_data<float>() + offset
                      : scratch + static_cast<int64_t>(k % 2) * block_elements;
    Tensor y = Tensor::Borrow(DType::kF32, dims, dst, nullptr);
    Tensor* outs[1] = {&y};
    const ops::KernelContext kctx{std::span(ins.data(), node.inputs.size()), outs, node.attrs};
    HETERO_ASSIGN_OR_RETURN(bool done, TryFastKernel(*node.schema, kctx, fast));
    if (!done) {
      std::memset(dst, 0, static_cast<size_t>(y.byte_size()));  // the reference may accumulate
      HETERO_RETURN_IF_ERROR(node.schema->reference(kctx).WithContext(node.Describe()));
    }
    prev = std::move(y);
  }
  return OkStatus();
}

// How the operand at input `i` of chain node `k` is cut, or nullopt when this run's shapes
// do not fit a pass. `*rows`: the operand needs blocks of whole rows.
std::optional<ChainPass::Operand> OperandForm(const ProgramNode& node, size_t i, const Tensor& x,
                                              const std::vector<int64_t>& dims, bool* rows) {
  using Operand = ChainPass::Operand;
  const int64_t width = dims.back();
  if (x.dtype() != DType::kF32) return std::nullopt;
  if (IsNorm(node)) {  // scale and bias: one row's worth, used whole by every row
    if (i == 0 || x.num_elements() != width) return std::nullopt;
    return Operand::kWhole;
  }
  if (x.dims() == dims) return Operand::kFull;
  if (x.rank() > dims.size()) return std::nullopt;
  // A vector along the last dim, or one element: cut by rows, so each block's kernel sees
  // the same shapes as the unfused node's (and picks the same kernel).
  const bool vector = x.rank() > 0 && x.num_elements() == width && x.dims().back() == width;
  if (vector || x.num_elements() == 1) {
    *rows = true;
    return Operand::kWhole;
  }
  return std::nullopt;
}

}  // namespace

bool FuseChainsEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("HETERO_CPU_FUSE_CHAINS");
    return value == nullptr || std::string_view(value) != "0";
  }();
  return enabled;
}

std::vector<FusedChain> FindChains(const Program& p) {
  std::vector<int32_t> reads(p.values.size(), 0);
  std::vector<int32_t> reader(p.values.size(), -1);
  std::vector<int32_t> reader_slot(p.values.size(), -1);
  for (size_t n = 0; n < p.nodes.size(); ++n) {
    const std::vector<int32_t>& inputs = p.nodes[n].inputs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i] < 0) continue;
      ++reads[inputs[i]];
      reader[inputs[i]] = static_cast<int32_t>(n);
      reader_slot[inputs[i]] = static_cast<int32_t>(i);
    }
  }
  for (int32_t v : p.outputs) reads[v] = -1;  // a graph output is materialized
  std::vector<uint8_t> taken(p.nodes.size(), 0);
  std::vector<FusedChain> chains;
  for (size_t n = 0; n < p.nodes.size(); ++n) {
    if (taken[n] || !IsElementwise(p, p.nodes[n])) continue;
    FusedChain chain{{static_cast<int32_t>(n)}, {-1}, p.nodes[n].schema->name};
    for (;;) {
      const ProgramNode& cur = p.nodes[chain.nodes.back()];
      const int32_t v = cur.outputs[0];
      if (reads[v] != 1 || taken[reader[v]]) break;
      const ProgramNode& next = p.nodes[reader[v]];
      const bool norm = IsNormOverLastAxis(p, next) && reader_slot[v] == 0;
      if (!norm && !IsElementwise(p, next)) break;
      chain.nodes.push_back(reader[v]);
      chain.chained_input.push_back(reader_slot[v]);
      chain.op += "+" + next.schema->name;
      if (norm) break;
    }
    if (chain.nodes.size() < 2) continue;
    for (int32_t m : chain.nodes) taken[m] = 1;
    chains.push_back(std::move(chain));
  }
  return chains;
}

void PlanChains(Program& p, bool fuse) {
  p.chains = fuse ? FindChains(p) : std::vector<FusedChain>{};
  p.chain_ending_at.assign(p.nodes.size(), -1);
  std::vector<int32_t> runs_with(p.nodes.size(), -1);  // the chain's last node
  for (size_t c = 0; c < p.chains.size(); ++c) {
    const std::vector<int32_t>& members = p.chains[c].nodes;
    p.chain_ending_at[members.back()] = static_cast<int32_t>(c);
    for (size_t k = 0; k + 1 < members.size(); ++k) runs_with[members[k]] = members.back();
  }
  LevelPlan plan = PlanLevels(p, runs_with);
  p.chain_levels = std::move(plan.levels);
  p.chain_release = std::move(plan.release);
}

Status InferChain(const Program& p, const FusedChain& chain, ChainTensors& t) {
  t.in_types.assign(chain.nodes.size(), {});
  t.out_types.clear();
  for (size_t k = 0; k < chain.nodes.size(); ++k) {
    const ProgramNode& node = p.nodes[chain.nodes[k]];
    std::vector<TensorType>& types = t.in_types[k];
    std::vector<const TensorType*> type_ptrs(node.inputs.size(), nullptr);
    types.resize(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (static_cast<int32_t>(i) == chain.chained_input[k]) {
        types[i] = t.out_types.back();
      } else if (t.values[k][i] != nullptr) {
        types[i] = t.values[k][i]->type();
      } else {
        continue;
      }
      type_ptrs[i] = &types[i];
    }
    const ops::InferContext ictx{type_ptrs, t.values[k], node.attrs, node.outputs.size()};
    auto out = node.schema->infer(ictx);
    if (!out.ok()) return out.status().WithContext(node.Describe());
    if (out->size() != 1) return Internal(node.Describe() + ": a chain node has one output");
    t.out_types.push_back(std::move((*out)[0]));
  }
  return OkStatus();
}

ops::OpCost ChainCost(const Program& p, const FusedChain& chain, const ChainTensors& t) {
  ops::OpCost total;
  for (size_t k = 0; k < chain.nodes.size(); ++k) {
    const ProgramNode& node = p.nodes[chain.nodes[k]];
    if (node.schema->cost == nullptr) continue;
    std::vector<const TensorType*> type_ptrs(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] >= 0) type_ptrs[i] = &t.in_types[k][i];
    }
    const ops::CostContext cctx{type_ptrs, std::span<const TensorType>(&t.out_types[k], 1),
                                node.attrs};
    const ops::OpCost cost = node.schema->cost(cctx);
    total.flops += cost.flops;
    total.bytes += cost.bytes;
    const auto dims = t.out_types[k].shape.StaticDims();
    if (k + 1 < chain.nodes.size() && dims) {  // written by node k and read by node k + 1
      double bytes = sizeof(float);
      for (int64_t d : *dims) bytes *= static_cast<double>(d);
      total.bytes = std::max(0.0, total.bytes - 2 * bytes);
    }
  }
  return total;
}

std::optional<ChainPass> PlanChainPass(const Program& p, const FusedChain& chain,
                                       const ChainTensors& t) {
  using Operand = ChainPass::Operand;
  ChainPass pass;
  auto dims = t.out_types[0].shape.StaticDims();
  if (!dims || dims->empty()) return std::nullopt;
  pass.dims = std::move(*dims);
  int64_t total = 1;
  for (int64_t d : pass.dims) total *= d;
  if (total <= 0) return std::nullopt;
  bool rows = false;
  for (size_t k = 0; k < chain.nodes.size(); ++k) {
    const ProgramNode& node = p.nodes[chain.nodes[k]];
    if (t.out_types[k].dtype != DType::kF32 || t.out_types[k].shape.StaticDims() != pass.dims) {
      return std::nullopt;
    }
    if (IsNorm(node)) {
      const int64_t axis = node.attrs.GetInt("axis", -1);
      if (axis != -1 && axis != static_cast<int64_t>(pass.dims.size()) - 1) return std::nullopt;
      rows = true;
    }
    std::vector<Operand>& forms = pass.operands.emplace_back(node.inputs.size(), Operand::kAbsent);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (static_cast<int32_t>(i) == chain.chained_input[k]) {
        forms[i] = Operand::kChained;
      } else if (t.values[k][i] != nullptr) {
        auto form = OperandForm(node, i, *t.values[k][i], pass.dims, &rows);
        if (!form) return std::nullopt;
        forms[i] = *form;
      }
    }
  }
  pass.rows = rows;
  pass.unit = rows ? pass.dims.back() : 1;
  pass.units = total / pass.unit;
  pass.block_units = std::max<int64_t>(1, kBlockElements / pass.unit);
  return pass;
}

Status RunChainPass(const Program& p, const FusedChain& chain, const ChainTensors& t,
                    const ChainPass& pass, Tensor& out, const FastContext& fast) {
  const FastContext one_thread{fast.kernels, {}, nullptr, nullptr};
  const int64_t blocks = (pass.units + pass.block_units - 1) / pass.block_units;
  const int64_t block_elements = pass.block_units * pass.unit;
  std::mutex mu;
  Status first_error;
  auto body = [&](uint64_t begin, uint64_t end) {
    Status s;
    try {
      thread_local std::vector<float> scratch;  // the intermediates of one block, ping-pong
      if (scratch.size() < static_cast<size_t>(2 * block_elements)) {
        scratch.resize(static_cast<size_t>(2 * block_elements));
      }
      for (uint64_t b = begin; b < end && s.ok(); ++b) {
        const int64_t first = static_cast<int64_t>(b) * pass.block_units;
        const int64_t count = std::min(pass.block_units, pass.units - first);
        s = RunBlock(p, chain, t, pass, first, count, scratch.data(), out, one_thread);
      }
    } catch (const std::bad_alloc&) {
      s = ResourceExhausted("out of memory in a fused chain");
    } catch (...) {
      s = Internal("a fused chain threw an exception");
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = std::move(s);
    }
  };
  const int64_t total = pass.units * pass.unit;
  if (!fast.parallel_for || total < kParallelElements || blocks < 2) {
    body(0, static_cast<uint64_t>(blocks));
  } else {
    const int64_t grain = std::max<int64_t>(1, kElementsPerTask / block_elements);
    fast.parallel_for(static_cast<uint64_t>(blocks), static_cast<uint64_t>(grain), body);
  }
  return first_error;
}

}  // namespace hetero::cpu
