// A compiled CPU executable: the graph view decoded into nodes over hetero's op schemas,
// grouped into wavefronts of independent nodes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::cpu {

struct PackedWeights;
struct PackedInt8Weights;

struct ProgramValue {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;       // -1: known only when the graph runs
  std::optional<Tensor> constant;  // borrowed from the view, or owned after deserialize
  int32_t producer = -1;           // node index, -1 for inputs and constants
};

struct ProgramNode {
  const ops::OpSchema* schema = nullptr;
  std::string name;
  ops::Attributes attrs;
  std::vector<int32_t> inputs;  // value indices, -1 for an absent optional input
  std::vector<int32_t> outputs;
  std::string Describe() const { return "node '" + name + "' (" + schema->name + ")"; }
};

// Nodes run as one pass over the data (chains.h): each node's one output is read only by
// the next, the last writes the chain's output.
struct FusedChain {
  std::vector<int32_t> nodes;
  std::vector<int32_t> chained_input;  // per node, the input slot of the previous output; -1 first
  std::string op;                      // "Add+LayerNorm": the profile record's op
};

struct Program {
  std::vector<ProgramValue> values;
  std::vector<ProgramNode> nodes;
  std::vector<int32_t> inputs;  // graph inputs, value indices
  std::vector<int32_t> outputs;
  // Filled by PlanProgram: nodes by wavefront (every input of a level's nodes comes from
  // earlier levels), and per level the intermediates last read there, freed after it.
  std::vector<std::vector<int32_t>> levels;
  std::vector<std::vector<int32_t>> release;
  // Filled by PlanChains (chains.h) for the CPU device's runs, never serialized: fused
  // elementwise chains; per node the chain it ends, or -1; and levels and releases where
  // each chain runs in its last node's level (its other nodes in none). The plain levels
  // above stay as they are for every other user of the program.
  std::vector<FusedChain> chains;
  std::vector<int32_t> chain_ending_at;
  std::vector<std::vector<int32_t>> chain_levels;
  std::vector<std::vector<int32_t>> chain_release;
  // Also filled by PlanProgram: per node, its constant f32 matrix right operand packed
  // once for the GEMM (MatMul, FusedMatMul), or null.
  std::vector<std::shared_ptr<const PackedWeights>> packed;
  // Per node, QuantMatMul's constant int8 weights packed with their scales, or null.
  std::vector<std::shared_ptr<const PackedInt8Weights>> packed_i8;
  // The weights in `packed` are bf16 (compile option precision=bf16 on a path with a bf16
  // GEMM). Serialized with the program, so a loaded executable computes the same.
  bool bf16_weights = false;
};

// Decodes a graph view and checks it whole: indices, topological order, constants'
// sizes, every node against its schema (arity, attributes, element type, inference).
// Constants are borrowed: the header keeps them valid until the executable is destroyed.
StatusOr<Program> DecodeProgram(const hetero_graph_view& view);

// The graph view's header and arrays are usable (struct sizes, non-NULL arrays).
Status CheckViewHeader(const hetero_graph_view* view);

// The view's constants as tensors borrowing its memory (nullopt for other values),
// each checked against its type.
StatusOr<std::vector<std::optional<Tensor>>> DecodeConstants(const hetero_graph_view& view);

// Why node `index` of a checked view cannot run here, or "" when it can.
std::string NodeSupportReason(const hetero_graph_view& view, uint32_t index,
                              const std::vector<std::optional<Tensor>>& constants);

// Computes levels and last uses and packs constant weights, with no fused chains; called
// by DecodeProgram.
void PlanProgram(Program& program);

// Wavefronts and, per wavefront, the intermediates last read there.
struct LevelPlan {
  std::vector<std::vector<int32_t>> levels;
  std::vector<std::vector<int32_t>> release;
};

// The levels of `program` where node i runs in the level of node runs_with[i] instead of
// its own (-1: its own) and is left out of the lists; what it reads is released there.
LevelPlan PlanLevels(const Program& program, const std::vector<int32_t>& runs_with);

// Packs the constant right operand of every f32 MatMul / FusedMatMul whose left operand
// is not transposed into Program::packed (f32, or bf16 for a path with a bf16 GEMM), and
// the constant int8 weights and scales of every QuantMatMul into Program::packed_i8, so
// runs skip packing them.
void PackConstantWeights(Program& program, bool bf16);

// Decodes a tensor desc (dtype, rank, dims >= -1).
StatusOr<TensorType> DecodeDesc(const hetero_tensor_desc& desc, const std::string& what);

// Element i of an ABI array. Array-element structs are frozen for a major version
// (hetero_plugin.h), so the stride is our sizeof; CheckArray-style checks make sure the
// host's struct_size agrees.
template <typename T>
const T& AbiElement(const T* base, uint64_t i) {
  return base[i];
}

}  // namespace hetero::cpu
