// Tests of the data-movement family: symbolic inference, kernels against loops, errors.
#include "ops/reference/movement.h"

#include <gtest/gtest.h>

#include <cstring>

#include "ops/reference/testing.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using op_testing::RunOp;

// Inference at compile time: types, and the values of the inputs that are constants.
StatusOr<std::vector<TensorType>> Infer(std::string_view op, std::vector<TensorType> types,
                                        std::vector<const Tensor*> values = {},
                                        const Attributes& attrs = {}, size_t num_outputs = 1) {
  std::vector<const TensorType*> ptrs;
  for (const TensorType& t : types) ptrs.push_back(&t);
  return op_testing::InferOp(op, ptrs, attrs, num_outputs, values);
}

Attributes Attrs(std::initializer_list<std::pair<const char*, AttrValue>> items) {
  Attributes a;
  for (const auto& [k, v] : items) a.Set(k, v);
  return a;
}

using op_testing::Sym;
TensorType F32(Shape s) { return {DType::kF32, std::move(s)}; }
TensorType I64(Shape s) { return {DType::kI64, std::move(s)}; }
Tensor Ints(const std::vector<int64_t>& v) {
  return Tensor::FromInt64({static_cast<int64_t>(v.size())}, v);
}
Tensor Iota(std::vector<int64_t> dims, DType dtype = DType::kF32) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return Tensor::FromInt64(std::move(dims), v, dtype);
}
std::vector<double> Doubles(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.GetDouble(i));
  return v;
}
std::string TypeOf(const StatusOr<std::vector<TensorType>>& r, size_t i = 0) {
  return r.ok() ? (*r)[i].ToString() : r.status().ToString();
}

TEST(ReshapeTest, CopiesAndInfersDims) {
  const Tensor x = Iota({2, 3, 4});
  const Tensor shape = Ints({0, -1});
  auto out = RunOp("Reshape", {&x, &shape});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 12}));
  EXPECT_EQ(Doubles((*out)[0]), Doubles(x));
  const Tensor zero = Ints({0, 24});
  auto allow = RunOp("Reshape", {&x, &zero}, Attrs({{"allowzero", int64_t{1}}}));
  EXPECT_FALSE(allow.ok());  // a literal 0 dim cannot hold 24 elements
}

TEST(ReshapeTest, SizeMismatchIsAnError) {
  const Tensor x = Iota({2, 3});
  const Tensor bad = Ints({4, 2});
  auto out = RunOp("Reshape", {&x, &bad});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("6 vs 8"), std::string::npos) << out.status().ToString();
  const Tensor indivisible = Ints({-1, 4});
  EXPECT_FALSE(RunOp("Reshape", {&x, &indivisible}).ok());
  const Tensor two_open = Ints({-1, -1});
  EXPECT_FALSE(RunOp("Reshape", {&x, &two_open}).ok());
  const Tensor past_rank = Ints({0, 0, 0});
  EXPECT_FALSE(RunOp("Reshape", {&x, &past_rank}).ok());
}

TEST(ReshapeTest, SymbolicZeroCopyAndMinusOne) {
  const TensorType hidden = F32(Shape{Sym("batch"), Sym("seq"), 768});
  const Tensor split_heads = Ints({0, 0, 12, 64});
  EXPECT_EQ(TypeOf(Infer("Reshape", {hidden, I64(Shape{4})}, {nullptr, &split_heads})),
            "f32[batch,seq,12,64]");
  const TensorType heads = F32(Shape{Sym("batch"), Sym("seq"), 12, 64});
  const Tensor merge = Ints({0, 0, -1});
  EXPECT_EQ(TypeOf(Infer("Reshape", {heads, I64(Shape{3})}, {nullptr, &merge})),
            "f32[batch,seq,768]");
  const Tensor flatten = Ints({-1, 768});  // batch*seq is no single dim
  EXPECT_EQ(TypeOf(Infer("Reshape", {hidden, I64(Shape{2})}, {nullptr, &flatten})), "f32[?,768]");
  const TensorType rows = F32(Shape{Sym("batch"), 12, 64});
  EXPECT_EQ(TypeOf(Infer("Reshape", {rows, I64(Shape{2})}, {nullptr, &flatten})), "f32[batch,768]");
  // Static parts that cannot match are caught even next to symbols.
  const Tensor wrong = Ints({0, 0, 700});
  EXPECT_FALSE(Infer("Reshape", {hidden, I64(Shape{3})}, {nullptr, &wrong}).ok());
  // Unknown shape value: the rank comes from the shape input's length.
  EXPECT_EQ(TypeOf(Infer("Reshape", {hidden, I64(Shape{3})})), "f32[?,?,?]");
  EXPECT_FALSE(Infer("Reshape", {hidden, I64(Shape{Sym("n")})}).ok());
}

