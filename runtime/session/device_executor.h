// Runs a whole ir::Graph on one plugin device through the C ABI: graph view, support
// check, compile once; per run, concrete output shapes on the host, buffers, copies in,
// execute, copies out.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/graph_view.h"

namespace hetero {

// A graph compiled for one device. The graph must outlive the executor (it is read on
// every run) and must not change. Run is thread-safe: each run has its own stream and
// buffers.
class DeviceExecutor {
 public:
  // Fails, naming the node and the device's reason, when the device declines any node:
  // nothing falls back silently to another device.
  // `compile_options` is the plugin's "key=value;..." text (may be empty).
  static StatusOr<std::unique_ptr<DeviceExecutor>> Create(const ir::Graph& graph,
                                                          std::shared_ptr<plugins::Device> device,
                                                          const std::string& compile_options = "");

  // From an executable the device serialized earlier (a compiled model file); `graph`
  // is the segment graph it was compiled from (its large constants may lack storage).
  // Fails when the device refuses the bytes or they do not fit the graph.
  static StatusOr<std::unique_ptr<DeviceExecutor>> Deserialize(
      const ir::Graph& graph, std::shared_ptr<plugins::Device> device,
      const std::vector<uint8_t>& bytes);

  // Checks the inputs as RunReference does, then runs on the device. Errors name the
  // node (from the device, or from the host's shape inference) or the input.
  StatusOr<std::vector<Tensor>> Run(const std::map<std::string, Tensor>& inputs) const;

  const plugins::Device& device() const { return *device_; }
  const std::shared_ptr<plugins::Device>& shared_device() const { return device_; }
  const ir::Graph& graph() const { return graph_; }
  plugins::Executable& executable() const { return *executable_; }
  const plugins::GraphView& view() const { return *view_; }

 private:
  DeviceExecutor(const ir::Graph& graph, std::shared_ptr<plugins::Device> device)
      : graph_(graph), device_(std::move(device)) {}
  // Allocates buffers and queues the input copies, the execute and the output copies.
  Status Enqueue(plugins::Stream& stream, const std::map<std::string, Tensor>& inputs,
                 const std::vector<std::vector<int64_t>>& output_dims,
                 std::vector<plugins::Buffer>& in_buffers,
                 std::vector<hetero_tensor_desc>& in_descs,
                 std::vector<plugins::Buffer>& out_buffers,
                 std::vector<hetero_tensor_desc>& out_descs, std::vector<Tensor>& outputs) const;

  const ir::Graph& graph_;
  std::shared_ptr<plugins::Device> device_;
  std::unique_ptr<plugins::GraphView> view_;
  std::unique_ptr<plugins::Executable> executable_;
};

// The concrete dims of every graph output for these inputs, found on the host: each
// node's inference over concrete input shapes, with the values of small tensors (shape
// arithmetic: Shape, Gather, Concat, ...) computed on the reference kernels so shapes
// that depend on them resolve. An input tensor without storage (Tensor::Borrow of a null
// pointer) contributes its type only. Fails naming the node when inference fails, or when an
// output's shape depends on values only the device computes.
StatusOr<std::vector<std::vector<int64_t>>> InferOutputDims(
    const ir::Graph& graph, const std::map<std::string, Tensor>& inputs);

}  // namespace hetero
