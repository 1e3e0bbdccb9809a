// Tests of the elementwise family's one-input ops and Cast, against std:: math.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "ops/reference/testing.h"

namespace hetero::ops {
namespace {

using op_testing::InferOp;
using op_testing::RunOp1;
using op_testing::Values;

Attributes Attr(const std::string& name, AttrValue value) {
  Attributes attrs;
  attrs.Set(name, std::move(value));
  return attrs;
}

struct MathCase {
  const char* op;
  std::function<double(double)> fn;
  std::vector<float> inputs;
};

TEST(UnaryKernel, MatchesStdMathInF32AndBF16) {
  const std::vector<float> any = {-3.5f, -1.0f, -0.25f, 0.0f, 0.5f, 1.0f, 2.75f};
  const std::vector<float> positive = {0.125f, 0.5f, 1.0f, 2.0f, 9.0f, 100.0f};
  const auto sigmoid = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  const MathCase cases[] = {
      {"Neg", [](double x) { return -x; }, any},
      {"Exp", [](double x) { return std::exp(x); }, any},
      {"Log", [](double x) { return std::log(x); }, positive},
      {"Sqrt", [](double x) { return std::sqrt(x); }, positive},
      {"Rsqrt", [](double x) { return 1.0 / std::sqrt(x); }, positive},
      {"Reciprocal", [](double x) { return 1.0 / x; }, positive},
      {"Erf", [](double x) { return std::erf(x); }, any},
      {"Tanh", [](double x) { return std::tanh(x); }, any},
      {"Sigmoid", sigmoid, any},
      {"Relu", [](double x) { return x > 0 ? x : 0.0; }, any},
      {"Silu", [&](double x) { return x * sigmoid(x); }, any},
      {"Cos", [](double x) { return std::cos(x); }, any},
      {"Sin", [](double x) { return std::sin(x); }, any},
  };
  for (const MathCase& c : cases) {
    for (DType dtype : {DType::kF32, DType::kBF16}) {
      const auto n = static_cast<int64_t>(c.inputs.size());
      const Tensor x = Tensor::FromFloat({n}, c.inputs, dtype);
      auto y = RunOp1(c.op, {&x});
      ASSERT_TRUE(y.ok()) << c.op << ": " << y.status().ToString();
      ASSERT_EQ(y->dtype(), dtype);
      // bf16 keeps 8 significant bits: its result is the input's image rounded once.
      const double tol = dtype == DType::kF32 ? 1e-6 : 1.0 / 128;
      for (int64_t i = 0; i < n; ++i) {
        const double want = c.fn(x.GetDouble(i));
        EXPECT_NEAR(y->GetDouble(i), want, tol * std::max(1.0, std::fabs(want)))
            << c.op << " " << DTypeName(dtype) << " x=" << x.GetDouble(i);
      }
    }
  }
}

TEST(UnaryKernel, SigmoidAndSiluSaturateWithoutNaN) {
  const Tensor x = Tensor::FromFloat({2}, {-1000, 1000});
  EXPECT_EQ(Values(*RunOp1("Sigmoid", {&x})), (std::vector<double>{0, 1}));
  EXPECT_EQ(Values(*RunOp1("Silu", {&x})), (std::vector<double>{-0.0, 1000}));
}

TEST(UnaryKernel, F16ExpRoundsToNearest) {
  // f16 values in [2, 4) are spaced 2^-9; e = 2.71828... lies nearest 1392 * 2^-9.
  const Tensor x = Tensor::FromFloat({1}, {1}, DType::kF16);
  auto y = RunOp1("Exp", {&x});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->GetDouble(0), 1392.0 / 512.0);
}

TEST(UnaryKernel, NegAndReluOnIntegers) {
  const Tensor x = Tensor::FromInt64({4}, {-5, 0, 7, -128}, DType::kI8);
  EXPECT_EQ(RunOp1("Relu", {&x})->ToInt64Vector(), (std::vector<int64_t>{0, 0, 7, 0}));
  // -(-128) does not fit in i8 and wraps to itself.
  EXPECT_EQ(RunOp1("Neg", {&x})->ToInt64Vector(), (std::vector<int64_t>{5, 0, -7, -128}));
  const Tensor big = Tensor::FromInt64({1}, {(int64_t{1} << 60) + 1});
  EXPECT_EQ(RunOp1("Neg", {&big})->ToInt64Vector(),
            (std::vector<int64_t>{-((int64_t{1} << 60) + 1)}));
}

TEST(UnaryInfer, RejectsWrongDTypes) {
  const TensorType i64{DType::kI64, Shape({2})};
  const TensorType u8{DType::kU8, Shape({2})};
  const TensorType f32{DType::kF32, Shape({2})};
  auto exp = InferOp("Exp", {&i64});
  ASSERT_FALSE(exp.ok());
  EXPECT_NE(exp.status().message().find("i64"), std::string::npos);
  EXPECT_FALSE(InferOp("Neg", {&u8}).ok());
  EXPECT_TRUE(InferOp("Neg", {&i64}).ok());
  EXPECT_FALSE(InferOp("Not", {&f32}).ok());
}

TEST(GeluKernel, ExactAndTanhForms) {
  const std::vector<float> xs = {-3, -1, -0.5f, 0, 0.5f, 1, 3};
  const Tensor x = Tensor::FromFloat({7}, xs);
  auto exact = RunOp1("Gelu", {&x});
  auto tanh = RunOp1("Gelu", {&x}, Attr("approximate", std::string("tanh")));
  ASSERT_TRUE(exact.ok() && tanh.ok());
  const double pi = std::acos(-1.0);
  for (size_t i = 0; i < xs.size(); ++i) {
    const double v = xs[i];
    const double want_exact = v * 0.5 * (1 + std::erf(v / std::sqrt(2.0)));
    const double want_tanh =
        0.5 * v * (1 + std::tanh(std::sqrt(2 / pi) * (v + 0.044715 * v * v * v)));
    EXPECT_NEAR(exact->GetDouble(static_cast<int64_t>(i)), want_exact, 1e-6);
    EXPECT_NEAR(tanh->GetDouble(static_cast<int64_t>(i)), want_tanh, 1e-6);
  }
  // The two forms differ: at x = 1 by about 1.6e-4.
  EXPECT_GT(std::fabs(exact->GetDouble(5) - tanh->GetDouble(5)), 1e-5);
  auto bad = RunOp1("Gelu", {&x}, Attr("approximate", std::string("fast")));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fast"), std::string::npos);
}

TEST(CastKernel, FloatToIntegerTruncatesAndToBoolIsNonZero) {
  const Tensor x = Tensor::FromFloat({6}, {1.7f, -1.7f, 2.5f, -0.5f, 0.0f, NAN});
  auto i = RunOp1("Cast", {&x}, Attr("to", std::string("i32")));
  ASSERT_TRUE(i.ok()) << i.status().ToString();
  EXPECT_EQ(i->dtype(), DType::kI32);
  EXPECT_EQ(i->ToInt64Vector(), (std::vector<int64_t>{1, -1, 2, 0, 0, 0}));
  auto b = RunOp1("Cast", {&x}, Attr("to", std::string("bool")));
  EXPECT_EQ(b->ToInt64Vector(), (std::vector<int64_t>{1, 1, 1, 1, 0, 1}));
  const Tensor wide = Tensor::FromInt64({2}, {300, -1}, DType::kI32);
  EXPECT_EQ(RunOp1("Cast", {&wide}, Attr("to", std::string("u8")))->ToInt64Vector(),
            (std::vector<int64_t>{44, 255}));
}

TEST(CastKernel, NarrowFloatsRoundToNearestEven) {
  // Integers 2049 and 2051 lie halfway between f16 neighbours (spacing 2 above 2048).
  const Tensor x = Tensor::FromInt64({2}, {2049, 2051});
  auto h = RunOp1("Cast", {&x}, Attr("to", std::string("f16")));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(Values(*h), (std::vector<double>{2048, 2052}));
  // bf16 keeps 8 significant bits: spacing 16 above 2048, 2 above 256, where 257 and
  // 259 are halfway cases.
  auto bf = RunOp1("Cast", {&x}, Attr("to", std::string("bf16")));
  EXPECT_EQ(Values(*bf), (std::vector<double>{2048, 2048}));
  const Tensor f = Tensor::FromFloat({2}, {257, 259});
  EXPECT_EQ(Values(*RunOp1("Cast", {&f}, Attr("to", std::string("bf16")))),
            (std::vector<double>{256, 260}));
}

TEST(CastKernel, F8SaturatesUnlessAskedNot) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = Tensor::FromFloat({4}, {1000, -inf, 0.3f, 448});
  auto sat = RunOp1("Cast", {&x}, Attr("to", std::string("f8e4m3")));
  ASSERT_TRUE(sat.ok());
  // 0.3 lies between 0.28125 and 0.3125 (spacing 2^-5 in [0.25, 0.5)); nearer 0.3125.
  EXPECT_EQ(Values(*sat), (std::vector<double>{448, -448, 0.3125, 448}));
  Attributes no_sat = Attr("to", std::string("f8e4m3"));
  no_sat.Set("saturate", int64_t{0});
  auto nan = RunOp1("Cast", {&x}, no_sat);
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(nan->GetDouble(0)));
  EXPECT_TRUE(std::isnan(nan->GetDouble(1)));
  EXPECT_EQ(nan->GetDouble(3), 448);
}

