// GraphView: an ir::Graph (or a subset of its nodes) as the C hetero_graph_view a
// plugin reads, with every string, array and dim it points at owned here.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/ir/graph.h"
#include "devices/abi/hetero_plugin.h"
#include "hetero/dtype.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::plugins {

// Immutable once built; neither copyable nor movable (the view points into itself).
// Constants' data point at the ir constant tensors; the view holds a reference to each
// (Tensor copies share memory), so they stay valid as long as the GraphView — and as
// long as any Executable compiled from it — even if the ir::Graph goes away. The other
// pointers are valid while the GraphView lives.
class GraphView {
 public:
  // The whole graph: its inputs and outputs, every node, the constants nodes use.
  static StatusOr<std::unique_ptr<GraphView>> FromGraph(const ir::Graph& graph);
  // A subgraph of `nodes` (any order; kept in graph order, which is topological).
  // Values read by these nodes but produced outside (graph inputs or other nodes'
  // outputs) become inputs; values produced here and read outside (or graph outputs)
  // become outputs. Constants stay constants. Fails on a node not in `graph`, a
  // duplicate, a rank above HETERO_MAX_RANK, or more than 2^31 values.
  static StatusOr<std::unique_ptr<GraphView>> FromNodes(const ir::Graph& graph,
                                                        const std::vector<const ir::Node*>& nodes);
  GraphView(const GraphView&) = delete;
  GraphView& operator=(const GraphView&) = delete;

  const hetero_graph_view* view() const { return &view_; }
  size_t num_nodes() const { return nodes_.size(); }
  size_t num_values() const { return values_.size(); }
  // The ir node behind view node i / the ir value behind view value i.
  const ir::Node* ir_node(size_t i) const { return ir_nodes_[i]; }
  const ir::Value* ir_value(size_t i) const { return ir_values_[i]; }
  // Index of an ir value in values[], or -1.
  int32_t ValueIndex(const ir::Value* value) const;
  // The ir values of view inputs / outputs, in order.
  std::vector<const ir::Value*> InputValues() const;
  std::vector<const ir::Value*> OutputValues() const;
  // References to every constant the view points at (shared memory, cheap to copy).
  const std::vector<Tensor>& constants() const { return constants_; }

 private:
  GraphView() = default;
  Status Build(const ir::Graph& graph, const std::vector<const ir::Node*>& nodes, bool whole_graph);
  StatusOr<int32_t> AddValue(const ir::Value* value);
  Status AddNode(const ir::Node& node);
  Status AddAttrs(const ir::Node& node, std::vector<hetero_attr>* out);
  const char* Keep(const std::string& text);
  void Finish();

  hetero_graph_view view_{};
  std::vector<hetero_value_view> values_;
  std::vector<hetero_node_view> nodes_;
  std::vector<const ir::Node*> ir_nodes_;
  std::vector<const ir::Value*> ir_values_;
  std::unordered_map<const ir::Value*, int32_t> value_index_;
  std::vector<int32_t> inputs_;
  std::vector<int32_t> outputs_;
  std::vector<Tensor> constants_;
  // Stable storage the C structs point into (deque elements never move).
  std::deque<std::string> strings_;
  std::deque<std::vector<int32_t>> index_lists_;
  std::deque<std::vector<hetero_attr>> attr_lists_;
  std::deque<std::vector<int64_t>> int_lists_;
  std::deque<std::vector<double>> float_lists_;
  std::deque<std::vector<const char*>> string_lists_;
};

// DType <-> hetero_dtype (the enums agree in order, but code should not rely on it).
hetero_dtype ToPluginDType(DType dtype);
StatusOr<DType> FromPluginDType(int32_t dtype);

// A hetero_tensor_desc for concrete dims; fails above HETERO_MAX_RANK.
StatusOr<hetero_tensor_desc> MakeTensorDesc(DType dtype, const std::vector<int64_t>& dims);
// A desc from an ir type: symbolic and unknown dims become -1.
StatusOr<hetero_tensor_desc> MakeTensorDesc(const TensorType& type);

}  // namespace hetero::plugins
