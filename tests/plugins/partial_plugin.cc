// "partial": the CPU plugin behind a filter, for placement and scheduler tests. It
// claims only the ops listed in HETERO_PARTIAL_OPS (comma-separated; default MatMul,
// FusedMatMul, Add, Gelu), offers two devices (partial:0, partial:1; both the host CPU),
// reports them as accelerators with 8x the host's peak FLOP/s and bandwidth, and slows every
// execute by HETERO_PARTIAL_DELAY_MS milliseconds (default 0; the submitting thread sleeps) so
// tests can watch overlap. Its memory statistics are the CPU plugin's. Built with
// PARTIAL_PLUGIN_ABI_1_0 it is "partial-abi10", a plugin of ABI 1.0: minor 0 and the 1.0 table's
// size.
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "devices/abi/hetero_plugin.h"
#include "devices/cpu/plugin.h"

namespace {

const hetero_plugin_api* cpu_api = nullptr;
hetero_plugin_api partial_api;

std::set<std::string> ClaimedOps() {
  const char* env = std::getenv("HETERO_PARTIAL_OPS");
  std::stringstream list(env != nullptr ? env : "MatMul,FusedMatMul,Add,Gelu");
  std::set<std::string> ops;
  for (std::string op; std::getline(list, op, ',');) {
    if (!op.empty()) ops.insert(op);
  }
  return ops;
}

hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result) {
  if (hetero_status* s = cpu_api->query_support(device, graph, result)) return s;
  const std::set<std::string> ops = ClaimedOps();
  for (uint32_t i = 0; i < graph->num_nodes; ++i) {
    if (ops.count(graph->nodes[i].op) == 0 && result->support[i] == HETERO_SUPPORT_YES) {
      result->support[i] = HETERO_SUPPORT_NO;
      const std::string reason = "partial does not run " + std::string(graph->nodes[i].op);
      if (result->set_reason != nullptr)
        result->set_reason(result->reason_context, i, reason.c_str());
    }
  }
  return nullptr;
}

hetero_status* Properties(hetero_plugin* plugin, uint32_t index, hetero_device_properties* out) {
  if (hetero_status* s = cpu_api->device_properties(plugin, index < 2 ? 0 : index, out)) return s;
  out->kind = HETERO_DEVICE_ACCELERATOR;
  // Declared 8x the host's compute and memory bandwidth, so that placement has a reason to
  // use it whatever the two bandwidth measurements (this instance's and the host cpu's,
  // each taken under whatever load the machine has) come to.
  for (double& peak : out->peak_flops) peak *= 8;
  out->memory_bandwidth *= 8;
  std::strncpy(out->name, "partial test accelerator", sizeof(out->name) - 1);
  return nullptr;
}

hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count) {
  uint32_t cpu_count = 0;
  if (hetero_status* s = cpu_api->device_count(plugin, &cpu_count)) return s;
  *out_count = cpu_count > 0 ? 2 : 0;
  return nullptr;
}

hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out) {
  return cpu_api->device_open(plugin, index < 2 ? 0 : index, out);
}

hetero_status* Execute(hetero_stream* stream, hetero_executable* executable, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync) {
  if (const char* delay = std::getenv("HETERO_PARTIAL_DELAY_MS")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(delay)));
  }
  return cpu_api->execute(stream, executable, num_inputs, inputs, input_descs, num_outputs, outputs,
                          output_descs, sync);
}

}  // namespace

extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out_api) {
  // The CPU plugin's answer to this host's version decides; the table is built once.
  const hetero_plugin_api* cpu = nullptr;
  if (hetero_status* s = hetero_cpu_plugin_get_api(host_major, host_minor, &cpu)) return s;
  static const bool built = [cpu] {
    cpu_api = cpu;
    partial_api = *cpu;
    partial_api.plugin_name = "partial";
    partial_api.query_support = &QuerySupport;
    partial_api.device_properties = &Properties;
    partial_api.device_count = &DeviceCount;
    partial_api.device_open = &DeviceOpen;
    partial_api.execute = &Execute;
#ifdef PARTIAL_PLUGIN_ABI_1_0
    // The 1.1 entry inherited from the CPU plugin stays in memory past struct_size, where
    // a host must never read it.
    partial_api.plugin_name = "partial-abi10";
    partial_api.abi_minor = 0;
    partial_api.struct_size = offsetof(hetero_plugin_api, device_memory_stats);
#endif
    return true;
  }();
  (void)built;
  *out_api = &partial_api;
  return nullptr;
}
