// Tests of the elementwise family's binary ops, Where, inference and cost; the one-input
// ops and Cast are in elementwise_unary_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/cost.h"
#include "ops/reference/testing.h"

namespace hetero::ops {
namespace {

using op_testing::InferOp;
using op_testing::RunOp1;
using op_testing::Sym;
using op_testing::Values;

TensorType Type(DType dtype, Shape shape) { return TensorType{dtype, std::move(shape)}; }

TEST(ElementwiseInfer, BroadcastsSymbolicShapes) {
  const TensorType x = Type(DType::kF32, Shape({Sym("batch"), Sym("seq"), 768}));
  const TensorType bias = Type(DType::kF32, Shape({768}));
  auto out = InferOp("Add", {&x, &bias});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0], x);

  const TensorType col = Type(DType::kF32, Shape({Sym("batch"), 1}));
  const TensorType row = Type(DType::kF32, Shape({1, Sym("seq")}));
  out = InferOp("Mul", {&col, &row});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape, Shape({Sym("batch"), Sym("seq")}));

  out = InferOp("Less", {&col, &row});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].dtype, DType::kBool);
}

TEST(ElementwiseInfer, RejectsIncompatibleShapes) {
  const TensorType a = Type(DType::kF32, Shape({2, 3}));
  const TensorType b = Type(DType::kF32, Shape({4}));
  auto out = InferOp("Sub", {&a, &b});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("broadcast"), std::string::npos);
}

TEST(ElementwiseInfer, MixedDTypesNameBothTypes) {
  const TensorType a = Type(DType::kF32, Shape({2}));
  const TensorType b = Type(DType::kI64, Shape({2}));
  auto out = InferOp("Add", {&a, &b});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("f32"), std::string::npos);
  EXPECT_NE(out.status().message().find("i64"), std::string::npos);
}

TEST(ElementwiseInfer, RejectsUnsupportedDTypes) {
  const TensorType b = Type(DType::kBool, Shape({2}));
  const TensorType f = Type(DType::kF32, Shape({2}));
  EXPECT_FALSE(InferOp("Add", {&b, &b}).ok());
  EXPECT_FALSE(InferOp("Less", {&b, &b}).ok());
  EXPECT_TRUE(InferOp("Equal", {&b, &b}).ok());
  EXPECT_FALSE(InferOp("And", {&f, &f}).ok());
  const TensorType cond_f32 = f;
  EXPECT_FALSE(InferOp("Where", {&cond_f32, &f, &f}).ok());
  EXPECT_FALSE(InferOp("Add", {&f}).ok());  // arity
}

TEST(ElementwiseKernel, AddSubMulDivF32) {
  const Tensor a = Tensor::FromFloat({2, 2}, {1.5f, -2.0f, 3.0f, 10.0f});
  const Tensor b = Tensor::FromFloat({2, 2}, {0.5f, 4.0f, -3.0f, 4.0f});
  EXPECT_EQ(Values(*RunOp1("Add", {&a, &b})), (std::vector<double>{2.0, 2.0, 0.0, 14.0}));
  EXPECT_EQ(Values(*RunOp1("Sub", {&a, &b})), (std::vector<double>{1.0, -6.0, 6.0, 6.0}));
  EXPECT_EQ(Values(*RunOp1("Mul", {&a, &b})), (std::vector<double>{0.75, -8.0, -9.0, 40.0}));
  EXPECT_EQ(Values(*RunOp1("Div", {&a, &b})), (std::vector<double>{3.0, -0.5, -1.0, 2.5}));
}