TEST(SqueezeTest, RemovesAndInsertsOnes) {
  EXPECT_EQ(TypeOf(Infer("Squeeze", {F32(Shape{1, Sym("s"), 1, 3})})), "f32[s,3]");
  EXPECT_EQ(TypeOf(Infer("Squeeze", {F32(Shape{1, Sym("s"), 1})}, {},
                         Attrs({{"axes", std::vector<int64_t>{-1}}}))),
            "f32[1,s]");
  EXPECT_FALSE(
      Infer("Squeeze", {F32(Shape{2, 3})}, {}, Attrs({{"axes", std::vector<int64_t>{1}}})).ok());
  EXPECT_EQ(TypeOf(Infer("Unsqueeze", {F32(Shape{Sym("b"), 3})}, {},
                         Attrs({{"axes", std::vector<int64_t>{0, -1}}}))),
            "f32[1,b,3,1]");
  EXPECT_FALSE(
      Infer("Unsqueeze", {F32(Shape{3})}, {}, Attrs({{"axes", std::vector<int64_t>{0, 0}}})).ok());
  const Tensor x = Iota({1, 3, 1}, DType::kI32);
  auto sq = RunOp("Squeeze", {&x});
  ASSERT_TRUE(sq.ok()) << sq.status().ToString();
  EXPECT_EQ((*sq)[0].dims(), (std::vector<int64_t>{3}));
  EXPECT_EQ(Doubles((*sq)[0]), (std::vector<double>{0, 1, 2}));
  auto un = RunOp("Unsqueeze", {&x}, Attrs({{"axes", std::vector<int64_t>{1}}}));
  ASSERT_TRUE(un.ok()) << un.status().ToString();
  EXPECT_EQ((*un)[0].dims(), (std::vector<int64_t>{1, 1, 3, 1}));
}

TEST(TransposeTest, MatchesLoopsForSeveralElementSizes) {
  for (DType dtype : {DType::kF32, DType::kF16, DType::kI64, DType::kU8}) {
    const Tensor x = Iota({2, 3, 4}, dtype);
    auto out = RunOp("Transpose", {&x}, Attrs({{"perm", std::vector<int64_t>{1, 2, 0}}}));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{3, 4, 2}));
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        for (int64_t k = 0; k < 2; ++k) {
          ASSERT_EQ((*out)[0].GetDouble((i * 4 + j) * 2 + k), x.GetDouble((k * 3 + i) * 4 + j));
        }
      }
    }
  }
  const Tensor m = Iota({2, 3});
  auto rev = RunOp("Transpose", {&m});
  ASSERT_TRUE(rev.ok());
  EXPECT_EQ(Doubles((*rev)[0]), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_FALSE(RunOp("Transpose", {&m}, Attrs({{"perm", std::vector<int64_t>{0, 0}}})).ok());
  EXPECT_EQ(TypeOf(Infer("Transpose", {F32(Shape{Sym("b"), Sym("s"), 12, 64})}, {},
                         Attrs({{"perm", std::vector<int64_t>{0, 2, 1, 3}}}))),
            "f32[b,12,s,64]");
}

