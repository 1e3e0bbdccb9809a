// Helpers shared by op schemas' inference.
#include "ops/infer_helpers.h"

#include <algorithm>

namespace hetero::ops {

std::string DTypeListString(std::span<const DType> dtypes) {
  std::string out;
  for (DType d : dtypes) {
    if (!out.empty()) out += ", ";
    out += DTypeName(d);
  }
  return out;
}

Status CheckInputsPresent(const InferContext& ctx, std::span<const std::string_view> names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (!ctx.has_input(i)) {
      return InvalidArgument("input " + std::to_string(i) + " ('" + std::string(names[i]) +
                             "') is missing");
    }
  }
  return OkStatus();
}

Status CheckDTypeIn(const TensorType& type, std::string_view input_name,
                    std::span<const DType> accepted) {
  if (std::find(accepted.begin(), accepted.end(), type.dtype) != accepted.end()) return OkStatus();
  return InvalidArgument("input '" + std::string(input_name) + "' is " + type.ToString() +
                         "; accepted: " + DTypeListString(accepted));
}

}  // namespace hetero::ops
