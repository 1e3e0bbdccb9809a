// Status, Shape and Tensor: the error vocabulary, symbolic shapes and checked allocation.
#include <gtest/gtest.h>

#include "hetero/shape.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd " + std::to_string(x));
  return x / 2;
}

Status Quarter(int x, int* out) {
  HETERO_ASSIGN_OR_RETURN(int h, Half(x));
  HETERO_ASSIGN_OR_RETURN(*out, Half(h));
  return OkStatus();
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status().ok());
  Status s = NotFound("no such file");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: no such file");
  EXPECT_EQ(s.WithContext("model.onnx").message(), "model.onnx: no such file");
  Status copy = s;
  EXPECT_EQ(copy.message(), s.message());
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Quarter(6, &out).message(), "odd 3");
  StatusOr<int> bad(OkStatus());  // an OK status cannot make a value
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInternal);
}

TEST(ShapeTest, SymbolicDims) {
  Shape s({Dim::Symbol("batch"), Dim::Symbol("seq"), 768});
  EXPECT_EQ(s.ToString(), "[batch,seq,768]");
  EXPECT_FALSE(s.is_static());
  EXPECT_FALSE(s.StaticDims().has_value());
  EXPECT_EQ(Shape::FromStatic({2, 3}).StaticDims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Dim::Unknown().ToString(), "?");
  EXPECT_TRUE(DimsCompatible(Dim::Symbol("a"), Dim(4)));
  EXPECT_FALSE(DimsCompatible(Dim(3), Dim(4)));
  EXPECT_EQ((TensorType{DType::kI64, Shape({Dim::Symbol("n")})}).ToString(), "i64[n]");
}

TEST(ShapeTest, CheckedElementCountRefusesOverflow) {
  EXPECT_EQ(*CheckedElementCount({2, 3, 4}), 24);
  EXPECT_EQ(*CheckedElementCount({0, int64_t{1} << 62}), 0);
  EXPECT_FALSE(CheckedElementCount({int64_t{1} << 40, int64_t{1} << 40}).ok());
  EXPECT_FALSE(CheckedElementCount({-1, 3}).ok());
  EXPECT_FALSE(CheckedElementCount({1000, 1000}, 999).ok());
}

TEST(TensorTest, AllocateIsZeroedAndChecked) {
  auto t = Tensor::Allocate(DType::kF32, {2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->byte_size(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % 64, 0u);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(t->GetDouble(i), 0.0);
  auto huge = Tensor::Allocate(DType::kF32, {int64_t{1} << 31, int64_t{1} << 31});
  EXPECT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
}

TEST(TensorTest, CopiesShareAndClonesDoNot) {
  Tensor a = Tensor::FromFloat({2}, {1.5f, 2.5f});
  Tensor shared = a;
  Tensor deep = *a.Clone();
  a.SetDouble(0, 9.0);
  EXPECT_EQ(shared.GetDouble(0), 9.0);
  EXPECT_EQ(deep.GetDouble(0), 1.5);
  EXPECT_FALSE(a.Reshaped({3}).ok());
  EXPECT_EQ(a.Reshaped({1, 2})->dims(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Tensor::FromInt64({3}, {4, 5, 6}).ToInt64Vector(), (std::vector<int64_t>{4, 5, 6}));
}

TEST(TensorTest, BorrowKeepsOwnerAlive) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{3, 4});
  Tensor view = Tensor::Borrow(DType::kF32, {2}, owner->data(), owner);
  std::weak_ptr<std::vector<float>> weak = owner;
  owner.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(view.GetDouble(1), 4.0);
}

}  // namespace
}  // namespace hetero