TEST(ConcatTest, JoinsAlongAxis) {
  const Tensor a = Tensor::FromFloat({2, 1}, {1, 2});
  const Tensor b = Tensor::FromFloat({2, 2}, {3, 4, 5, 6});
  auto out = RunOp("Concat", {&a, &b}, Attrs({{"axis", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(Doubles((*out)[0]), (std::vector<double>{1, 3, 4, 2, 5, 6}));
  auto rows = RunOp("Concat", {&b, &b}, Attrs({{"axis", int64_t{0}}}));
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Doubles((*rows)[0]), (std::vector<double>{3, 4, 5, 6, 3, 4, 5, 6}));
  EXPECT_FALSE(RunOp("Concat", {&a, &b}, Attrs({{"axis", int64_t{0}}})).ok());
}

TEST(ConcatTest, SymbolicDims) {
  const TensorType x = F32(Shape{Sym("batch"), Sym("seq"), 64});
  const Attributes last = Attrs({{"axis", int64_t{-1}}});
  EXPECT_EQ(TypeOf(Infer("Concat", {x, x}, {}, last)), "f32[batch,seq,128]");
  const Attributes seq_axis = Attrs({{"axis", int64_t{1}}});
  EXPECT_EQ(TypeOf(Infer("Concat", {x, F32(Shape{Sym("batch"), 1, 64})}, {}, seq_axis)),
            "f32[batch,?,64]");
  EXPECT_EQ(TypeOf(Infer("Concat", {F32(Shape{Dim(), Sym("seq"), 64}), x}, {}, last)),
            "f32[batch,seq,128]");
  EXPECT_FALSE(Infer("Concat", {x, F32(Shape{Sym("batch"), Sym("seq"), 32})}, {}, seq_axis).ok());
}

TEST(SplitTest, EqualPartsAndExplicitSizes) {
  const Tensor x = Iota({2, 5});
  auto parts = RunOp("Split", {&x}, Attrs({{"axis", int64_t{1}}, {"num_outputs", int64_t{2}}}), 2);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(Doubles((*parts)[0]), (std::vector<double>{0, 1, 2, 5, 6, 7}));  // ceil(5/2) = 3
  EXPECT_EQ(Doubles((*parts)[1]), (std::vector<double>{3, 4, 8, 9}));
  const Tensor sizes = Ints({1, 4});
  auto given = RunOp("Split", {&x, &sizes}, Attrs({{"axis", int64_t{-1}}}), 2);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(Doubles((*given)[0]), (std::vector<double>{0, 5}));
  EXPECT_EQ((*given)[1].dims(), (std::vector<int64_t>{2, 4}));
  auto rows = RunOp("Split", {&x}, {}, 2);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(Doubles((*rows)[1]), (std::vector<double>{5, 6, 7, 8, 9}));
  const Tensor bad = Ints({2, 2});
  EXPECT_FALSE(RunOp("Split", {&x, &bad}, Attrs({{"axis", int64_t{1}}}), 2).ok());
  auto open = Infer("Split", {F32(Shape{Sym("b"), 768 * 3})}, {}, Attrs({{"axis", int64_t{1}}}), 3);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(TypeOf(open, 2), "f32[b,768]");
}

TEST(SliceTest, OnnxExampleAndNegativeSteps) {
  const Tensor x = Tensor::FromFloat({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor starts = Ints({1, 0}), ends = Ints({2, 3}), axes = Ints({0, 1}),
               steps = Ints({1, 2});
  auto out = RunOp("Slice", {&x, &starts, &ends, &axes, &steps});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Doubles((*out)[0]), (std::vector<double>{5, 7}));
  // x[:, ::-1] with clamped bounds, then x[-1:, 1:1000].
  const Tensor rs = Ints({-1}), re = Ints({INT64_MIN}), ra = Ints({1}), rstep = Ints({-1});
  auto rev = RunOp("Slice", {&x, &rs, &re, &ra, &rstep});
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_EQ(Doubles((*rev)[0]), (std::vector<double>{4, 3, 2, 1, 8, 7, 6, 5}));
  const Tensor cs = Ints({-1, 1}), ce = Ints({INT64_MAX, 1000});
  auto clamp = RunOp("Slice", {&x, &cs, &ce});
  ASSERT_TRUE(clamp.ok()) << clamp.status().ToString();
  EXPECT_EQ(Doubles((*clamp)[0]), (std::vector<double>{6, 7, 8}));
  const Tensor zero_step = Ints({0});
  EXPECT_FALSE(RunOp("Slice", {&x, &rs, &re, &ra, &zero_step}).ok());
}

TEST(SliceTest, ThreeDimensionalStepsMatchLoops) {
  const Tensor x = Iota({4, 5, 6}, DType::kI64);
  const Tensor starts = Ints({3, 1, -1}), ends = Ints({0, 5, -7}), steps = Ints({-2, 2, -3});
  const Tensor axes = Ints({0, 1, 2});
  auto out = RunOp("Slice", {&x, &starts, &ends, &axes, &steps});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // axis 0: 3, 1; axis 1: 1, 3; axis 2: 5, 2 (end -7 clamps to before 0).
  const std::vector<int64_t> i0 = {3, 1}, i1 = {1, 3}, i2 = {5, 2};
  ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 2, 2}));
  int64_t n = 0;
  for (int64_t a : i0) {
    for (int64_t b : i1) {
      for (int64_t c : i2) EXPECT_EQ((*out)[0].data<int64_t>()[n++], (a * 5 + b) * 6 + c);
    }
  }
}

TEST(SliceTest, SymbolicDims) {
  const TensorType x = F32(Shape{Sym("batch"), Sym("seq"), 768});
  const Tensor starts = Ints({0, 0}), ends = Ints({INT64_MAX, 384}), axes = Ints({1, 2});
  EXPECT_EQ(TypeOf(Infer("Slice", {x, I64(Shape{2}), I64(Shape{2}), I64(Shape{2})},
                         {nullptr, &starts, &ends, &axes})),
            "f32[batch,seq,384]");
  const Tensor one = Ints({1}), three = Ints({3}), seq_axis = Ints({1});
  EXPECT_EQ(TypeOf(Infer("Slice", {x, I64(Shape{1}), I64(Shape{1}), I64(Shape{1})},
                         {nullptr, &one, &three, &seq_axis})),
            "f32[batch,?,768]");
  // Unknown starts: only the sliced axes become unknown.
  EXPECT_EQ(TypeOf(Infer("Slice", {x, I64(Shape{1}), I64(Shape{1}), I64(Shape{1})},
                         {nullptr, nullptr, nullptr, &seq_axis})),
            "f32[batch,?,768]");
}

TEST(GatherTest, RowsAndColumnsMatchLoops) {
  const Tensor table = Iota({4, 3});
  const Tensor ids = Tensor::FromInt64({2, 2}, {3, 0, -1, 1});
  auto rows = RunOp("Gather", {&table, &ids});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ((*rows)[0].dims(), (std::vector<int64_t>{2, 2, 3}));
  const int64_t want_rows[] = {3, 0, 3, 1};
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_EQ((*rows)[0].GetDouble(i * 3 + c), want_rows[i] * 3 + c);
    }
  }
  const Tensor col = Tensor::FromInt64({}, {2}, DType::kI32);
  auto cols = RunOp("Gather", {&table, &col}, Attrs({{"axis", int64_t{1}}}));
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  EXPECT_EQ((*cols)[0].dims(), (std::vector<int64_t>{4}));
  EXPECT_EQ(Doubles((*cols)[0]), (std::vector<double>{2, 5, 8, 11}));
}

