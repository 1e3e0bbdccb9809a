// query_support: a node is supported when its op is in the registry, its schema takes
// its element type, and the schema's checks and inference accept it.
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/program.h"

namespace hetero::cpu::abi {

hetero_status* QuerySupport(hetero_device* handle, const hetero_graph_view* graph,
                            hetero_support_result* result) {
  return Guard("cpu query_support", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "query_support"));
    (void)device;
    HETERO_RETURN_IF_ERROR(CheckViewHeader(graph));
    if (result == nullptr || result->struct_size < sizeof(hetero_support_result)) {
      return InvalidArgument("query_support: result is NULL or its struct_size is too small");
    }
    if (graph->num_nodes > 0 && result->support == nullptr) {
      return InvalidArgument("query_support: result->support is NULL");
    }
    HETERO_ASSIGN_OR_RETURN(auto constants, DecodeConstants(*graph));
    for (uint32_t i = 0; i < graph->num_nodes; ++i) {
      const std::string reason = NodeSupportReason(*graph, i, constants);
      result->support[i] = reason.empty() ? HETERO_SUPPORT_YES : HETERO_SUPPORT_NO;
      if (!reason.empty() && result->set_reason != nullptr) {
        result->set_reason(result->reason_context, i, reason.c_str());
      }
    }
    return OkStatus();
  });
}

}  // namespace hetero::cpu::abi
