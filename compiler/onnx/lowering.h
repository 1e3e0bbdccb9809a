// Lowering one ONNX node into hetero ops: the context a lowering sees, and the table.
//
// One op_lowering_<family>.cc per op family fills the table.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/onnx/model_file.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"

namespace hetero::onnx_import {

// What the lowerings of one model share.
struct ImportState {
  ir::Graph* graph = nullptr;
  int opset = 0;
  ExternalDataFiles* external = nullptr;
  std::unordered_map<std::string, ir::Value*> values;  // ONNX value name → hetero value
  std::unordered_set<std::string> onnx_names;          // kept off generated names
  std::unordered_set<std::string> used;                // read by a node or a graph output
};

class LoweringContext {
 public:
  LoweringContext(ImportState& state, const ::onnx::NodeProto& node, std::string name)
      : state_(state), node_(node), name_(std::move(name)) {}

  const ::onnx::NodeProto& node() const { return node_; }
  const std::string& name() const { return name_; }
  int opset() const { return state_.opset; }
  // "node 'name' (OpType)", how errors name the node.
  std::string Describe() const;
  // InvalidArgument / Unimplemented / FailedPrecondition prefixed with Describe().
  Status Error(const std::string& message) const;
  Status Unsupported(const std::string& message) const;

  // Inputs by ONNX position; an empty name is an absent optional input.
  size_t num_inputs() const { return static_cast<size_t>(node_.input_size()); }
  bool has_input(size_t i) const;
  ir::Value* input(size_t i) const;  // nullptr when absent
  // InvalidArgument naming the node when input i is absent.
  StatusOr<ir::Value*> RequiredInput(size_t i) const;
  const Tensor* constant_input(size_t i) const;
  // The values of a constant integer input, nullopt when the input is absent;
  // FailedPrecondition "node 'n' (Op): axes must be a constant" when computed at run time.
  StatusOr<std::optional<std::vector<int64_t>>> ConstantInts(size_t i, std::string_view what) const;

  size_t num_outputs() const { return static_cast<size_t>(node_.output_size()); }
  // Whether ONNX output i exists and something reads it.
  bool output_used(size_t i) const;

  // Attributes (nullptr / fallback when absent).
  const ::onnx::AttributeProto* attr(std::string_view name) const;
  int64_t IntAttr(std::string_view name, int64_t fallback) const;
  float FloatAttr(std::string_view name, float fallback) const;
  std::string StringAttr(std::string_view name, std::string fallback) const;
  std::vector<int64_t> IntsAttr(std::string_view name) const;

  // Adds the node that produces ONNX outputs first_output..first_output+num_outputs-1:
  // named after the ONNX node, its outputs named after those ONNX outputs. What can be
  // computed now (TryFold) becomes constants of those names instead.
  Status EmitFinal(std::string_view op, std::vector<ir::Value*> inputs, ops::Attributes attrs = {},
                   size_t num_outputs = 1, size_t first_output = 0);
  // Adds a helper node "<node>/<suffix>" and returns its (single) output.
  StatusOr<ir::Value*> EmitHelper(std::string_view op, std::string_view suffix,
                                  std::vector<ir::Value*> inputs, ops::Attributes attrs = {});
  // A helper constant "<node>/<suffix>".
  StatusOr<ir::Value*> HelperConstant(std::string_view suffix, Tensor data);
  // A scalar helper constant of `dtype`.
  StatusOr<ir::Value*> ScalarConstant(std::string_view suffix, DType dtype, double value);
  // ONNX output i becomes the constant `data` (the Constant op).
  Status BindConstant(size_t output, Tensor data);
  // ONNX output i is another name for `value` (Identity, Dropout).
  Status Alias(size_t output, ir::Value* value);

  ExternalDataFiles* external() const { return state_.external; }

 private:
  std::string FreshName(const std::string& stem) const;
  // Adds op(inputs) as a node, or as constants when TryFold computes it.
  StatusOr<std::vector<ir::Value*>> Emit(std::string_view op, std::vector<ir::Value*> inputs,
                                         ops::Attributes attrs, size_t num_outputs,
                                         const std::string& node_name,
                                         std::vector<std::string> names);
  Status Bind(size_t output, ir::Value* value);

  ImportState& state_;
  const ::onnx::NodeProto& node_;
  std::string name_;
};

// The largest output (in elements, all outputs together) folded into a constant.
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 16;

// The outputs of op(inputs) computed now, when that is possible and cheap: every input
// constant and the outputs small, or a Shape / Size of known dims; nullopt otherwise,
// including for nodes AddNode would refuse (fold.cc).
std::optional<std::vector<Tensor>> TryFold(std::string_view op, std::vector<ir::Value*> inputs,
                                           const ops::Attributes& attrs, size_t num_outputs);

using LowerFn = Status (*)(LoweringContext& ctx);
using LoweringTable = std::map<std::string, LowerFn, std::less<>>;

// The lowerings of every op type the importer reads (built once; thread-safe to read).
const LoweringTable& Lowerings();

// Each op family adds its lowerings (op_lowering_*.cc).
void AddElementwiseLowerings(LoweringTable& table);
void AddMovementLowerings(LoweringTable& table);
void AddReduceNormLowerings(LoweringTable& table);
void AddMiscLowerings(LoweringTable& table);
void AddQuantLowerings(LoweringTable& table);

}  // namespace hetero::onnx_import
