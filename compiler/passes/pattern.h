// Matching and rewriting helpers shared by the fusion passes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "ops/attributes.h"

namespace hetero::passes {

// Who reads each value. Built from a graph and rebuilt after every rewrite; matching
// only reads it.
class UseMap {
 public:
  explicit UseMap(const ir::Graph& graph) { Rebuild(graph); }
  void Rebuild(const ir::Graph& graph);

  // The nodes reading `value`; a node reading it twice appears twice.
  const std::vector<ir::Node*>& Users(const ir::Value* value) const;
  bool IsGraphOutput(const ir::Value* value) const { return outputs_.count(value) > 0; }
  // The one node reading `value` when it has exactly one use and is not a graph output.
  ir::Node* SoleUser(const ir::Value* value) const;

 private:
  std::unordered_map<const ir::Value*, std::vector<ir::Node*>> users_;
  std::unordered_set<const ir::Value*> outputs_;
};

// ---- Reading the graph -------------------------------------------------------------

// The activation attribute of FusedMatMul / QuantMatMul for an activation node ("relu",
// "silu", "gelu", "gelu_tanh"), or "" when the node is none of those.
std::string ActivationOf(const ir::Node* node);
// The node computing `value` when its op is `op`; nullptr otherwise.
ir::Node* Producer(const ir::Value* value, std::string_view op);
// The input of a two-input node other than `operand`; nullptr when neither input is it.
// A node reading `operand` twice gives `operand`.
ir::Value* OtherInput(const ir::Node* node, const ir::Value* operand);
bool IsFloat(const ir::Value* value);
// Both static and equal, or the same symbol: the two dims are the same size for sure.
bool SameDim(const Dim& a, const Dim& b);
// The dim `from_end` places from the end (0 = last); nullopt when the rank is smaller.
std::optional<Dim> DimFromEnd(const ir::Value* value, size_t from_end);

// The value every element of `value` has, when that is known at compile time: a
// constant whose elements are all equal (within 0 ulp), a ConstantOfShape, or an
// Expand / Reshape / Unsqueeze / Cast-to-float of one. Integers read as doubles.
std::optional<double> SplatValue(const ir::Value* value);
// A splat value within `rel_tol` (relative) of `expected`.
bool IsSplatNear(const ir::Value* value, double expected, double rel_tol = 1e-4);
// The elements of a constant integer tensor of rank 0 or 1.
std::optional<std::vector<int64_t>> IntsConstant(const ir::Value* value);

// A Cast to the dtype its input already has.
bool IsNoOpCast(const ir::Node* node);
// Walks up through no-op Casts, appending them to `matched`.
ir::Value* SkipCastsUp(ir::Value* value, std::vector<ir::Node*>& matched);
// Walks down through no-op Casts that are the sole user, appending them to `matched`.
ir::Value* SkipCastsDown(ir::Value* value, const UseMap& uses, std::vector<ir::Node*>& matched);

// The axes a ReduceX node reduces, normalized to [0, rank) and sorted (empty attribute:
// every axis); nullopt when keepdims is 0 or an axis is out of range.
std::optional<std::vector<int64_t>> KeptReduceAxes(const ir::Node& reduce, size_t rank);
// Whether `axes` (sorted) are the last axes.size() dims of a tensor of `rank`, at least one.
bool AreTrailingAxes(const std::vector<int64_t>& axes, size_t rank);
// Whether `perm` is the identity except for the last two entries swapped (rank >= 2).
bool SwapsLastTwo(const std::vector<int64_t>& perm);

// The factors of a product: follows Mul nodes below `value` whose outputs are used once
// (the root `value` itself may have any users), appending those Muls to `matched`, and
// returns the leaves. At most `max_factors` leaves; nullopt beyond that.
std::optional<std::vector<ir::Value*>> ProductFactors(ir::Value* value, const UseMap& uses,
                                                      std::vector<ir::Node*>& matched,
                                                      size_t max_factors = 4);
// Removes one occurrence of `factor` from `factors`; false when absent.
bool TakeFactor(std::vector<ir::Value*>& factors, const ir::Value* factor);
// Removes one factor that is a splat within tolerance of `expected`; false when absent.
bool TakeSplatFactor(std::vector<ir::Value*>& factors, double expected);

// ---- Rewriting ---------------------------------------------------------------------

// Whether the matched nodes (those computing `root` included) can be replaced by one node
// computing `root`: every output of every matched node but root's producer is read only
// by matched nodes and is not a graph output.
bool IsSelfContained(const std::vector<ir::Node*>& matched, const ir::Value* root,
                     const UseMap& uses);

// Replaces `root` by the output of a new node op(inputs, attrs) and erases the nodes of
// `matched` that no longer have users. The new node takes over root's name and its
// producer's node name, so graph outputs keep their names. Returns false and changes
// nothing when the op rejects the inputs or its inferred type is not root's type (dtype,
// rank, and each dim compatible; the more specific of the two is kept).
StatusOr<bool> ReplaceWithNode(ir::Graph& graph, ir::Value* root, std::string_view op,
                               std::vector<ir::Value*> inputs, ops::Attributes attrs,
                               const std::vector<ir::Node*>& matched);

// Erases the nodes of `candidates` whose outputs have no users and are not graph outputs,
// repeating until none is left to erase.
Status EraseDeadNodes(ir::Graph& graph, const std::vector<ir::Node*>& candidates);

// Removes constants a rewrite added and then did not use (nothing reads them).
Status DropUnusedConstants(ir::Graph& graph, const std::vector<ir::Value*>& constants);

// Adds a node whose output name is fresh (starting with `stem`). Used to build the small
// helper nodes a rewrite needs (a Not, a Transpose).
StatusOr<ir::Value*> AddHelperNode(ir::Graph& graph, std::string_view op,
                                   std::vector<ir::Value*> inputs, ops::Attributes attrs,
                                   std::string_view stem);

// The pass driver: calls `rewrite` on every node in topological order until a sweep
// changes nothing (at most a few sweeps). `rewrite` returns whether it changed the graph;
// after a change the use map is rebuilt and nodes erased by the rewrite are skipped.
using NodeRewrite = std::function<StatusOr<bool>(ir::Graph&, ir::Node*, const UseMap&)>;
StatusOr<bool> RewriteNodes(ir::Graph& graph, const NodeRewrite& rewrite);

}  // namespace hetero::passes
