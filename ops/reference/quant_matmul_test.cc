// Tests of QuantMatMul's reference kernel and its activation quantization.
#include "ops/reference/quant_matmul.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ops/reference/testing.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using op_testing::RunOp;

Tensor I8(std::vector<int64_t> dims, const std::vector<int64_t>& values) {
  return Tensor::FromInt64(std::move(dims), values, DType::kI8);
}

TEST(QuantMatMulTest, DynamicRowQuantizationFollowsDynamicQuantizeLinear) {
  const float x[4] = {-1.0f, 0.5f, 2.0f, 0.0f};
  const reference::RowQuantization p = reference::DynamicRowQuantization(x, 4);
  EXPECT_FLOAT_EQ(p.scale, 3.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 85);  // round(1 / (3 / 255))
  uint8_t q[4];
  reference::QuantizeRowU8(x, 4, p, q);
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[1], 85 + 42);  // 0.5 / (3 / 255) is 42.5 in f32: half to even
  EXPECT_EQ(q[2], 255);
  EXPECT_EQ(q[3], 85);
  // All zeros: scale 1, zero point 0. Positive only: zero point 0.
  const float zeros[2] = {0, 0};
  EXPECT_EQ(reference::DynamicRowQuantization(zeros, 2).scale, 1.0f);
  const float positive[2] = {1, 2};
  EXPECT_EQ(reference::DynamicRowQuantization(positive, 2).zero_point, 0);
  const float bad[2] = {1, NAN};
  EXPECT_TRUE(std::isnan(reference::DynamicRowQuantization(bad, 2).scale));
}

TEST(QuantMatMulTest, StaticQuantizationIsExactOnTheGrid) {
  // a on the grid of scale 0.5 (zero point 128): (q - zp) = 2a exactly; b per column.
  const Tensor a = Tensor::FromFloat({2, 3}, {1, -0.5f, 2, 0, 3, -1});
  const Tensor b = I8({3, 2}, {1, 2, 3, -4, 5, 6});
  const Tensor b_scale = Tensor::FromFloat({2}, {0.5f, 0.25f});
  const Tensor bias = Tensor::FromFloat({2}, {10, 20});
  const Tensor a_scale = Tensor::FromFloat({}, {0.5f});
  const Tensor a_zp = Tensor::FromInt64({}, {128}, DType::kU8);
  auto out = RunOp("QuantMatMul", {&a, &b, &b_scale, &bias, &a_scale, &a_zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Row 0: a.b = [1*1 - 0.5*3 + 2*5, 1*2 + 0.5*4 + 2*6] = [9.5, 16]; times b_scale.
  const float* y = (*out)[0].data<float>();
  EXPECT_FLOAT_EQ(y[0], 9.5f * 0.5f + 10);
  EXPECT_FLOAT_EQ(y[1], 16.0f * 0.25f + 20);
  // Row 1: [0 + 9 - 5, 0 - 12 - 6] = [4, -18].
  EXPECT_FLOAT_EQ(y[2], 4.0f * 0.5f + 10);
  EXPECT_FLOAT_EQ(y[3], -18.0f * 0.25f + 20);
  // An i8 zero point z means the u8 one z + 128: the same result.
  const Tensor a_zp_i8 = Tensor::FromInt64({}, {0}, DType::kI8);
  auto same = RunOp("QuantMatMul", {&a, &b, &b_scale, &bias, &a_scale, &a_zp_i8});
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(same->at(0).data<float>()[i], y[i]);
}

TEST(QuantMatMulTest, StaticQuantizationSaturates) {
  const Tensor a = Tensor::FromFloat({1, 2}, {1000, -1000});
  const Tensor b = I8({2, 1}, {1, 1});
  const Tensor one = Tensor::FromFloat({}, {1});
  const Tensor zp = Tensor::FromInt64({}, {0}, DType::kI8);  // i8 range [-128, 127]
  auto out = RunOp("QuantMatMul", {&a, &b, &one, nullptr, &one, &zp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 127.0f - 128.0f);
}

TEST(QuantMatMulTest, DynamicIsCloseToFloatAndAppliesActivation) {
  const Tensor a = Tensor::FromFloat({1, 4}, {0.3f, -1.2f, 0.7f, 2.0f});
  const Tensor b = I8({4, 2}, {10, -20, 30, 40, -50, 60, 70, -80});  // transposed below
  const Tensor bt = I8({2, 4}, {10, 30, -50, 70, -20, 40, 60, -80});
  const Tensor scale = Tensor::FromFloat({2}, {0.01f, 0.02f});
  Attributes relu;
  relu.Set("activation", std::string("relu"));
  auto out = RunOp("QuantMatMul", {&a, &b, &scale}, relu);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const double exact0 = 0.01 * (0.3 * 10 - 1.2 * 30 + 0.7 * -50 + 2.0 * 70);   // 0.72
  const double exact1 = 0.02 * (0.3 * -20 - 1.2 * 40 + 0.7 * 60 + 2.0 * -80);  // < 0
  EXPECT_NEAR((*out)[0].data<float>()[0], exact0, 0.01);
  EXPECT_EQ((*out)[0].data<float>()[1], 0.0f);
  EXPECT_LT(exact1, 0);
  Attributes transposed = relu;
  transposed.Set("transpose_b", int64_t{1});
  auto t = RunOp("QuantMatMul", {&a, &bt, &scale}, transposed);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)[0].data<float>()[0], (*out)[0].data<float>()[0]);
}

TEST(QuantMatMulTest, BadOperandsAreClearErrors) {
  const Tensor a = Tensor::FromFloat({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = I8({3, 2}, {1, 2, 3, 4, 5, 6});
  const Tensor b_wrong_k = I8({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor b_f32 = Tensor::FromFloat({3, 2}, {1, 2, 3, 4, 5, 6});
  const Tensor scale = Tensor::FromFloat({2}, {1, 1});
  const Tensor scale3 = Tensor::FromFloat({3}, {1, 1, 1});
  const Tensor zp = Tensor::FromInt64({}, {1}, DType::kU8);
  auto expect_error = [](const StatusOr<std::vector<Tensor>>& r, const std::string& text) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().message();
  };
  expect_error(RunOp("QuantMatMul", {&a, &b_wrong_k, &scale}), "inner dims");
  expect_error(RunOp("QuantMatMul", {&a, &b_f32, &scale}), "expected i8 of rank 2");
  expect_error(RunOp("QuantMatMul", {&a, &b, &scale3}), "b_scale");
  expect_error(RunOp("QuantMatMul", {&a, &b, &scale, nullptr, nullptr, &zp}), "a_zero_point");
  Attributes bad;
  bad.Set("activation", std::string("tanh"));
  expect_error(RunOp("QuantMatMul", {&a, &b, &scale}, bad), "unknown activation");
}

}  // namespace
}  // namespace hetero::ops
