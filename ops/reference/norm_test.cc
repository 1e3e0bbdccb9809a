// Tests of the norm family against a straightforward double computation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "ops/reference/testing.h"

namespace hetero::ops {
namespace {

using op_testing::InferOp;
using op_testing::RunOp;
using op_testing::RunOp1;
using op_testing::Sym;

std::vector<float> RandomValues(size_t n, uint32_t seed, float lo = -3, float hi = 3) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

Attributes NormAttrs(int64_t axis, double epsilon) {
  Attributes attrs;
  attrs.Set("axis", axis);
  attrs.Set("epsilon", epsilon);
  return attrs;
}

struct Expected {
  std::vector<double> y, mean, inv_std;
};

// Rows of `inner` elements; scale and bias index the position within a row modulo their
// own size (a trailing-dims broadcast).
Expected ReferenceNorm(const Tensor& x, const Tensor& scale, const Tensor* bias, int64_t inner,
                       double eps, bool rms) {
  Expected e;
  const int64_t rows = x.num_elements() / inner;
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < inner; ++j) mean += x.GetDouble(r * inner + j) / inner;
    if (rms) mean = 0;
    for (int64_t j = 0; j < inner; ++j) {
      const double d = x.GetDouble(r * inner + j) - mean;
      var += d * d / inner;
    }
    const double inv = 1 / std::sqrt(var + eps);
    for (int64_t j = 0; j < inner; ++j) {
      double y = (x.GetDouble(r * inner + j) - mean) * inv;
      y *= scale.GetDouble(j % scale.num_elements());
      if (bias) y += bias->GetDouble(j % bias->num_elements());
      e.y.push_back(y);
    }
    e.mean.push_back(mean);
    e.inv_std.push_back(inv);
  }
  return e;
}

void ExpectNear(const Tensor& t, const std::vector<double>& want, double tol) {
  ASSERT_EQ(t.num_elements(), static_cast<int64_t>(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(t.GetDouble(static_cast<int64_t>(i)), want[i], tol * (1 + std::fabs(want[i])))
        << "element " << i;
  }
}

TEST(LayerNormKernel, LastAxisWithBiasAndStatistics) {
  const Tensor x = Tensor::FromFloat({2, 3, 8}, RandomValues(48, 1));
  const Tensor scale = Tensor::FromFloat({8}, RandomValues(8, 2));
  const Tensor bias = Tensor::FromFloat({8}, RandomValues(8, 3));
  auto outs = RunOp("LayerNorm", {&x, &scale, &bias}, NormAttrs(-1, 1e-5), 3);
  ASSERT_TRUE(outs.ok()) << outs.status().ToString();
  const Expected e = ReferenceNorm(x, scale, &bias, 8, 1e-5, false);
  ExpectNear((*outs)[0], e.y, 1e-5);
  ASSERT_EQ((*outs)[1].dims(), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ((*outs)[1].dtype(), DType::kF32);
  ExpectNear((*outs)[1], e.mean, 1e-6);
  ExpectNear((*outs)[2], e.inv_std, 1e-6);
}

TEST(LayerNormKernel, SeveralDimsBroadcastScaleNoBias) {
  const Tensor x = Tensor::FromFloat({2, 3, 4}, RandomValues(24, 4));
  const Tensor scale = Tensor::FromFloat({4}, RandomValues(4, 5));  // over [3, 4]
  auto y = RunOp1("LayerNorm", {&x, &scale}, NormAttrs(1, 1e-3));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear(*y, ReferenceNorm(x, scale, nullptr, 12, 1e-3, false).y, 1e-5);
  // A constant row has zero variance: the output is the bias.
  const Tensor flat = Tensor::FromFloat({1, 4}, {2, 2, 2, 2});
  const Tensor ones = Tensor::FromFloat({4}, {1, 1, 1, 1});
  const Tensor bias = Tensor::FromFloat({4}, {1, 2, 3, 4});
  EXPECT_EQ(op_testing::Values(*RunOp1("LayerNorm", {&flat, &ones, &bias})),
            (std::vector<double>{1, 2, 3, 4}));
}

TEST(LayerNormKernel, BF16WithinRounding) {
  const Tensor x = Tensor::FromFloat({4, 16}, RandomValues(64, 6), DType::kBF16);
  const Tensor scale = Tensor::FromFloat({16}, RandomValues(16, 7), DType::kBF16);
  auto y = RunOp1("LayerNorm", {&x, &scale});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->dtype(), DType::kBF16);
  ExpectNear(*y, ReferenceNorm(x, scale, nullptr, 16, 1e-5, false).y, 1.0 / 256);
}

TEST(LayerNormInfer, SymbolicShapesAndErrors) {
  const TensorType x{DType::kF32, Shape({Sym("batch"), Sym("seq"), 768})};
  const TensorType scale{DType::kF32, Shape({768})};
  auto out = InferOp("LayerNorm", {&x, &scale, &scale}, {}, 3);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0], x);
  EXPECT_EQ((*out)[1], (TensorType{DType::kF32, Shape({Sym("batch"), Sym("seq"), 1})}));
  EXPECT_EQ(InferOp("LayerNorm", {&x, &scale, nullptr})->size(), 1u);

  const TensorType wrong{DType::kF32, Shape({512})};
  auto bad = InferOp("LayerNorm", {&x, &wrong});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("[512]"), std::string::npos);
  const TensorType half{DType::kF16, Shape({768})};
  EXPECT_FALSE(InferOp("LayerNorm", {&x, &half}).ok());
  EXPECT_FALSE(InferOp("LayerNorm", {&x, &scale, &half}).ok());
  const TensorType ints{DType::kI64, Shape({768})};
  EXPECT_FALSE(InferOp("LayerNorm", {&ints, &ints}).ok());
  // Scale may not reach into the outer dims.
  const TensorType big_scale{DType::kF32, Shape({Sym("seq"), 768})};
  EXPECT_FALSE(InferOp("LayerNorm", {&x, &big_scale}).ok());
  Attributes axis1;
  axis1.Set("axis", int64_t{1});
  EXPECT_TRUE(InferOp("LayerNorm", {&x, &big_scale}, axis1).ok());
}

