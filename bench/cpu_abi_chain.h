// Shared by the ABI and profiler benchmarks: a chain of tiny Adds and the CPU plugin
// driven through its C table (instance, device, stream, one executable, two buffers).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "compiler/ir/graph.h"
#include "devices/cpu/plugin.h"
#include "hetero/status.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/host_services.h"

namespace hetero::bench {

inline void Check(hetero_status* status, const char* what) {
  if (status == nullptr) return;
  std::fprintf(stderr, "%s: %s\n", what, status->message);
  status->destroy(status);
  std::abort();  // a benchmark set-up failure: nothing to measure
}

inline void Check(const Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::abort();
}

// x -> Add(x, 1) -> Add(·, 1) -> ... (`ops` nodes, add_0, add_1, ...) -> y, over f32[1].
inline std::unique_ptr<ir::Graph> AddChain(int ops) {
  auto g = std::make_unique<ir::Graph>("chain");
  ir::Value* v = g->AddInput("x", TensorType{DType::kF32, Shape({1})}).value();
  ir::Value* one = g->AddConstant("one", Tensor::FromFloat({1}, {1.0f})).value();
  for (int i = 0; i < ops; ++i) {
    v = g->AddNode("Add", {v, one}, {}, 1, "add_" + std::to_string(i)).value()->output(0);
  }
  g->AddOutput(v);
  return g;
}

// The CPU plugin through its C table, `graph` compiled; buffers[0] holds x = 0.
struct CpuAbiSetup {
  CpuAbiSetup(const ir::Graph& graph, int host_threads)
      : host(std::make_shared<plugins::HostServices>(host_threads)) {
    binding = host->Bind("cpu");
    Check(hetero_cpu_plugin_get_api(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &api),
          "get_api");
    Check(api->plugin_create(binding->api(), &plugin), "plugin_create");
    Check(api->device_open(plugin, 0, &device), "device_open");
    Check(api->stream_create(device, &stream), "stream_create");
    view = plugins::GraphView::FromGraph(graph).value();
    Check(api->compile(device, view->view(), nullptr, &exe), "compile");
    for (hetero_buffer*& b : buffers)
      Check(api->buffer_allocate(device, sizeof(float), &b), "buffer_allocate");
    desc = plugins::MakeTensorDesc(DType::kF32, {1}).value();
    const float x = 0;
    Check(api->copy_host_to_device(stream, &x, buffers[0], 0, sizeof(x), nullptr), "copy");
    Check(api->stream_synchronize(stream), "synchronize");
  }
  ~CpuAbiSetup() {
    host->SetProfileSink(nullptr);
    for (hetero_buffer* b : buffers) api->buffer_free(b);
    api->executable_destroy(exe);
    api->stream_destroy(stream);
    api->device_close(device);
    api->plugin_destroy(plugin);
  }
  CpuAbiSetup(const CpuAbiSetup&) = delete;
  CpuAbiSetup& operator=(const CpuAbiSetup&) = delete;

  // One execute from buffers[in] into buffers[out] (not synchronized).
  hetero_status* Execute(int in, int out) {
    return api->execute(stream, exe, 1, &buffers[in], &desc, 1, &buffers[out], &desc, nullptr);
  }

  std::shared_ptr<plugins::HostServices> host;
  std::unique_ptr<plugins::HostBinding> binding;
  const hetero_plugin_api* api = nullptr;
  hetero_plugin* plugin = nullptr;
  hetero_device* device = nullptr;
  hetero_stream* stream = nullptr;
  hetero_executable* exe = nullptr;
  std::unique_ptr<plugins::GraphView> view;
  hetero_buffer* buffers[2] = {};
  hetero_tensor_desc desc{};
};

}  // namespace hetero::bench
