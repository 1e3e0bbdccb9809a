// Helpers for the placement tests: small graphs and hand-made devices.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/placement/placement.h"

namespace hetero::placement::testing {

// A device with `gflops` f32 peak, `gbps` memory bandwidth, `link_gbps` host link
// (0: host memory), supporting ops in `ops` (empty: every op).
inline DeviceInfo MakeDevice(std::string name, const ir::Graph& graph, double gflops, double gbps,
                             double link_gbps, std::vector<std::string> ops = {},
                             double launch_s = 1e-6) {
  DeviceInfo device;
  device.name = std::move(name);
  device.peak_flops[static_cast<size_t>(DType::kF32)] = gflops * 1e9;
  device.memory_bandwidth = gbps * 1e9;
  device.host_link_bandwidth = link_gbps * 1e9;
  device.host_memory = link_gbps == 0;
  device.launch_overhead_s = launch_s;
  for (const auto& node : graph.nodes()) {
    bool ok = ops.empty();
    for (const std::string& op : ops) ok = ok || op == node->op();
    device.supported.push_back(ok);
    device.reasons.push_back(ok ? "" : "op not in the device's list");
  }
  return device;
}

// x:f32[seq,64] -> MatMul(w) -> Add(b) -> Relu -> MatMul(w2) -> Softmax -> out.
inline std::unique_ptr<ir::Graph> SmallChain() {
  auto graph = std::make_unique<ir::Graph>();
  ir::Value* x = *graph->AddInput("x", TensorType{DType::kF32, Shape{Dim::Symbol("seq"), 64}});
  ir::Value* w = *graph->AddConstant("w", Tensor::FromFloat({64, 64}, std::vector<float>(4096)));
  ir::Value* b = *graph->AddConstant("b", Tensor::FromFloat({64}, std::vector<float>(64)));
  ir::Value* v = (*graph->AddNode("MatMul", {x, w}, {}, 1, "mm1"))->output(0);
  v = (*graph->AddNode("Add", {v, b}, {}, 1, "add1"))->output(0);
  v = (*graph->AddNode("Relu", {v}, {}, 1, "relu1"))->output(0);
  v = (*graph->AddNode("MatMul", {v, w}, {}, 1, "mm2"))->output(0);
  v = (*graph->AddNode("Softmax", {v}, {}, 1, "softmax"))->output(0);
  graph->AddOutput(v);
  return graph;
}

}  // namespace hetero::placement::testing
