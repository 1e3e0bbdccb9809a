// DType: the element types hetero computes in, and conversions between them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hetero {

enum class DType : uint8_t {
  kF32,
  kF16,
  kBF16,
  kF8E4M3,  // OCP float8 e4m3fn: no infinities, NaN is S.1111.111, max 448
  kI64,
  kI32,
  kI8,
  kU8,
  kBool,
};

inline constexpr DType kAllDTypes[] = {DType::kF32,    DType::kF16, DType::kBF16,
                                       DType::kF8E4M3, DType::kI64, DType::kI32,
                                       DType::kI8,     DType::kU8,  DType::kBool};

// Bytes per element.
size_t DTypeSize(DType dtype);
// "f32", "f16", "bf16", "f8e4m3", "i64", "i32", "i8", "u8", "bool".
std::string_view DTypeName(DType dtype);
std::optional<DType> ParseDType(std::string_view name);
bool IsFloat(DType dtype);    // f32 f16 bf16 f8e4m3
bool IsInteger(DType dtype);  // i64 i32 i8 u8 (not bool)

// Bit-level conversions. Float-to-narrow conversions round to nearest, ties to even.
uint16_t FloatToHalf(float value);
float HalfToFloat(uint16_t bits);
uint16_t FloatToBFloat16(float value);
float BFloat16ToFloat(uint16_t bits);
// saturate=true clamps finite overflow and infinities to +-448 (the ONNX default);
// saturate=false maps them to NaN. NaN stays NaN.
uint8_t FloatToF8E4M3(float value, bool saturate = true);
float F8E4M3ToFloat(uint8_t bits);

// Reads element `index` of a buffer of `dtype` as a double (bool -> 0/1).
double LoadAsDouble(DType dtype, const void* data, int64_t index);
// Writes `value` into element `index`: floats round to nearest even; integers are
// converted as C++ does (truncation toward zero, then wrap); bool is value != 0.
void StoreFromDouble(DType dtype, void* data, int64_t index, double value);
// Integer paths that keep all 64 bits exact.
int64_t LoadAsInt64(DType dtype, const void* data, int64_t index);
void StoreFromInt64(DType dtype, void* data, int64_t index, int64_t value);

}  // namespace hetero
