// The cpu plugin's compile options: "key=value;key=value" from hetero_compile_options.
#pragma once

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"

namespace hetero::cpu {

// Whether the options ask for bf16 weights: `precision=f32` (the default) or
// `precision=bf16`; empty items are skipped. NULL options or a NULL string are the
// defaults. Any other item, or a struct_size too small, is INVALID_ARGUMENT naming it.
StatusOr<bool> WantsBf16Weights(const hetero_compile_options* options);

}  // namespace hetero::cpu
