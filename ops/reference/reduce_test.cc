// Tests of the reduce family: axes, keepdims, dtypes, empty sets and stable softmax.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ops/reference/testing.h"

namespace hetero::ops {
namespace {

using op_testing::InferOp;
using op_testing::RunOp1;
using op_testing::Sym;
using op_testing::Values;

Attributes ReduceAttrs(std::vector<int64_t> axes, int64_t keepdims) {
  Attributes attrs;
  attrs.Set("axes", std::move(axes));
  attrs.Set("keepdims", keepdims);
  return attrs;
}

Attributes AxisAttr(int64_t axis) {
  Attributes attrs;
  attrs.Set("axis", axis);
  return attrs;
}

// x[i][j][k] = i*100 + j*10 + k for a [2,3,4] tensor.
Tensor Digits(DType dtype = DType::kF32) {
  std::vector<int64_t> v;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) v.push_back(i * 100 + j * 10 + k);
    }
  }
  return Tensor::FromInt64({2, 3, 4}, v, dtype);
}

TEST(ReduceInfer, KeepdimsNegativeAxesAndSymbols) {
  const TensorType x{DType::kF32, Shape({Sym("batch"), Sym("seq"), 768})};
  auto keep = InferOp("ReduceMean", {&x}, ReduceAttrs({-1}, 1));
  ASSERT_TRUE(keep.ok()) << keep.status().ToString();
  EXPECT_EQ((*keep)[0].shape, Shape({Sym("batch"), Sym("seq"), 1}));
  auto drop = InferOp("ReduceSum", {&x}, ReduceAttrs({0, -1}, 0));
  ASSERT_TRUE(drop.ok());
  EXPECT_EQ((*drop)[0].shape, Shape({Sym("seq")}));
  auto all = InferOp("ReduceMax", {&x}, ReduceAttrs({}, 0));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].shape, Shape());
  Attributes defaults;
  auto all_kept = InferOp("ReduceMax", {&x}, defaults);
  ASSERT_TRUE(all_kept.ok());
  EXPECT_EQ((*all_kept)[0].shape, Shape({1, 1, 1}));
}

TEST(ReduceInfer, RejectsBadAxesAndDTypes) {
  const TensorType x{DType::kF32, Shape({2, 3})};
  auto out_of_range = InferOp("ReduceSum", {&x}, ReduceAttrs({2}, 1));
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("axis 2"), std::string::npos);
  EXPECT_FALSE(InferOp("ReduceSum", {&x}, ReduceAttrs({-3}, 1)).ok());
  auto twice = InferOp("ReduceSum", {&x}, ReduceAttrs({1, -1}, 1));
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("twice"), std::string::npos);
  const TensorType b{DType::kBool, Shape({2})};
  EXPECT_FALSE(InferOp("ReduceSum", {&b}).ok());
  EXPECT_TRUE(InferOp("ReduceMax", {&b}).ok());
  const TensorType i{DType::kI64, Shape({2})};
  EXPECT_FALSE(InferOp("Softmax", {&i}).ok());
  EXPECT_FALSE(InferOp("Softmax", {&x}, AxisAttr(2)).ok());
}

TEST(ReduceKernel, SumOverEachAxisMatchesLoops) {
  const Tensor x = Digits();
  auto s1 = RunOp1("ReduceSum", {&x}, ReduceAttrs({1}, 1));
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  ASSERT_EQ(s1->dims(), (std::vector<int64_t>{2, 1, 4}));
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 4; ++k) {
      EXPECT_EQ(s1->GetDouble(i * 4 + k), 3 * (i * 100 + k) + 30);  // j = 0, 1, 2
    }
  }
  auto s02 = RunOp1("ReduceSum", {&x}, ReduceAttrs({0, -1}, 0));
  ASSERT_TRUE(s02.ok());
  ASSERT_EQ(s02->dims(), (std::vector<int64_t>{3}));
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(s02->GetDouble(j), 4 * 100 + 8 * 10 * j + 2 * 6);  // sum over i and k
  }
  auto all = RunOp1("ReduceSum", {&x}, ReduceAttrs({}, 0));
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->dims().empty());
  EXPECT_EQ(all->GetDouble(0), 12 * 100 + 8 * 30 + 6 * 6);
}