TEST(RMSNormKernel, MatchesDoubleComputation) {
  const Tensor x = Tensor::FromFloat({3, 10}, RandomValues(30, 8));
  const Tensor scale = Tensor::FromFloat({10}, RandomValues(10, 9));
  auto y = RunOp1("RMSNorm", {&x, &scale}, NormAttrs(-1, 1e-6));
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ExpectNear(*y, ReferenceNorm(x, scale, nullptr, 10, 1e-6, true).y, 1e-5);
  // Over both dims, default epsilon 1e-5.
  Attributes axis0;
  axis0.Set("axis", int64_t{0});
  auto all = RunOp1("RMSNorm", {&x, &scale}, axis0);
  ASSERT_TRUE(all.ok());
  ExpectNear(*all, ReferenceNorm(x, scale, nullptr, 30, 1e-5, true).y, 1e-5);
}

TEST(RMSNormKernel, ScaleDTypeGivesOutputDType) {
  const Tensor x = Tensor::FromFloat({2, 4}, {1, 2, 3, 4, -1, 0, 1, 0});
  const Tensor scale = Tensor::FromFloat({4}, {1, 1, 2, 2}, DType::kF16);
  auto y = RunOp1("RMSNorm", {&x, &scale});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->dtype(), DType::kF16);
  // Row 0: mean square 7.5; row 1: 0.5.
  const double r0 = 1 / std::sqrt(7.5 + 1e-5);
  const double r1 = 1 / std::sqrt(0.5 + 1e-5);
  ExpectNear(*y, {r0, 2 * r0, 6 * r0, 8 * r0, -r1, 0, 2 * r1, 0}, 1.0 / 1024);
}

TEST(NormCost, CountsFlopsAndBytes) {
  const TensorType x{DType::kF32, Shape({4, 8})};
  const TensorType s{DType::kF32, Shape({8})};
  const TensorType* ins[] = {&x, &s};
  const TensorType outs[] = {x};
  const Attributes attrs;
  CostContext ctx{ins, outs, attrs};
  const OpCost rms = FindOp("RMSNorm")->cost(ctx);
  EXPECT_EQ(rms.flops, 4 * 32);
  EXPECT_EQ(rms.bytes, (32 + 8 + 32) * 4);
  const OpCost layer = FindOp("LayerNorm")->cost(ctx);
  EXPECT_EQ(layer.flops, 7 * 32 + 4 * 4);  // 4 rows of 8
}

}  // namespace
}  // namespace hetero::ops
