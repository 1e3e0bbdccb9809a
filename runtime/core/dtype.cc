// DType names, sizes and the bit-exact float conversions.
#include "hetero/dtype.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace hetero {

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 4;
    case DType::kF16: return 2;
    case DType::kBF16: return 2;
    case DType::kF8E4M3: return 1;
    case DType::kI64: return 8;
    case DType::kI32: return 4;
    case DType::kI8: return 1;
    case DType::kU8: return 1;
    case DType::kBool: return 1;
  }
  return 0;
}

std::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "f32";
    case DType::kF16: return "f16";
    case DType::kBF16: return "bf16";
    case DType::kF8E4M3: return "f8e4m3";
    case DType::kI64: return "i64";
    case DType::kI32: return "i32";
    case DType::kI8: return "i8";
    case DType::kU8: return "u8";
    case DType::kBool: return "bool";
  }
  return "?";
}

std::optional<DType> ParseDType(std::string_view name) {
  for (DType d : kAllDTypes) {
    if (DTypeName(d) == name) return d;
  }
  return std::nullopt;
}

bool IsFloat(DType d) {
  return d == DType::kF32 || d == DType::kF16 || d == DType::kBF16 || d == DType::kF8E4M3;
}

bool IsInteger(DType d) {
  return d == DType::kI64 || d == DType::kI32 || d == DType::kI8 || d == DType::kU8;
}

uint16_t FloatToHalf(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  const uint32_t sign = (f >> 16) & 0x8000u;
  const uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or NaN
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to inf
  if (abs < 0x38800000u) {  // result is subnormal or zero: scale by 2^24 and round
    const float scaled = std::bit_cast<float>(abs) * 16777216.0f;  // exact
    // nearbyint rounds half to even under the default rounding mode.
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)));
  }
  const uint32_t mantissa_odd = (abs >> 13) & 1u;
  const uint32_t rounded = abs + 0xfffu + mantissa_odd;
  return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  if (exp == 0) {
    const float v = static_cast<float>(man) * (1.0f / 16777216.0f);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7f800000u | (man << 13));
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (man << 13));
}

uint16_t FloatToBFloat16(float value) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  if ((f & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((f >> 16) | 0x40u);  // NaN
  const uint32_t rounded = f + 0x7fffu + ((f >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

float BFloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

uint8_t FloatToF8E4M3(float value, bool saturate) {
  const uint32_t f = std::bit_cast<uint32_t>(value);
  const uint8_t sign = static_cast<uint8_t>((f >> 24) & 0x80u);
  const float a = std::fabs(value);
  if (std::isnan(value)) return static_cast<uint8_t>(sign | 0x7f);
  if (std::isinf(value))
    return saturate ? static_cast<uint8_t>(sign | 0x7e) : static_cast<uint8_t>(sign | 0x7f);
  // Values are multiples of 2^-9 below 2^-6 (subnormals) and carry 3 mantissa bits above.
  int exp = 0;
  std::frexp(a, &exp);  // a = m * 2^exp, m in [0.5, 1)
  const int unbiased = exp - 1;
  const int quantum_exp = unbiased < -6 ? -9 : unbiased - 3;
  const float quantum = std::ldexp(1.0f, quantum_exp);
  const float q = std::nearbyint(a / quantum) * quantum;  // exact division by a power of 2
  if (q > 448.0f)
    return saturate ? static_cast<uint8_t>(sign | 0x7e) : static_cast<uint8_t>(sign | 0x7f);
  if (q == 0.0f) return sign;
  int qexp = 0;
  const float qm = std::frexp(q, &qexp);
  const int e = qexp - 1;
  if (e < -6) {  // subnormal: q = man * 2^-9
    return static_cast<uint8_t>(sign | static_cast<uint8_t>(std::ldexp(q, 9)));
  }
  const uint32_t man = static_cast<uint32_t>(std::ldexp(qm * 2.0f - 1.0f, 3));
  return static_cast<uint8_t>(sign | ((e + 7) << 3) | man);
}

float F8E4M3ToFloat(uint8_t bits) {
  const bool neg = bits & 0x80u;
  const int exp = (bits >> 3) & 0xf;
  const int man = bits & 0x7;
  float v;
  if (exp == 0xf && man == 0x7) {
    v = std::numeric_limits<float>::quiet_NaN();
  } else if (exp == 0) {
    v = std::ldexp(static_cast<float>(man), -9);
  } else {
    v = std::ldexp(1.0f + static_cast<float>(man) / 8.0f, exp - 7);
  }
  return neg ? -v : v;
}

double LoadAsDouble(DType dtype, const void* data, int64_t i) {
  switch (dtype) {
    case DType::kF32: return static_cast<const float*>(data)[i];
    case DType::kF16: return HalfToFloat(static_cast<const uint16_t*>(data)[i]);
    case DType::kBF16: return BFloat16ToFloat(static_cast<const uint16_t*>(data)[i]);
    case DType::kF8E4M3: return F8E4M3ToFloat(static_cast<const uint8_t*>(data)[i]);
    case DType::kI64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case DType::kI32: return static_cast<const int32_t*>(data)[i];
    case DType::kI8: return static_cast<const int8_t*>(data)[i];
    case DType::kU8: return static_cast<const uint8_t*>(data)[i];
    case DType::kBool: return static_cast<const uint8_t*>(data)[i] != 0 ? 1.0 : 0.0;
  }
  return 0.0;
}

namespace {
// Double to integer without undefined behaviour: NaN -> 0, out of range saturates.
int64_t DoubleToInt64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return INT64_MAX;
  if (v <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(v);
}
}  // namespace

void StoreFromDouble(DType dtype, void* data, int64_t i, double v) {
  switch (dtype) {
    case DType::kF32: static_cast<float*>(data)[i] = static_cast<float>(v); return;
    case DType::kF16: static_cast<uint16_t*>(data)[i] = FloatToHalf(static_cast<float>(v)); return;
    case DType::kBF16:
      static_cast<uint16_t*>(data)[i] = FloatToBFloat16(static_cast<float>(v));
      return;
    case DType::kF8E4M3:
      static_cast<uint8_t*>(data)[i] = FloatToF8E4M3(static_cast<float>(v));
      return;
    case DType::kBool: static_cast<uint8_t*>(data)[i] = v != 0.0 ? 1 : 0; return;
    default: StoreFromInt64(dtype, data, i, DoubleToInt64(v)); return;
  }
}

int64_t LoadAsInt64(DType dtype, const void* data, int64_t i) {
  switch (dtype) {
    case DType::kI64: return static_cast<const int64_t*>(data)[i];
    case DType::kI32: return static_cast<const int32_t*>(data)[i];
    case DType::kI8: return static_cast<const int8_t*>(data)[i];
    case DType::kU8: return static_cast<const uint8_t*>(data)[i];
    case DType::kBool: return static_cast<const uint8_t*>(data)[i] != 0;
    default: return DoubleToInt64(LoadAsDouble(dtype, data, i));
  }
}

void StoreFromInt64(DType dtype, void* data, int64_t i, int64_t v) {
  switch (dtype) {
    case DType::kI64: static_cast<int64_t*>(data)[i] = v; return;
    case DType::kI32: static_cast<int32_t*>(data)[i] = static_cast<int32_t>(v); return;
    case DType::kI8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v); return;
    case DType::kU8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(v); return;
    case DType::kBool: static_cast<uint8_t*>(data)[i] = v != 0 ? 1 : 0; return;
    default: StoreFromDouble(dtype, data, i, static_cast<double>(v)); return;
  }
}

}  // namespace hetero
