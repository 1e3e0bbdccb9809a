// Status across the ABI: statuses that carry their own message and destroy function.
#include "devices/cpu/abi_status.h"

namespace hetero::cpu {
namespace {

struct OwnedStatus : hetero_status {
  std::string text;
};

void DestroyOwnedStatus(hetero_status* status) { delete static_cast<OwnedStatus*>(status); }

}  // namespace

hetero_status* MakeAbiStatus(int32_t code, const std::string& message) {
  try {
    auto* s = new OwnedStatus();
    s->struct_size = sizeof(hetero_status);
    s->code = code == HETERO_OK ? HETERO_INTERNAL : code;
    s->text = message;
    s->message = s->text.c_str();
    s->destroy = &DestroyOwnedStatus;
    return s;
  } catch (...) {
    // Out of memory while reporting an error: a static status that ignores destroy.
    static hetero_status oom{sizeof(hetero_status), HETERO_RESOURCE_EXHAUSTED,
                             "cpu plugin: out of memory", [](hetero_status*) {}};
    return &oom;
  }
}

hetero_status* ToAbiStatus(const Status& status) {
  if (status.ok()) return nullptr;
  return MakeAbiStatus(static_cast<int32_t>(status.code()), status.message());
}

}  // namespace hetero::cpu
