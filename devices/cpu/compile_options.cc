// The cpu plugin's compile options string.
#include "devices/cpu/compile_options.h"

#include <algorithm>
#include <string>

namespace hetero::cpu {

StatusOr<bool> WantsBf16Weights(const hetero_compile_options* options) {
  if (options == nullptr) return false;
  if (options->struct_size < sizeof(hetero_compile_options)) {
    return InvalidArgument("compile options: struct_size " + std::to_string(options->struct_size) +
                           " is too small");
  }
  if (options->options == nullptr) return false;
  bool bf16 = false;
  const std::string text = options->options;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    if (item != "precision=bf16" && item != "precision=f32") {
      return InvalidArgument("cpu compile option '" + item + "' is not known (precision=f32|bf16)");
    }
    bf16 = item == "precision=bf16";
  }
  return bf16;
}

}  // namespace hetero::cpu
