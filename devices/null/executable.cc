// The null plugin's compiler: it compiles nothing.
#include "null_plugin.h"

namespace null_plugin {

hetero_status* Compile(hetero_device* /*device*/, const hetero_graph_view* /*graph*/,
                       const hetero_compile_options* /*options*/, hetero_executable** out) {
  if (out != nullptr) *out = nullptr;
  return Unimplemented("compile");
}

// No executable is ever handed out, so there is nothing to destroy.
void ExecutableDestroy(hetero_executable* /*executable*/) {}

}  // namespace null_plugin
