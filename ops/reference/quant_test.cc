// Tests of the quantization family: Quantize, Dequantize and MatMulInteger.
#include "ops/reference/quant.h"

#include <gtest/gtest.h>

#include <functional>

#include "ops/reference/testing.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using op_testing::RunOp;

Attributes Attrs(std::initializer_list<std::pair<const char*, AttrValue>> items) {
  Attributes a;
  for (const auto& [k, v] : items) a.Set(k, v);
  return a;
}

std::vector<int64_t> IntsOf(const Tensor& t) { return t.ToInt64Vector(); }

TEST(QuantizeTest, PerTensorRoundsHalfToEvenAndSaturates) {
  const Tensor x = Tensor::FromFloat({8}, {0, 1.5f, 2.5f, -2.5f, 300, -300, 0.4f, -0.6f});
  const Tensor scale = Tensor::FromFloat({}, {1});
  auto out = RunOp("Quantize", {&x, &scale});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kI8);
  EXPECT_EQ(IntsOf((*out)[0]), (std::vector<int64_t>{0, 2, 2, -2, 127, -128, 0, -1}));
  // u8 with zero point 128 and scale 2: x / 2 rounded, plus 128, in [0, 255].
  const Tensor scale2 = Tensor::FromFloat({}, {2});
  const Tensor zp = Tensor::FromInt64({}, {128}, DType::kU8);
  auto u8 = RunOp("Quantize", {&x, &scale2, &zp});
  ASSERT_TRUE(u8.ok()) << u8.status().ToString();
  EXPECT_EQ((*u8)[0].dtype(), DType::kU8);
  // 0.75 -> 1, 1.25 -> 1, -1.25 -> -1, 150 -> 255 sat., -150 -> 0 sat., 0.2 -> 0, -0.3 -> 0
  EXPECT_EQ(IntsOf((*u8)[0]), (std::vector<int64_t>{128, 129, 129, 127, 255, 0, 128, 128}));
  auto to_u8 = RunOp("Quantize", {&x, &scale}, Attrs({{"to", std::string("u8")}}));
  ASSERT_TRUE(to_u8.ok()) << to_u8.status().ToString();
  EXPECT_EQ(IntsOf((*to_u8)[0]), (std::vector<int64_t>{0, 2, 2, 0, 255, 0, 0, 0}));
}

TEST(QuantizeTest, PerAxisUsesOneScalePerChannel) {
  // x [2,3], axis 1: column c uses scale[c] and zero point[c].
  const Tensor x = Tensor::FromFloat({2, 3}, {1, 2, 4, -1, 6, 10});
  const Tensor scale = Tensor::FromFloat({3}, {1, 2, 4});
  const Tensor zp = Tensor::FromInt64({3}, {0, 1, -2}, DType::kI8);
  auto out = RunOp("Quantize", {&x, &scale, &zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // 1/1+0, 2/2+1, 4/4-2, -1/1+0, 6/2+1, 10/4=2.5->2, -2
  EXPECT_EQ(IntsOf((*out)[0]), (std::vector<int64_t>{1, 2, -1, -1, 4, 0}));
  const Tensor row_scale = Tensor::FromFloat({2}, {1, 10});
  auto rows = RunOp("Quantize", {&x, &row_scale}, Attrs({{"axis", int64_t{0}}}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(IntsOf((*rows)[0]), (std::vector<int64_t>{1, 2, 4, 0, 1, 1}));
  EXPECT_FALSE(RunOp("Quantize", {&x, &row_scale}).ok());  // 2 scales for 3 columns
}

TEST(QuantizeTest, Float8SaturatesTo448) {
  const Tensor x = Tensor::FromFloat({4}, {3, 1000, -1000, 0.3f});
  const Tensor scale = Tensor::FromFloat({}, {1});
  auto out = RunOp("Quantize", {&x, &scale}, Attrs({{"to", std::string("f8e4m3")}}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].dtype(), DType::kF8E4M3);
  const uint8_t* q = (*out)[0].data<uint8_t>();
  EXPECT_EQ(F8E4M3ToFloat(q[0]), 3.0f);
  EXPECT_EQ(F8E4M3ToFloat(q[1]), 448.0f);
  EXPECT_EQ(F8E4M3ToFloat(q[2]), -448.0f);
  // 0.3 lies in [0.25, 0.5) where e4m3 steps by 1/32: 9.6 steps round to 10 = 0.3125.
  EXPECT_EQ(F8E4M3ToFloat(q[3]), 0.3125f);
}

TEST(DequantizeTest, PerTensorAndPerAxis) {
  const Tensor x = Tensor::FromInt64({2, 2}, {-128, 0, 5, 127}, DType::kI8);
  const Tensor scale = Tensor::FromFloat({}, {0.5f});
  const Tensor zp = Tensor::FromInt64({}, {1}, DType::kI8);
  auto out = RunOp("Dequantize", {&x, &scale, &zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].type().ToString(), "f32[2,2]");
  const float* o = (*out)[0].data<float>();
  EXPECT_EQ(o[0], -64.5f);
  EXPECT_EQ(o[1], -0.5f);
  EXPECT_EQ(o[2], 2.0f);
  EXPECT_EQ(o[3], 63.0f);
  const Tensor u = Tensor::FromInt64({2, 2}, {0, 255, 10, 20}, DType::kU8);
  const Tensor col_scale = Tensor::FromFloat({2}, {1, 0.25f});
  const Tensor col_zp = Tensor::FromInt64({2}, {10, 20}, DType::kU8);
  auto axis = RunOp("Dequantize", {&u, &col_scale, &col_zp});
  ASSERT_TRUE(axis.ok()) << axis.status().ToString();
  const float* a = (*axis)[0].data<float>();
  EXPECT_EQ(a[0], -10.0f);
  EXPECT_EQ(a[1], 58.75f);  // (255 - 20) / 4
  EXPECT_EQ(a[2], 0.0f);
  EXPECT_EQ(a[3], 0.0f);
  const Tensor i32 = Tensor::FromInt64({2}, {1 << 30, -7}, DType::kI32);
  auto wide = RunOp("Dequantize", {&i32, &scale});
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  EXPECT_EQ((*wide)[0].data<float>()[0], 536870912.0f);
  EXPECT_EQ((*wide)[0].data<float>()[1], -3.5f);
  const Tensor wrong_zp = Tensor::FromInt64({}, {1}, DType::kU8);
  EXPECT_FALSE(RunOp("Dequantize", {&x, &scale, &wrong_zp}).ok());
}

TEST(DequantizeTest, Float8AndHalfScale) {
  const Tensor x = Tensor::FromFloat({2}, {1.5f, -448}, DType::kF8E4M3);
  const Tensor scale = Tensor::FromFloat({}, {2}, DType::kF16);
  auto out = RunOp("Dequantize", {&x, &scale});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kF16);  // the scale's dtype
  EXPECT_EQ((*out)[0].GetDouble(0), 3.0);
  EXPECT_EQ((*out)[0].GetDouble(1), -896.0);
}

// (a - a_zp) x (b - b_zp) by loops, with per-row / per-column zero points as functions.
std::vector<int64_t> NaiveMatMulInteger(const Tensor& a, const Tensor& b, int64_t m, int64_t k,
                                        int64_t n, const std::function<int64_t(int64_t)>& a_zp,
                                        const std::function<int64_t(int64_t)>& b_zp) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      for (int64_t x = 0; x < k; ++x) {
        acc += (a.GetInt64(i * k + x) - a_zp(i)) * (b.GetInt64(x * n + j) - b_zp(j));
      }
      out.push_back(acc);
    }
  }
  return out;
}