// Every broadcast pattern, f32 (fast path) and f16 (generic path), against plain loops.
TEST(ElementwiseKernel, BroadcastMatchesLoops) {
  std::vector<float> av(4 * 5 * 6), bv(5);
  for (size_t i = 0; i < av.size(); ++i) av[i] = static_cast<float>(i % 17) - 8.0f;
  for (size_t i = 0; i < bv.size(); ++i) bv[i] = static_cast<float>(i) + 1.0f;
  for (DType dtype : {DType::kF32, DType::kF16}) {
    const Tensor a = Tensor::FromFloat({4, 5, 6}, av, dtype);
    const Tensor b = Tensor::FromFloat({5, 1}, bv, dtype);
    auto out = RunOp1("Add", {&b, &a});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ(out->dims(), (std::vector<int64_t>{4, 5, 6}));
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 5; ++j) {
        for (int k = 0; k < 6; ++k) {
          const int idx = (i * 5 + j) * 6 + k;
          EXPECT_EQ(out->GetDouble(idx), av[idx] + bv[j]) << idx;
        }
      }
    }
  }
  const Tensor col = Tensor::FromFloat({3, 1}, {1, 2, 3});
  const Tensor row = Tensor::FromFloat({1, 2}, {10, 20});
  EXPECT_EQ(Values(*RunOp1("Mul", {&col, &row})), (std::vector<double>{10, 20, 20, 40, 30, 60}));
  const Tensor scalar = Tensor::FromFloat({}, {2});
  EXPECT_EQ(Values(*RunOp1("Sub", {&scalar, &col})), (std::vector<double>{1, 0, -1}));
}

TEST(ElementwiseKernel, IntegerDivTruncatesTowardZero) {
  const Tensor a = Tensor::FromInt64({4}, {7, -7, 7, -7}, DType::kI32);
  const Tensor b = Tensor::FromInt64({4}, {2, 2, -2, -2}, DType::kI32);
  auto out = RunOp1("Div", {&a, &b});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->dtype(), DType::kI32);
  EXPECT_EQ(out->ToInt64Vector(), (std::vector<int64_t>{3, -3, -3, 3}));
  // The one quotient that overflows wraps, as two's complement does.
  const Tensor m = Tensor::FromInt64({1}, {-128}, DType::kI8);
  const Tensor n = Tensor::FromInt64({1}, {-1}, DType::kI8);
  EXPECT_EQ(RunOp1("Div", {&m, &n})->ToInt64Vector(), (std::vector<int64_t>{-128}));
}

TEST(ElementwiseKernel, IntegerDivisionByZeroIsAnError) {
  for (DType dtype : {DType::kI64, DType::kI32, DType::kI8, DType::kU8}) {
    const Tensor a = Tensor::FromInt64({3}, {1, 2, 3}, dtype);
    const Tensor b = Tensor::FromInt64({3}, {1, 0, 3}, dtype);
    auto out = RunOp1("Div", {&a, &b});
    ASSERT_FALSE(out.ok()) << DTypeName(dtype);
    EXPECT_NE(out.status().message().find("division by zero"), std::string::npos);
  }
  // Float division by zero is IEEE: inf.
  const Tensor a = Tensor::FromFloat({1}, {1});
  const Tensor z = Tensor::FromFloat({1}, {0});
  EXPECT_TRUE(std::isinf(RunOp1("Div", {&a, &z})->GetDouble(0)));
}

TEST(ElementwiseKernel, IntegersStayExactAndWrap) {
  const int64_t big = (int64_t{1} << 53) + 1;  // not representable in double
  const Tensor a = Tensor::FromInt64({1}, {big});
  const Tensor one = Tensor::FromInt64({1}, {1});
  EXPECT_EQ(RunOp1("Add", {&a, &one})->ToInt64Vector(), (std::vector<int64_t>{big + 1}));
  EXPECT_EQ(RunOp1("Mul", {&a, &one})->ToInt64Vector(), (std::vector<int64_t>{big}));
  const Tensor u = Tensor::FromInt64({2}, {200, 5}, DType::kU8);
  const Tensor v = Tensor::FromInt64({2}, {100, 10}, DType::kU8);
  EXPECT_EQ(RunOp1("Add", {&u, &v})->ToInt64Vector(), (std::vector<int64_t>{44, 15}));
  EXPECT_EQ(RunOp1("Sub", {&u, &v})->ToInt64Vector(), (std::vector<int64_t>{100, 251}));
  const Tensor max = Tensor::FromInt64({1}, {std::numeric_limits<int64_t>::max()});
  EXPECT_EQ(RunOp1("Add", {&max, &one})->ToInt64Vector(),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min()}));
}

