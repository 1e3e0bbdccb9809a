// The placement cost model: predicted node times per device, transfer times over the
// host link, and the total predicted latency of a whole assignment.
#pragma once

#include <limits>
#include <unordered_map>
#include <vector>

#include "compiler/placement/placement.h"

namespace hetero::placement {

inline constexpr double kInfeasible = std::numeric_limits<double>::infinity();

// Where a value a node reads comes from.
struct InputEdge {
  int producer = -1;  // position in the order; -1: a graph input (on the host)
  double bytes = 0;
};

class CostModel {
 public:
  // `order` is a topological order of graph's nodes. allowed[i][d]: node order[i] may
  // run on device d.
  CostModel(const ir::Graph& graph, std::vector<const ir::Node*> order,
            const std::vector<DeviceInfo>& devices, const PlacementOptions& options,
            std::vector<std::vector<bool>> allowed);

  size_t num_nodes() const { return order_.size(); }
  size_t num_devices() const { return devices_.size(); }
  const ir::Node* node(size_t i) const { return order_[i]; }
  bool allowed(size_t i, int d) const { return allowed_[i][d]; }
  // Predicted compute time of node i on device d (kInfeasible when not allowed).
  double NodeSeconds(size_t i, int d) const { return node_s_[i][d]; }
  // Moving `bytes` from device src to dst (-1: the host).
  double TransferSeconds(double bytes, int src, int dst) const;

  struct Breakdown {
    double total_s = 0;
    double transfer_s = 0;
    size_t num_transfers = 0;
    size_t num_segments = 0;
  };
  // Total predicted latency of an assignment (device per order position): compute, a
  // transfer per (value, destination device) pair — a value needed on several devices
  // is copied once to each — results back to the host, and a per-segment overhead.
  Breakdown Evaluate(const std::vector<int>& assignment) const;
  double Total(const std::vector<int>& assignment) const { return Evaluate(assignment).total_s; }

 private:
  void ComputeNodeCosts();
  void ApplyMeasurements();
  void ComputeEdges(const ir::Graph& graph);

  std::vector<const ir::Node*> order_;
  const std::vector<DeviceInfo>& devices_;
  const PlacementOptions& options_;
  std::vector<std::vector<bool>> allowed_;
  std::vector<std::vector<double>> node_s_;
  // Per consumed value: its producer and bytes, and its consumers (order positions).
  struct ValueUse {
    InputEdge source;
    std::vector<int> consumers;
    bool graph_output = false;
  };
  std::vector<ValueUse> uses_;
};

// Static bytes of a value's type with symbols bound (unknown dims take default_dim).
double ValueBytes(const TensorType& type, const PlacementOptions& options);
// The node's FLOPs and bytes from its schema's cost with shapes bound.
ops::OpCost NodeCost(const ir::Node& node, const PlacementOptions& options);

}  // namespace hetero::placement