// Every dtype pair carries the small integers 0..3 (bool: 0, 1) across unchanged.
TEST(CastKernel, EveryDTypePair) {
  for (DType from : kAllDTypes) {
    for (DType to : kAllDTypes) {
      const bool boolean = from == DType::kBool || to == DType::kBool;
      const std::vector<int64_t> values =
          boolean ? std::vector<int64_t>{0, 1, 1, 0} : std::vector<int64_t>{0, 1, 2, 3};
      const Tensor x = Tensor::FromInt64({2, 2}, values, from);
      auto y = RunOp1("Cast", {&x}, Attr("to", std::string(DTypeName(to))));
      ASSERT_TRUE(y.ok()) << DTypeName(from) << "->" << DTypeName(to);
      EXPECT_EQ(y->dtype(), to);
      EXPECT_EQ(y->dims(), x.dims());
      EXPECT_EQ(y->ToInt64Vector(), values) << DTypeName(from) << "->" << DTypeName(to);
    }
  }
}

TEST(CastInfer, ReadsTheTargetByName) {
  const TensorType x{DType::kF32, Shape({op_testing::Sym("n")})};
  auto out = InferOp("Cast", {&x}, Attr("to", std::string("i64")));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0], (TensorType{DType::kI64, x.shape}));
  auto bad = InferOp("Cast", {&x}, Attr("to", std::string("f64")));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("f64"), std::string::npos);
  EXPECT_FALSE(InferOp("Cast", {&x}).ok());  // `to` is required
}

}  // namespace
}  // namespace hetero::ops