TEST(ReduceKernel, MeanFloatAndIntegerTruncation) {
  const Tensor x = Digits();
  auto mean = RunOp1("ReduceMean", {&x}, ReduceAttrs({2}, 0));
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(mean->GetDouble(0), 1.5);
  EXPECT_EQ(mean->GetDouble(5), 121.5);
  const Tensor i = Tensor::FromInt64({2, 2}, {-7, 0, 7, 0}, DType::kI32);
  auto imean = RunOp1("ReduceMean", {&i}, ReduceAttrs({1}, 0));
  ASSERT_TRUE(imean.ok());
  EXPECT_EQ(imean->dtype(), DType::kI32);
  EXPECT_EQ(imean->ToInt64Vector(), (std::vector<int64_t>{-3, 3}));
}

TEST(ReduceKernel, IntegerSumIsExact) {
  const int64_t big = int64_t{1} << 55;
  const Tensor x = Tensor::FromInt64({3}, {big, 1, 1});
  EXPECT_EQ(RunOp1("ReduceSum", {&x})->ToInt64Vector(), (std::vector<int64_t>{big + 2}));
  const Tensor u = Tensor::FromInt64({2}, {200, 100}, DType::kU8);
  EXPECT_EQ(RunOp1("ReduceSum", {&u})->ToInt64Vector(), (std::vector<int64_t>{44}));
}

TEST(ReduceKernel, MaxOnEveryDType) {
  for (DType dtype :
       {DType::kF32, DType::kF16, DType::kBF16, DType::kI64, DType::kI32, DType::kI8}) {
    const Tensor x = Tensor::FromInt64({2, 3}, {-5, 7, -2, -9, -4, -6}, dtype);
    auto out = RunOp1("ReduceMax", {&x}, ReduceAttrs({1}, 0));
    ASSERT_TRUE(out.ok()) << DTypeName(dtype);
    EXPECT_EQ(out->ToInt64Vector(), (std::vector<int64_t>{7, -4})) << DTypeName(dtype);
  }
  const Tensor u = Tensor::FromInt64({3}, {3, 250, 9}, DType::kU8);
  EXPECT_EQ(RunOp1("ReduceMax", {&u})->ToInt64Vector(), (std::vector<int64_t>{250}));
  const Tensor b = Tensor::FromInt64({2, 2}, {0, 1, 0, 0}, DType::kBool);
  EXPECT_EQ(RunOp1("ReduceMax", {&b}, ReduceAttrs({1}, 0))->ToInt64Vector(),
            (std::vector<int64_t>{1, 0}));
  const Tensor nan = Tensor::FromFloat({3}, {1, NAN, 2});
  EXPECT_TRUE(std::isnan(RunOp1("ReduceMax", {&nan})->GetDouble(0)));
}

TEST(ReduceKernel, EmptySets) {
  const Tensor f = Tensor::Allocate(DType::kF32, {2, 0}).value();
  auto sum = RunOp1("ReduceSum", {&f}, ReduceAttrs({1}, 0));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(Values(*sum), (std::vector<double>{0, 0}));
  auto max = RunOp1("ReduceMax", {&f}, ReduceAttrs({1}, 0));
  EXPECT_EQ(max->GetDouble(0), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(RunOp1("ReduceMean", {&f}, ReduceAttrs({1}, 0))->GetDouble(0)));
  const Tensor i = Tensor::Allocate(DType::kI8, {2, 0}).value();
  EXPECT_EQ(RunOp1("ReduceMax", {&i}, ReduceAttrs({1}, 0))->ToInt64Vector(),
            (std::vector<int64_t>{-128, -128}));
  EXPECT_FALSE(RunOp1("ReduceMean", {&i}, ReduceAttrs({1}, 0)).ok());
}