TEST(MatMulIntegerTest, OnnxExampleWithZeroPoint) {
  const Tensor a = Tensor::FromInt64({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}, DType::kU8);
  const Tensor b = Tensor::FromInt64({3, 2}, {1, 4, 2, 5, 3, 6}, DType::kU8);
  const Tensor a_zp = Tensor::FromInt64({}, {12}, DType::kU8);
  const Tensor b_zp = Tensor::FromInt64({}, {0}, DType::kU8);
  auto out = RunOp("MatMulInteger", {&a, &b, &a_zp, &b_zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].type().ToString(), "i32[4,2]");
  EXPECT_EQ(IntsOf((*out)[0]), (std::vector<int64_t>{-38, -83, -44, -98, -50, -113, -56, -128}));
}

TEST(MatMulIntegerTest, PerRowAndPerColumnZeroPoints) {
  const Tensor a = Tensor::FromInt64({2, 3}, {-128, 5, 127, 3, -7, 0}, DType::kI8);
  const Tensor b = Tensor::FromInt64({3, 2}, {100, -100, 127, -128, 0, 1}, DType::kI8);
  const Tensor a_zp = Tensor::FromInt64({2}, {1, -2}, DType::kI8);
  const Tensor b_zp = Tensor::FromInt64({2}, {-3, 4}, DType::kI8);
  auto out = RunOp("MatMulInteger", {&a, &b, &a_zp, &b_zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const int64_t az[] = {1, -2}, bz[] = {-3, 4};
  EXPECT_EQ(IntsOf((*out)[0]),
            NaiveMatMulInteger(
                a, b, 2, 3, 2, [&](int64_t i) { return az[i]; }, [&](int64_t j) { return bz[j]; }));
  auto plain = RunOp("MatMulInteger", {&a, &b});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(IntsOf((*plain)[0]),
            NaiveMatMulInteger(
                a, b, 2, 3, 2, [](int64_t) { return 0; }, [](int64_t) { return 0; }));
  const Tensor u8_zp = Tensor::FromInt64({}, {1}, DType::kU8);
  EXPECT_FALSE(RunOp("MatMulInteger", {&a, &b, &u8_zp}).ok());
}

TEST(QuantInferTest, TypesAndErrors) {
  const TensorType x{DType::kF32, Shape{Dim::Symbol("b"), 768}};
  const TensorType scale{DType::kF32, Shape{}};
  const Attributes to_f8 = Attrs({{"to", std::string("f8e4m3")}});
  auto q = op_testing::InferOp("Quantize", {&x, &scale}, to_f8);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ((*q)[0].ToString(), "f8e4m3[b,768]");
  const Attributes to_i64 = Attrs({{"to", std::string("i64")}});
  EXPECT_FALSE(op_testing::InferOp("Quantize", {&x, &scale}, to_i64).ok());
  const TensorType a{DType::kU8, Shape{Dim::Symbol("b"), Dim::Symbol("s"), 768}};
  const TensorType w{DType::kI8, Shape{768, 3072}};
  auto y = op_testing::InferOp("MatMulInteger", {&a, &w});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].ToString(), "i32[b,s,3072]");
  const TensorType bad_w{DType::kI8, Shape{512, 3072}};
  EXPECT_FALSE(op_testing::InferOp("MatMulInteger", {&a, &bad_w}).ok());
}

}  // namespace
}  // namespace hetero::ops
