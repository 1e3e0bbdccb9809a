// Running an ir::Graph on a plugin device through the C++ wrappers, and comparing
// device results with the reference within a dtype's tolerance.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/graph_view.h"

namespace hetero::conformance {

// Buffers for a graph's inputs and outputs on one device, and a stream to run on.
struct DeviceRun {
  plugins::Executable executable;
  std::vector<plugins::Buffer> inputs;
  std::vector<hetero_tensor_desc> input_descs;
  std::vector<plugins::Buffer> outputs;
  std::vector<hetero_tensor_desc> output_descs;
  std::vector<Tensor> results;  // host tensors the outputs are copied into
};

// Compiles the view, allocates buffers, and queues the input copies on `stream`.
// `inputs` by graph input name (their memory must stay valid until the stream is
// synchronized); `output_dims` the concrete dims of each output.
StatusOr<DeviceRun> PrepareRun(plugins::Device& device, plugins::Stream& stream,
                               const plugins::GraphView& view,
                               const std::map<std::string, Tensor>& inputs,
                               const std::vector<std::vector<int64_t>>& output_dims);
// Queues execute and the output copies (with `sync` on the execute).
Status QueueRun(plugins::Stream& stream, DeviceRun& run, const plugins::SyncArgs& sync = {});

// Compiles and runs once; returns the outputs.
StatusOr<std::vector<Tensor>> CompileAndRun(plugins::Device& device, const ir::Graph& graph,
                                            const std::map<std::string, Tensor>& inputs,
                                            const std::vector<std::vector<int64_t>>& output_dims);

// Same dims and dtype, every element within Tolerance(dtype) (NaN matches NaN,
// infinities match exactly); the first mismatches are listed. A float output wider than
// the device's compute format is compared at that format's bound instead
// (tools/conformance/compute_format.h).
::testing::AssertionResult MatchesReference(const Tensor& expected, const Tensor& got);

}  // namespace hetero::conformance