TEST(GatherTest, OutOfRangeIndexNamesIt) {
  const Tensor table = Iota({1000, 2});
  const Tensor ids = Ints({1, 5000});
  auto out = RunOp("Gather", {&table, &ids});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(out.status().message().find("index 5000 out of range for dim 1000"), std::string::npos)
      << out.status().ToString();
  const Tensor negative = Ints({-1001});
  EXPECT_FALSE(RunOp("Gather", {&table, &negative}).ok());
}

TEST(GatherTest, SymbolicShape) {
  const TensorType ids{DType::kI64, Shape{Sym("batch"), Sym("seq")}};
  EXPECT_EQ(TypeOf(Infer("Gather", {F32(Shape{50257, 768}), ids})), "f32[batch,seq,768]");
  const TensorType h = F32(Shape{Sym("batch"), Sym("seq"), 768});
  EXPECT_EQ(TypeOf(Infer("Gather", {h, I64(Shape{})}, {}, Attrs({{"axis", int64_t{1}}}))),
            "f32[batch,768]");
  EXPECT_FALSE(Infer("Gather", {h, F32(Shape{2})}).ok());
}

TEST(ExpandTest, BroadcastsLikeLoops) {
  const Tensor x = Tensor::FromFloat({3, 1}, {1, 2, 3});
  const Tensor shape = Ints({2, 1, 4});
  auto out = RunOp("Expand", {&x, &shape});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 3, 4}));
  for (int64_t i = 0; i < 24; ++i) EXPECT_EQ((*out)[0].GetDouble(i), 1 + (i / 4) % 3);
  const Tensor bad = Ints({2, 2});
  EXPECT_FALSE(RunOp("Expand", {&x, &bad}).ok());
  const Tensor keep = Ints({1, 1, 64});
  EXPECT_EQ(
      TypeOf(Infer("Expand", {F32(Shape{Sym("b"), Sym("s"), 1}), I64(Shape{3})}, {nullptr, &keep})),
      "f32[b,s,64]");
  EXPECT_EQ(TypeOf(Infer("Expand", {F32(Shape{5, 1}), I64(Shape{3})})), "f32[?,5,?]");
  EXPECT_EQ(TypeOf(Infer("Expand", {F32(Shape{Sym("b"), 1, 5}), I64(Shape{2})})), "f32[b,?,5]");
}

