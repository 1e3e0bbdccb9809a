// Fused elementwise chains: finding them when a Program is planned, and running one as a
// single pass over the data with its intermediates in a small per-thread buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "devices/cpu/kernels/fast_ops.h"
#include "devices/cpu/program.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::cpu {

// False when the environment sets HETERO_CPU_FUSE_CHAINS=0; read once per process.
bool FuseChainsEnabled();

// The chains of a decoded program: runs of two or more f32 nodes N1 -> ... -> Nk where
// every Ni but the last is elementwise (Relu, Gelu, Silu, Tanh, Sigmoid, Neg, Exp, Log,
// Sqrt, Rsqrt, Reciprocal, Erf, Add, Sub, Mul, Div), its one output is read once, by
// N(i+1), and is not a graph output; Nk is elementwise too, or LayerNorm / RMSNorm over
// the last axis reading the chain as x. Each node is in at most one chain.
std::vector<FusedChain> FindChains(const Program& program);

// Finds the program's chains when `fuse` (else none) and fills Program::chain_ending_at,
// chain_levels and chain_release for them; the CPU device calls it on every program it
// compiles or loads, after DecodeProgram.
void PlanChains(Program& program, bool fuse);

// One chain's tensors in a run. Per node and input: the tensor (nullptr at the chained
// slot and for absent inputs) and its type (the previous node's output at the chained slot).
struct ChainTensors {
  std::vector<std::vector<const Tensor*>> values;
  std::vector<std::vector<TensorType>> in_types;
  std::vector<TensorType> out_types;  // per node, its one output in this run
};

// Fills `t.in_types` and `t.out_types` from `t.values` with each node's schema; the
// error names the node that refused its inputs.
Status InferChain(const Program& program, const FusedChain& chain, ChainTensors& t);

// The sum of the nodes' costs, less the intermediates' bytes the pass never moves.
ops::OpCost ChainCost(const Program& program, const FusedChain& chain, const ChainTensors& t);

// How a chain is cut into blocks for one run; see PlanChainPass.
struct ChainPass {
  enum class Operand : uint8_t { kAbsent, kChained, kFull, kWhole };
  std::vector<int64_t> dims;  // every node's output dims
  bool rows = false;          // blocks are whole rows, shaped [.., rows, last dim]
  int64_t unit = 1;           // elements a block holds a whole number of: 1, or a row
  int64_t units = 0;          // units in the output
  int64_t block_units = 0;    // units per block
  std::vector<std::vector<Operand>> operands;  // per node and input
};

// Whether this run's shapes let the chain run as one pass: every node's output has the
// first one's dims, every other operand has them too or is a vector along the last dim or a
// single element, norms are over the last axis. nullopt: run the nodes one by one.
std::optional<ChainPass> PlanChainPass(const Program& program, const FusedChain& chain,
                                       const ChainTensors& t);

// Runs the chain block by block (in parallel through fast.parallel_for when large),
// each node on the kernel the unfused node would use (the fast one, else the reference),
// so `out` (the last node's output, pass.dims) gets the same bits. Errors name the node.
Status RunChainPass(const Program& program, const FusedChain& chain, const ChainTensors& t,
                    const ChainPass& pass, Tensor& out, const FastContext& fast);

}  // namespace hetero::cpu