TEST(ElementwiseKernel, PowFloatAndMixedTypes) {
  const Tensor x = Tensor::FromFloat({3}, {1, 2, 3});
  const Tensor y = Tensor::FromFloat({3}, {4, 5, 6});
  EXPECT_EQ(Values(*RunOp1("Pow", {&x, &y})), (std::vector<double>{1, 32, 729}));
  const Tensor yi = Tensor::FromInt64({3}, {4, 5, 6});
  EXPECT_EQ(Values(*RunOp1("Pow", {&x, &yi})), (std::vector<double>{1, 32, 729}));
  const Tensor xi = Tensor::FromInt64({3}, {1, 2, 3});
  auto out = RunOp1("Pow", {&xi, &y});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->dtype(), DType::kI64);
  EXPECT_EQ(out->ToInt64Vector(), (std::vector<int64_t>{1, 32, 729}));
  const Tensor half = Tensor::FromFloat({1}, {0.5f});
  const Tensor four = Tensor::FromFloat({1}, {4});
  EXPECT_EQ(Values(*RunOp1("Pow", {&four, &half})), (std::vector<double>{2}));
}

TEST(ElementwiseKernel, PowIntegerIsExact) {
  // 3^39 = 4052555153018976267 needs all 63 bits; double pow would round it.
  const Tensor base = Tensor::FromInt64({4}, {3, -2, 2, -1});
  const Tensor exp = Tensor::FromInt64({4}, {39, 3, -1, -3});
  auto out = RunOp1("Pow", {&base, &exp});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  int64_t p = 1;
  for (int i = 0; i < 39; ++i) p *= 3;
  EXPECT_EQ(out->ToInt64Vector(), (std::vector<int64_t>{p, -8, 0, -1}));
  const Tensor zero = Tensor::FromInt64({1}, {0}, DType::kI32);
  const Tensor neg = Tensor::FromInt64({1}, {-2}, DType::kI32);
  EXPECT_FALSE(RunOp1("Pow", {&zero, &neg}).ok());
}

TEST(ElementwiseKernel, Comparisons) {
  const Tensor a = Tensor::FromFloat({4}, {1, 2, 3, NAN});
  const Tensor b = Tensor::FromFloat({1}, {2});
  auto eq = RunOp1("Equal", {&a, &b});
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->dtype(), DType::kBool);
  EXPECT_EQ(eq->ToInt64Vector(), (std::vector<int64_t>{0, 1, 0, 0}));
  EXPECT_EQ(RunOp1("Less", {&a, &b})->ToInt64Vector(), (std::vector<int64_t>{1, 0, 0, 0}));
  EXPECT_EQ(RunOp1("Greater", {&a, &b})->ToInt64Vector(), (std::vector<int64_t>{0, 0, 1, 0}));
  // Large i64 values that are equal as doubles must compare unequal.
  const int64_t big = int64_t{1} << 60;
  const Tensor x = Tensor::FromInt64({2}, {big, -5});
  const Tensor y = Tensor::FromInt64({2}, {big + 1, -5});
  EXPECT_EQ(RunOp1("Equal", {&x, &y})->ToInt64Vector(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(RunOp1("Less", {&x, &y})->ToInt64Vector(), (std::vector<int64_t>{1, 0}));
  const Tensor p = Tensor::FromInt64({2}, {1, 0}, DType::kBool);
  EXPECT_EQ(RunOp1("Equal", {&p, &p})->ToInt64Vector(), (std::vector<int64_t>{1, 1}));
}

TEST(ElementwiseKernel, LogicTruthTables) {
  const Tensor a = Tensor::FromInt64({4}, {0, 0, 1, 1}, DType::kBool);
  const Tensor b = Tensor::FromInt64({4}, {0, 1, 0, 1}, DType::kBool);
  EXPECT_EQ(RunOp1("And", {&a, &b})->ToInt64Vector(), (std::vector<int64_t>{0, 0, 0, 1}));
  EXPECT_EQ(RunOp1("Or", {&a, &b})->ToInt64Vector(), (std::vector<int64_t>{0, 1, 1, 1}));
  EXPECT_EQ(RunOp1("Not", {&a})->ToInt64Vector(), (std::vector<int64_t>{1, 1, 0, 0}));
}

TEST(ElementwiseKernel, F16AndBF16RoundToNearestEven) {
  // f16 has 10 mantissa bits: 1 + 2^-11 is halfway between 1 and 1 + 2^-10 and goes to
  // the even 1.0; 1 + 3*2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9 and goes up.
  const Tensor one = Tensor::FromFloat({2}, {1, 1}, DType::kF16);
  const Tensor tiny =
      Tensor::FromFloat({2}, {std::ldexp(1.0f, -11), 3 * std::ldexp(1.0f, -11)}, DType::kF16);
  auto sum = RunOp1("Add", {&one, &tiny});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->data<uint16_t>()[0], 0x3C00);
  EXPECT_EQ(sum->data<uint16_t>()[1], 0x3C02);
  // bf16 has 7 mantissa bits: the same at 2^-8.
  const Tensor bone = Tensor::FromFloat({2}, {1, 1}, DType::kBF16);
  const Tensor btiny =
      Tensor::FromFloat({2}, {std::ldexp(1.0f, -8), 3 * std::ldexp(1.0f, -8)}, DType::kBF16);
  auto bsum = RunOp1("Add", {&bone, &btiny});
  ASSERT_TRUE(bsum.ok());
  EXPECT_EQ(bsum->data<uint16_t>()[0], 0x3F80);
  EXPECT_EQ(bsum->data<uint16_t>()[1], 0x3F82);
}

