// Helpers the passes share to rewrite a graph while keeping its interface: graph
// outputs keep their names, replaced nodes keep theirs, types only get more precise.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::passes {

// Whether every use of `from` can move to `to`: always, unless `from` is a graph output
// and `to` is a graph input or already a graph output (its name could not be kept).
bool CanForward(const ir::Graph& graph, const ir::Value* from, const ir::Value* to);

// Points every use of `from` (node inputs, graph outputs) at `to`. When `from` is a graph
// output, `to` takes over its name (`from` gets a fresh one). Check CanForward first.
Status ForwardValue(ir::Graph& graph, ir::Value* from, ir::Value* to);

// Replaces `node` by op(inputs){attrs} with the same node name and output names, and
// removes it. Output types are inferred, then tightened with the old recorded ones
// (TightenType). Returns the new node. The caller must not hold on to `node`.
StatusOr<ir::Node*> ReplaceNode(ir::Graph& graph, ir::Node* node, std::string_view op,
                                std::vector<ir::Value*> inputs, ops::Attributes attrs);

// Replaces the outputs of `node` by new constants that take their names. The node is
// left without uses; the caller removes it (passes remove their dead nodes in one sweep).
// Returns the constants.
StatusOr<std::vector<ir::Value*>> ReplaceWithConstants(ir::Graph& graph, ir::Node* node,
                                                       std::vector<Tensor> values);

// A new i64 1-D constant named after `stem`.
StatusOr<ir::Value*> AddIntsConstant(ir::Graph& graph, std::string_view stem,
                                     const std::vector<int64_t>& values);

// The values of a constant integer tensor of rank <= 1, or nullopt.
std::optional<std::vector<int64_t>> ConstantInts(const ir::Value* value);

// Whether `value` is a constant whose every element equals `x` (compared as doubles).
bool IsConstantFilledWith(const ir::Value* value, double x);

// The more precise of two facts about one value: per dim, a number over a symbol over
// unknown; where both are symbols the inferred one wins. Fails when they contradict
// (dtype, rank, or two different numbers), naming `what`.
StatusOr<TensorType> TightenType(const TensorType& inferred, const TensorType& recorded,
                                 std::string_view what);

// Whether two types surely describe the same dims: equal dtypes and ranks, each pair of
// dims the same number or the same symbol.
bool SameKnownType(const TensorType& a, const TensorType& b);

}  // namespace hetero::passes
