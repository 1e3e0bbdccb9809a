// The op IR: a graph of nodes over typed values, with constants held by reference.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hetero/shape.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"
#include "ops/schema.h"

namespace hetero::ir {

class Node;

// A value: a graph input, a constant, or an output of one node.
class Value {
 public:
  const std::string& name() const { return name_; }
  const TensorType& type() const { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }
  Node* producer() const { return producer_; }
  int producer_output() const { return producer_output_; }
  bool is_graph_input() const { return is_graph_input_; }
  bool is_constant() const { return constant_.has_value(); }
  // The data of a constant (shares memory with the model file when imported).
  const Tensor* constant() const { return constant_ ? &*constant_ : nullptr; }

 private:
  friend class Graph;
  std::string name_;
  TensorType type_;
  Node* producer_ = nullptr;
  int producer_output_ = 0;
  bool is_graph_input_ = false;
  std::optional<Tensor> constant_;
};

class Node {
 public:
  const std::string& op() const { return op_; }
  const std::string& name() const { return name_; }
  const ops::OpSchema& schema() const { return *schema_; }
  const std::vector<Value*>& inputs() const { return inputs_; }  // nullptr: absent optional
  const std::vector<Value*>& outputs() const { return outputs_; }
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  Value* output(size_t i) const { return outputs_[i]; }
  const ops::Attributes& attrs() const { return attrs_; }
  ops::Attributes& mutable_attrs() { return attrs_; }
  void set_input(size_t i, Value* value) { inputs_[i] = value; }

 private:
  friend class Graph;
  std::string op_;
  std::string name_;
  const ops::OpSchema* schema_ = nullptr;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  ops::Attributes attrs_;
};

// Owns its nodes and values. Nodes are kept in insertion order; importers and builders
// add them in a topological order and the verifier checks it. Not thread-safe.
class Graph {
 public:
  explicit Graph(std::string name = "main") : name_(std::move(name)) {}
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Fails when the name is already used.
  StatusOr<Value*> AddInput(std::string name, TensorType type);
  StatusOr<Value*> AddConstant(std::string name, Tensor data);
  // Adds a node of the op set and infers its output types from the inputs' types and
  // the values of constant inputs. Output names default to "<node>:<i>" (unique);
  // the node name defaults to "<op>_<n>". Errors name the node.
  StatusOr<Node*> AddNode(std::string_view op, std::vector<Value*> inputs,
                          ops::Attributes attrs = {}, size_t num_outputs = 1,
                          std::string node_name = "", std::vector<std::string> output_names = {});
  // Adds a node whose output types are given (the text parser uses it; the verifier
  // re-checks them).
  StatusOr<Node*> AddNodeWithTypes(std::string_view op, std::vector<Value*> inputs,
                                   ops::Attributes attrs, std::vector<TensorType> output_types,
                                   std::string node_name, std::vector<std::string> output_names);
  void AddOutput(Value* value) { outputs_.push_back(value); }
  void SetOutput(size_t i, Value* value) { outputs_[i] = value; }

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  const std::vector<Value*>& constants() const { return constants_; }
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  size_t num_nodes() const { return nodes_.size(); }

  Value* FindValue(std::string_view name) const;
  Node* FindNode(std::string_view name) const;
  // Points every use of `from` (node inputs and graph outputs) at `to`.
  void ReplaceAllUses(Value* from, Value* to);
  // Removes a node; its outputs must have no remaining uses.
  Status RemoveNode(Node* node);
  // Removes several nodes in one sweep (linear in the graph, however many go); no node
  // outside `nodes` and no graph output may use their outputs.
  Status RemoveNodes(const std::vector<Node*>& nodes);
  // Removes constants that no node and no graph output uses.
  Status RemoveConstants(const std::vector<Value*>& constants);
  // Gives a value a name no other value has (passes keep graph outputs' names this way).
  Status RenameValue(Value* value, std::string name);
  // Gives a node a name no other node has.
  Status RenameNode(Node* node, std::string name);
  // Reorders the node list so that every node comes after the producers of its inputs,
  // moving as few nodes as possible: nodes keep their list order, except that a node
  // listed after one of its users moves up to just before its first user. Fails on a
  // cycle (the list is then unchanged).
  Status SortNodes();
  // Nodes using each value (computed on demand).
  std::unordered_map<const Value*, std::vector<Node*>> ComputeUsers() const;
  // Nodes in an order where every input is produced before use; fails on a cycle.
  StatusOr<std::vector<Node*>> TopologicalOrder() const;
  // A fresh name starting with `stem` not used by any value or node.
  std::string UniqueName(std::string_view stem);

 private:
  StatusOr<Value*> NewValue(std::string name, TensorType type);
  StatusOr<Node*> NewNode(std::string_view op, std::vector<Value*> inputs, ops::Attributes attrs,
                          std::string node_name);

  std::string name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::vector<Value*> constants_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<std::unique_ptr<Value>> values_;
  std::unordered_map<std::string, Value*> value_by_name_;
  std::unordered_map<std::string, Node*> node_by_name_;
  int64_t name_counter_ = 0;
};

// Runs the op's inference for a node whose inputs are typed, with constant inputs'
// values visible. Shared by AddNode and the verifier.
StatusOr<std::vector<TensorType>> InferNodeTypes(const Node& node);

// "node 'name' (Op)": how errors name a node.
std::string DescribeNode(const Node& node);

}  // namespace hetero::ir