TEST(ElementwiseKernel, WhereBroadcastsEveryDType) {
  const Tensor cond = Tensor::FromInt64({2, 1}, {1, 0}, DType::kBool);
  for (DType dtype : kAllDTypes) {
    const Tensor a = Tensor::FromInt64({1, 3}, {1, 0, 1}, dtype);
    const Tensor b = Tensor::FromInt64({}, {0}, dtype);
    auto out = RunOp1("Where", {&cond, &a, &b});
    ASSERT_TRUE(out.ok()) << DTypeName(dtype) << ": " << out.status().ToString();
    EXPECT_EQ(out->dtype(), dtype);
    EXPECT_EQ(out->ToInt64Vector(), (std::vector<int64_t>{1, 0, 1, 0, 0, 0})) << DTypeName(dtype);
  }
  const Tensor big = Tensor::FromInt64({2}, {int64_t{1} << 62, 3});
  const Tensor other = Tensor::FromInt64({2}, {7, 9});
  const Tensor pick = Tensor::FromInt64({2}, {1, 0}, DType::kBool);
  EXPECT_EQ(RunOp1("Where", {&pick, &big, &other})->ToInt64Vector(),
            (std::vector<int64_t>{int64_t{1} << 62, 9}));
  const Tensor f = Tensor::FromFloat({2}, {1, 2});
  EXPECT_FALSE(RunOp1("Where", {&pick, &f, &other}).ok());
}

TEST(ElementwiseKernel, RejectsMismatchedOutput) {
  const Tensor a = Tensor::FromFloat({2}, {1, 2});
  Tensor wrong = Tensor::Allocate(DType::kF32, {3}).value();
  const Tensor* ins[] = {&a, &a};
  Tensor* outs[] = {&wrong};
  Attributes attrs;
  KernelContext ctx{ins, outs, attrs};
  EXPECT_FALSE(FindOp("Add")->reference(ctx).ok());
}

TEST(ElementwiseCost, CountsFlopsAndBytes) {
  const TensorType a = Type(DType::kF32, Shape({2, 3}));
  const TensorType b = Type(DType::kF32, Shape({3}));
  const TensorType* ins[] = {&a, &b};
  const TensorType outs[] = {a};
  Attributes attrs;
  CostContext ctx{ins, outs, attrs};
  OpCost add = FindOp("Add")->cost(ctx);
  EXPECT_EQ(add.flops, 6);
  EXPECT_EQ(add.bytes, (6 + 3 + 6) * 4);
  OpCost div = FindOp("Div")->cost(ctx);
  EXPECT_EQ(div.flops, 6 * kDivideFlops);
}

}  // namespace
}  // namespace hetero::ops