TEST(ReduceKernel, BF16SumRoundsOnceToNearestEven) {
  // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: the sum rounds to 1.
  // 1 + 3 * 2^-8 lies between 1 + 2^-7 and 1 + 2^-6: it rounds up to the even one.
  const Tensor x = Tensor::FromFloat({2, 2}, {1, std::ldexp(1.0f, -8), 1, 3 * std::ldexp(1.0f, -8)},
                                     DType::kBF16);
  auto sum = RunOp1("ReduceSum", {&x}, ReduceAttrs({1}, 0));
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(Values(*sum), (std::vector<double>{1.0, 1.0 + std::ldexp(1.0, -6)}));
}

TEST(SoftmaxKernel, MatchesFormulaOnEachAxis) {
  const Tensor x = Tensor::FromFloat({2, 3}, {1, 2, 3, -1, 0, 4});
  auto last = RunOp1("Softmax", {&x});
  ASSERT_TRUE(last.ok());
  for (int r = 0; r < 2; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) sum += std::exp(x.GetDouble(r * 3 + c));
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(last->GetDouble(r * 3 + c), std::exp(x.GetDouble(r * 3 + c)) / sum, 1e-7);
    }
  }
  auto first = RunOp1("Softmax", {&x}, AxisAttr(0));
  ASSERT_TRUE(first.ok());
  for (int c = 0; c < 3; ++c) {
    const double sum = std::exp(x.GetDouble(c)) + std::exp(x.GetDouble(3 + c));
    EXPECT_NEAR(first->GetDouble(c), std::exp(x.GetDouble(c)) / sum, 1e-7);
    EXPECT_NEAR(first->GetDouble(3 + c), std::exp(x.GetDouble(3 + c)) / sum, 1e-7);
  }
  auto log = RunOp1("LogSoftmax", {&x}, AxisAttr(0));
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(log->GetDouble(i), std::log(first->GetDouble(i)), 1e-6);
}

TEST(SoftmaxKernel, LargeValuesDoNotOverflow) {
  const Tensor big = Tensor::FromFloat({3}, {1000, 1001, 1002});
  const Tensor small = Tensor::FromFloat({3}, {0, 1, 2});
  auto a = RunOp1("Softmax", {&big});
  auto b = RunOp1("Softmax", {&small});
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(std::isnan(a->GetDouble(i)));
    EXPECT_NEAR(a->GetDouble(i), b->GetDouble(i), 1e-7);
  }
  auto log = RunOp1("LogSoftmax", {&big});
  ASSERT_TRUE(log.ok());
  // log softmax of [0, 1, 2] at 2 is -log(1 + e^-1 + e^-2).
  EXPECT_NEAR(log->GetDouble(2), -std::log(1 + std::exp(-1.0) + std::exp(-2.0)), 1e-6);
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor masked = Tensor::FromFloat({3}, {-inf, 0, -inf});
  EXPECT_EQ(Values(*RunOp1("Softmax", {&masked})), (std::vector<double>{0, 1, 0}));
}

TEST(SoftmaxKernel, F16StaysWithinRounding) {
  const Tensor x = Tensor::FromFloat({4}, {0.5f, -2, 3, 1}, DType::kF16);
  auto y = RunOp1("Softmax", {&x});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->dtype(), DType::kF16);
  double sum = 0;
  for (int i = 0; i < 4; ++i) sum += std::exp(x.GetDouble(i));
  for (int i = 0; i < 4; ++i) {
    const double want = std::exp(x.GetDouble(i)) / sum;
    EXPECT_NEAR(y->GetDouble(i), want, want * std::ldexp(1.0, -11));  // half an f16 ulp
  }
}

TEST(ReduceCost, CountsInputElements) {
  const TensorType x{DType::kF32, Shape({4, 8})};
  const TensorType y{DType::kF32, Shape({4, 1})};
  const TensorType* ins[] = {&x};
  const TensorType outs[] = {y};
  const Attributes attrs = ReduceAttrs({1}, 1);
  CostContext ctx{ins, outs, attrs};
  OpCost sum = FindOp("ReduceSum")->cost(ctx);
  EXPECT_EQ(sum.flops, 32);
  EXPECT_EQ(sum.bytes, (32 + 4) * 4);
}

}  // namespace
}  // namespace hetero::ops
