// Runs an ir::Graph across several plugin devices: placement, one DeviceExecutor per
// segment (each segment compiled by its own device), host copies at segment boundaries.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/placement/placement.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/device.h"
#include "runtime/session/device_executor.h"

namespace hetero {

// What placement needs of each device: properties and its query_support answer for
// the whole graph.
StatusOr<std::vector<placement::DeviceInfo>> DescribeDevices(
    const ir::Graph& graph, const std::vector<std::shared_ptr<plugins::Device>>& devices);

// The graph must outlive the executor and must not change. Run is thread-safe.
class PartitionedExecutor {
 public:
  // `devices` in priority order. Fails as placement::Place does, or naming the segment
  // and device whose compilation failed. With `calibration_inputs` (model inputs by
  // name, "" for the first), every segment on a device that has compile options is
  // compiled with "calibrate=" .npy files of the values its inputs take when the whole
  // graph runs on the reference kernels over them (see calibration.h).
  static StatusOr<std::unique_ptr<PartitionedExecutor>> Create(
      const ir::Graph& graph, std::vector<std::shared_ptr<plugins::Device>> devices,
      const placement::PlacementOptions& options,
      const std::map<std::string, std::string>& compile_options = {},
      const std::map<std::string, Tensor>& calibration_inputs = {});

  // A loaded compiled model: per segment its graph (owned here), device and executable
  // bytes. The plan is rebuilt from the segments (reason: "compiled model").
  struct LoadedSegment {
    std::unique_ptr<ir::Graph> graph;
    std::shared_ptr<plugins::Device> device;
    std::vector<uint8_t> executable;
  };
  static StatusOr<std::unique_ptr<PartitionedExecutor>> FromCompiled(
      const ir::Graph& graph, std::vector<LoadedSegment> segments);

  // Segments in order; each reads its inputs from the host and leaves its outputs on
  // the host (a value read by several later segments is downloaded once). Errors name
  // the segment's device and, from the device, the node.
  StatusOr<std::vector<Tensor>> Run(const std::map<std::string, Tensor>& inputs) const;

  const placement::PlacementPlan& plan() const { return plan_; }
  size_t num_segments() const { return segments_.size(); }

  // For schedulers. The graph input / earlier-segment value names segment s reads.
  std::vector<std::string> SegmentInputs(size_t s) const;
  // The earlier segments whose outputs segment s reads.
  const std::vector<size_t>& SegmentDeps(size_t s) const { return segments_[s].deps; }
  const std::string& SegmentDevice(size_t s) const { return segments_[s].device_name; }
  const DeviceExecutor& SegmentExecutor(size_t s) const { return *segments_[s].executor; }
  const ir::Graph& SegmentGraph(size_t s) const { return *segments_[s].graph; }
  // Runs segment s on inputs named as SegmentInputs(s); its outputs by value name.
  // Errors name the segment and its device. Thread-safe.
  StatusOr<std::vector<std::pair<std::string, Tensor>>> RunSegment(
      size_t s, const std::map<std::string, Tensor>& inputs) const;
  // The graph outputs picked from every value a run computed, by name.
  StatusOr<std::vector<Tensor>> GraphOutputs(const std::map<std::string, Tensor>& values) const;
  const ir::Graph& graph() const { return graph_; }

 private:
  struct SegmentRun {
    std::unique_ptr<ir::Graph> graph;
    std::unique_ptr<DeviceExecutor> executor;
    std::string device_name;
    std::vector<size_t> deps;
  };
  explicit PartitionedExecutor(const ir::Graph& graph) : graph_(graph) {}
  void ComputeDeps();

  const ir::Graph& graph_;
  placement::PlacementPlan plan_;
  std::vector<SegmentRun> segments_;
};

}  // namespace hetero
