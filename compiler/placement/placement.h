// Placement: assigns every node of a graph to one device from each device's support
// answer and a predicted-latency cost model, grouped into segments, with the reason.
#pragma once

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/dtype.h"
#include "hetero/status.h"

namespace hetero::placement {

inline constexpr size_t kNumDTypes = std::size(kAllDTypes);

// What placement knows of one device. The runtime fills it from the plugin's properties
// and its query_support answer; tests fill it by hand. Placement itself stays
// device-agnostic.
struct DeviceInfo {
  std::string name;                             // "cpu", "npu-sim:rngd"
  std::array<double, kNumDTypes> peak_flops{};  // FLOP/s, indexed by DType; 0: unknown
  double memory_bandwidth = 0;                  // bytes/s; 0: unknown
  double host_link_bandwidth = 0;               // bytes/s; 0: unknown
  double launch_overhead_s = 0;                 // per node
  bool host_memory = false;                     // buffers are host memory: no link transfer
  std::vector<bool> supported;                  // per node, in graph.nodes() order
  std::vector<std::string> reasons;             // why not, per node ("" when none given)
};

// A user pin: nodes whose op type or name is `key` run on `device`. A name pin wins
// over an op pin.
struct Pin {
  std::string key;
  std::string device;
};

struct PlacementOptions {
  std::vector<Pin> pins;
  bool no_fallback = false;                // every node must run on the first device
  size_t min_segment_nodes = 3;            // segments smaller than this are merged away ...
  double merge_tolerance = 0.05;           // ... when that costs at most this fraction more
  double segment_overhead_s = 5e-6;        // cost of one segment: dispatch, sync
  std::map<std::string, int64_t> symbols;  // values of symbolic dims for the cost model
  int64_t default_dim = 64;                // for symbols not given and unknown dims
  // Measured seconds per node name and device name (--profile-guided): they replace the
  // predicted compute time of that node there, and a device's other predictions are
  // scaled by its measured / predicted ratio over the nodes measured on it.
  std::map<std::string, std::map<std::string, double>> measured_s;
};

struct NodePlacement {
  const ir::Node* node = nullptr;
  int device = 0;      // index into PlacementPlan::devices
  double cost_s = 0;   // predicted compute time on that device
  std::string reason;  // "cheapest: cpu 12.3 µs vs gpu 40.1 µs", "pinned by ...", ...
};

// A connected run of nodes (consecutive in topological order) on one device.
struct Segment {
  int device = 0;
  std::vector<const ir::Node*> nodes;
  std::string reason;
};

struct PlacementPlan {
  std::vector<std::string> devices;
  std::vector<NodePlacement> nodes;  // topological order
  std::vector<Segment> segments;     // in execution order
  double predicted_s = 0;            // sum of compute, transfers and segment overheads
  double transfer_s = 0;             // of which transfers
  size_t num_transfers = 0;
};

// Places `graph` on `devices` (in priority order: ties go to the earlier device).
// Fails, naming the nodes and the reasons, when a node has no device, when a pin names
// a device that cannot run the node, or, with no_fallback, when the first device cannot
// run every node.
StatusOr<PlacementPlan> Place(const ir::Graph& graph, const std::vector<DeviceInfo>& devices,
                              const PlacementOptions& options);

// Parses "--pin" text "KEY=DEVICE".
StatusOr<Pin> ParsePin(std::string_view text);

// The --explain text: totals, then every segment with its device, reason and nodes.
std::string FormatPlan(const PlacementPlan& plan);

// "12.3 µs" / "1.25 ms" / "0.8 ns".
std::string FormatSeconds(double seconds);

}  // namespace hetero::placement
