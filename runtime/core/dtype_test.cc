// DType conversions: exhaustive round trips and round-to-nearest-even at the edges.
#include "hetero/dtype.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace hetero {
namespace {

TEST(DTypeTest, NamesRoundTrip) {
  for (DType d : kAllDTypes) EXPECT_EQ(ParseDType(DTypeName(d)), d);
  EXPECT_FALSE(ParseDType("f64").has_value());
  EXPECT_EQ(DTypeSize(DType::kBF16), 2u);
  EXPECT_EQ(DTypeSize(DType::kI64), 8u);
  EXPECT_TRUE(IsFloat(DType::kF8E4M3));
  EXPECT_FALSE(IsInteger(DType::kBool));
}

TEST(DTypeTest, HalfRoundTripsEveryFiniteValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float f = HalfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(f))));
      continue;
    }
    EXPECT_EQ(FloatToHalf(f), bits) << bits;
  }
}

TEST(DTypeTest, HalfRoundsToNearestEven) {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  // 1 + 3*2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up.
  EXPECT_EQ(FloatToHalf(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);               // rounds to infinity
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: zero
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
}

TEST(DTypeTest, BFloat16RoundsToNearestEven) {
  for (uint32_t bits = 0; bits < 0x10000; bits += 7) {
    const float f = BFloat16ToFloat(static_cast<uint16_t>(bits));
    if (!std::isnan(f)) {
      EXPECT_EQ(FloatToBFloat16(f), bits);
    }
  }
  const float one = 1.0f;
  const uint32_t one_bits = std::bit_cast<uint32_t>(one);
  EXPECT_EQ(FloatToBFloat16(std::bit_cast<float>(one_bits | 0x8000u)), 0x3f80);   // tie, even
  EXPECT_EQ(FloatToBFloat16(std::bit_cast<float>(one_bits | 0x18000u)), 0x3f82);  // tie, odd
  EXPECT_EQ(FloatToBFloat16(std::bit_cast<float>(one_bits | 0x8001u)), 0x3f81);   // above tie
  EXPECT_TRUE(std::isnan(BFloat16ToFloat(FloatToBFloat16(std::nanf("")))));
}

TEST(DTypeTest, F8E4M3RoundTripsAndSaturates) {
  for (uint32_t bits = 0; bits < 0x100; ++bits) {
    const float f = F8E4M3ToFloat(static_cast<uint8_t>(bits));
    if (std::isnan(f)) continue;
    if (bits == 0x80) continue;  // -0 encodes as -0
    EXPECT_EQ(FloatToF8E4M3(f), bits) << bits;
  }
  EXPECT_EQ(F8E4M3ToFloat(0x7e), 448.0f);
  EXPECT_EQ(FloatToF8E4M3(1000.0f), 0x7e);                      // saturates
  EXPECT_EQ(FloatToF8E4M3(1000.0f, /*saturate=*/false), 0x7f);  // NaN
  EXPECT_EQ(FloatToF8E4M3(-std::numeric_limits<float>::infinity()), 0xfe);
  EXPECT_EQ(F8E4M3ToFloat(0x01), std::ldexp(1.0f, -9));  // smallest subnormal
  // 1.0625 is halfway between 1 (0x38) and 1.125 (0x39): ties to even.
  EXPECT_EQ(FloatToF8E4M3(1.0625f), 0x38);
  EXPECT_EQ(FloatToF8E4M3(1.1875f), 0x3a);
  EXPECT_TRUE(std::isnan(F8E4M3ToFloat(0x7f)));
}

TEST(DTypeTest, LoadStoreConvertsPerDType) {
  int8_t i8[2] = {};
  StoreFromDouble(DType::kI8, i8, 0, -3.9);
  EXPECT_EQ(i8[0], -3);  // truncation toward zero
  uint8_t b[1] = {};
  StoreFromDouble(DType::kBool, b, 0, 0.5);
  EXPECT_EQ(b[0], 1);
  int64_t big[1] = {};
  StoreFromInt64(DType::kI64, big, 0, (int64_t{1} << 62) + 1);
  EXPECT_EQ(LoadAsInt64(DType::kI64, big, 0), (int64_t{1} << 62) + 1);  // exact
  int32_t i32[1] = {};
  StoreFromDouble(DType::kI32, i32, 0, std::nan(""));
  EXPECT_EQ(i32[0], 0);
}

}  // namespace
}  // namespace hetero