TEST(TriluTest, KeepsTrianglesLikeLoops) {
  const Tensor x = Iota({2, 3, 4});
  for (int64_t upper : {0, 1}) {
    for (int64_t k : {-1, 0, 2}) {
      const Tensor kt = Tensor::FromInt64({}, {k});
      auto out = RunOp("Trilu", {&x, &kt}, Attrs({{"upper", upper}}));
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      for (int64_t b = 0; b < 2; ++b) {
        for (int64_t i = 0; i < 3; ++i) {
          for (int64_t j = 0; j < 4; ++j) {
            const int64_t at = (b * 3 + i) * 4 + j;
            const bool keep = upper ? j - i >= k : j - i <= k;
            EXPECT_EQ((*out)[0].GetDouble(at), keep ? at : 0) << upper << " " << k << " " << at;
          }
        }
      }
    }
  }
  auto no_k = RunOp("Trilu", {&x, nullptr});
  ASSERT_TRUE(no_k.ok()) << no_k.status().ToString();
  EXPECT_EQ((*no_k)[0].GetDouble(4), 0);  // row 1, col 0 of the upper triangle
  EXPECT_EQ((*no_k)[0].GetDouble(5), 5);
}

TEST(RangeTest, IntegerAndFloatSequences) {
  auto run = [](DType dtype, double s, double l, double d) {
    const Tensor a = Tensor::FromFloat({}, {static_cast<float>(s)}, dtype);
    const Tensor b = Tensor::FromFloat({}, {static_cast<float>(l)}, dtype);
    const Tensor c = Tensor::FromFloat({}, {static_cast<float>(d)}, dtype);
    auto out = RunOp("Range", {&a, &b, &c});
    return out.ok() ? Doubles((*out)[0]) : std::vector<double>{-999};
  };
  EXPECT_EQ(run(DType::kI64, 1, 10, 3), (std::vector<double>{1, 4, 7}));
  EXPECT_EQ(run(DType::kI32, 10, 4, -3), (std::vector<double>{10, 7}));
  EXPECT_EQ(run(DType::kF32, 0, 1, 0.25), (std::vector<double>{0, 0.25, 0.5, 0.75}));
  EXPECT_EQ(run(DType::kI64, 5, 1, 1), (std::vector<double>{}));
  EXPECT_EQ(run(DType::kI64, 1, 5, 0), (std::vector<double>{-999}));
  EXPECT_EQ(TypeOf(Infer("Range", {I64(Shape{}), I64(Shape{}), I64(Shape{})})), "i64[?]");
  const Tensor s = Tensor::FromInt64({}, {0}), l = Tensor::FromInt64({}, {7});
  const Tensor d = Tensor::FromInt64({}, {2});
  EXPECT_EQ(TypeOf(Infer("Range", {I64(Shape{}), I64(Shape{}), I64(Shape{})}, {&s, &l, &d})),
            "i64[4]");
}

