// Helpers shared by op schemas' inference: dtype sets, input presence and dtype checks.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "hetero/dtype.h"
#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops {

inline constexpr DType kFloatDTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF8E4M3};
inline constexpr DType kNumericDTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF8E4M3,
                                           DType::kI64, DType::kI32, DType::kI8,   DType::kU8};
// Floats and signed integers.
inline constexpr DType kSignedDTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kF8E4M3,
                                          DType::kI64, DType::kI32, DType::kI8};
inline constexpr DType kBoolDType[] = {DType::kBool};

// "f32, f16, bf16".
std::string DTypeListString(std::span<const DType> dtypes);

// Fails unless inputs 0..names.size()-1 are all present, naming the first missing one.
Status CheckInputsPresent(const InferContext& ctx, std::span<const std::string_view> names);

// Fails unless `type`'s dtype is one of `accepted`:
// "input 'x' is i64[2,3]; accepted: f32, f16, bf16, f8e4m3".
Status CheckDTypeIn(const TensorType& type, std::string_view input_name,
                    std::span<const DType> accepted);

}  // namespace hetero::ops