TEST(ConstantOfShapeTest, FillsWithValue) {
  const Tensor shape = Ints({2, 3});
  auto out = RunOp("ConstantOfShape", {&shape}, Attrs({{"value", 1.5}}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].type().ToString(), "f32[2,3]");
  EXPECT_EQ(Doubles((*out)[0]), std::vector<double>(6, 1.5));
  const int64_t big = (int64_t{1} << 60) + 1;  // not exact as a double
  auto ints =
      RunOp("ConstantOfShape", {&shape}, Attrs({{"value", big}, {"dtype", std::string("i64")}}));
  ASSERT_TRUE(ints.ok()) << ints.status().ToString();
  EXPECT_EQ((*ints)[0].data<int64_t>()[5], big);
  EXPECT_EQ(TypeOf(Infer("ConstantOfShape", {I64(Shape{3})})), "f32[?,?,?]");
  const Tensor negative = Ints({2, -1});
  EXPECT_FALSE(RunOp("ConstantOfShape", {&negative}).ok());
}

TEST(ShapeTest, DimsAndSize) {
  const Tensor x = Iota({2, 3, 4});
  auto all = RunOp("Shape", {&x});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ((*all)[0].type().ToString(), "i64[3]");
  EXPECT_EQ(Doubles((*all)[0]), (std::vector<double>{2, 3, 4}));
  auto tail = RunOp("Shape", {&x}, Attrs({{"start", int64_t{1}}}));
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(Doubles((*tail)[0]), (std::vector<double>{3, 4}));
  auto head = RunOp("Shape", {&x}, Attrs({{"end", int64_t{-1}}}));
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(Doubles((*head)[0]), (std::vector<double>{2, 3}));
  auto size = RunOp("Size", {&x});
  ASSERT_TRUE(size.ok());
  EXPECT_EQ((*size)[0].type().ToString(), "i64[]");
  EXPECT_EQ((*size)[0].data<int64_t>()[0], 24);
  EXPECT_EQ(TypeOf(Infer("Shape", {F32(Shape{Sym("b"), Sym("s"), 768})})), "i64[3]");
}

TEST(MovementCostTest, NoFlopsAndBytesMoved) {
  const TensorType x = F32(Shape{4, 8});
  const TensorType* ins[] = {&x};
  const std::vector<TensorType> outs = {F32(Shape{8, 4})};
  const Attributes none;
  const OpCost cost = FindOp("Transpose")->cost(CostContext{ins, outs, none});
  EXPECT_EQ(cost.flops, 0);
  EXPECT_EQ(cost.bytes, 2 * 32 * 4.0);
  // Gather reads the rows it writes, not the whole table.
  const TensorType table = F32(Shape{1000, 8});
  const TensorType ids = I64(Shape{2});
  const TensorType* gather_ins[] = {&table, &ids};
  const std::vector<TensorType> gathered = {F32(Shape{2, 8})};
  EXPECT_EQ(FindOp("Gather")->cost(CostContext{gather_ins, gathered, none}).bytes,
            2 * 16 * 4.0 + 16);
}

}  // namespace
}  // namespace hetero::ops
