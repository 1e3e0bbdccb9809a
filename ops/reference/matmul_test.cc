// Tests of the matmul family: schemas (symbolic inference, cost) and reference kernels.
#include "ops/reference/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "ops/reference/testing.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using op_testing::RunOp;

StatusOr<std::vector<TensorType>> Infer(std::string_view op, std::vector<TensorType> types,
                                        const Attributes& attrs = {}) {
  std::vector<const TensorType*> ptrs;
  for (const TensorType& t : types) ptrs.push_back(&t);
  return op_testing::InferOp(op, ptrs, attrs);
}

Attributes Attrs(std::initializer_list<std::pair<const char*, AttrValue>> items) {
  Attributes a;
  for (const auto& [k, v] : items) a.Set(k, v);
  return a;
}

// Deterministic values in [-1, 1).
std::vector<float> Values(int64_t n, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / static_cast<float>(1 << 24) * 2.0f - 1.0f;
  }
  return v;
}

using op_testing::Sym;

TEST(MatMulTest, SmallHandComputed) {
  const Tensor a = Tensor::FromFloat({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::FromFloat({3, 2}, {7, 8, 9, 10, 11, 12});
  auto out = RunOp("MatMul", {&a, &b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 2}));
  const float* o = (*out)[0].data<float>();
  EXPECT_EQ(o[0], 58);   // 1*7 + 2*9 + 3*11
  EXPECT_EQ(o[1], 64);   // 1*8 + 2*10 + 3*12
  EXPECT_EQ(o[2], 139);  // 4*7 + 5*9 + 6*11
  EXPECT_EQ(o[3], 154);
}

// Naive batched matmul of [B,M,K] x [B,K,N] with explicit batch index maps.
void ExpectMatches(const Tensor& out, const std::vector<float>& a, const std::vector<float>& b,
                   int64_t batches, int64_t m, int64_t n, int64_t k,
                   const std::function<int64_t(int64_t, int64_t, int64_t)>& a_at,
                   const std::function<int64_t(int64_t, int64_t, int64_t)>& b_at) {
  ASSERT_EQ(out.num_elements(), batches * m * n);
  for (int64_t bi = 0; bi < batches; ++bi) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0;
        for (int64_t kk = 0; kk < k; ++kk) want += double{a[a_at(bi, i, kk)]} * b[b_at(bi, kk, j)];
        ASSERT_NEAR(out.data<float>()[(bi * m + i) * n + j], want, 1e-4 * (1 + std::fabs(want)))
            << "batch " << bi << " row " << i << " col " << j;
      }
    }
  }
}

TEST(MatMulTest, BatchBroadcastMatchesLoops) {
  // a [2,1,3,4] x b [3,4,5] -> [2,3,3,5]; batch (p, q) reads a[p,0] and b[q].
  const std::vector<float> av = Values(2 * 3 * 4, 1), bv = Values(3 * 4 * 5, 2);
  const Tensor a = Tensor::FromFloat({2, 1, 3, 4}, av);
  const Tensor b = Tensor::FromFloat({3, 4, 5}, bv);
  auto out = RunOp("MatMul", {&a, &b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 3, 3, 5}));
  ExpectMatches((*out)[0], av, bv, 6, 3, 5, 4,
                [](int64_t bi, int64_t i, int64_t kk) { return (bi / 3) * 12 + i * 4 + kk; },
                [](int64_t bi, int64_t kk, int64_t j) { return (bi % 3) * 20 + kk * 5 + j; });
}

TEST(MatMulTest, TransposeFlagsMatchLoops) {
  // a stored [2,K=4,M=5] read transposed; b stored [N=6,K=4] read transposed.
  const std::vector<float> av = Values(2 * 4 * 5, 3), bv = Values(6 * 4, 4);
  const Tensor a = Tensor::FromFloat({2, 4, 5}, av);
  const Tensor b = Tensor::FromFloat({6, 4}, bv);
  auto out =
      RunOp("MatMul", {&a, &b}, Attrs({{"transpose_a", int64_t{1}}, {"transpose_b", int64_t{1}}}));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{2, 5, 6}));
  ExpectMatches((*out)[0], av, bv, 2, 5, 6, 4,
                [](int64_t bi, int64_t i, int64_t kk) { return bi * 20 + kk * 5 + i; },
                [](int64_t, int64_t kk, int64_t j) { return j * 4 + kk; });
}

TEST(MatMulTest, TiledPathWithRemaindersMatchesLoops) {
  // Sizes that leave partial tiles in n (600 = 512 + 88) and k (300 = 2*128 + 44).
  const int64_t m = 37, k = 300, n = 600;
  const std::vector<float> av = Values(m * k, 5), bv = Values(k * n, 6);
  const Tensor a = Tensor::FromFloat({m, k}, av);
  const Tensor b = Tensor::FromFloat({k, n}, bv);
  auto out = RunOp("MatMul", {&a, &b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ExpectMatches((*out)[0], av, bv, 1, m, n, k,
                [&](int64_t, int64_t i, int64_t kk) { return i * k + kk; },
                [&](int64_t, int64_t kk, int64_t j) { return kk * n + j; });
}

TEST(MatMulTest, OneDimensionalOperandsFollowNumpy) {
  const Tensor v = Tensor::FromFloat({3}, {1, 2, 3});
  const Tensor m = Tensor::FromFloat({3, 2}, {1, 0, 0, 1, 1, 1});
  const Tensor mt = Tensor::FromFloat({2, 3}, {1, 0, 1, 0, 1, 1});
  auto dot = RunOp("MatMul", {&v, &v});
  ASSERT_TRUE(dot.ok()) << dot.status().ToString();
  EXPECT_TRUE((*dot)[0].dims().empty());
  EXPECT_EQ((*dot)[0].data<float>()[0], 14);
  auto row = RunOp("MatMul", {&v, &m});  // [3] x [3,2] -> [2]
  ASSERT_TRUE(row.ok());
  ASSERT_EQ((*row)[0].dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ((*row)[0].data<float>()[0], 4);  // 1 + 3
  EXPECT_EQ((*row)[0].data<float>()[1], 5);  // 2 + 3
  auto col = RunOp("MatMul", {&mt, &v});     // [2,3] x [3] -> [2]
  ASSERT_TRUE(col.ok());
  ASSERT_EQ((*col)[0].dims(), (std::vector<int64_t>{2}));
  EXPECT_EQ((*col)[0].data<float>()[0], 4);
  EXPECT_EQ((*col)[0].data<float>()[1], 5);
  // A transpose flag on a 1-D operand is ignored.
  auto flagged = RunOp("MatMul", {&v, &m}, Attrs({{"transpose_a", int64_t{1}}}));
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ((*flagged)[0].data<float>()[1], 5);
}

TEST(MatMulTest, HalfAndBFloat16RoundOnceOnStore) {
  // 2048 + 1 + 1 = 2050 exactly; an f16 accumulator would stay at 2048.
  const Tensor a = Tensor::FromFloat({1, 3}, {1, 1, 1}, DType::kF16);
  const Tensor b = Tensor::FromFloat({3, 2}, {2048, 2048, 1, 1, 1, 2}, DType::kF16);
  auto out = RunOp("MatMul", {&a, &b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DType::kF16);
  EXPECT_EQ(HalfToFloat((*out)[0].data<uint16_t>()[0]), 2050.0f);
  // 2051 is halfway between 2050 and 2052 (f16 spacing 2): ties go to even, 2052.
  EXPECT_EQ(HalfToFloat((*out)[0].data<uint16_t>()[1]), 2052.0f);
  // bf16 has spacing 2 at 256: 256 + 1 = 257 ties to 256; 256 + 3 = 259 ties to 260.
  const Tensor c = Tensor::FromFloat({1, 2}, {1, 1}, DType::kBF16);
  const Tensor d = Tensor::FromFloat({2, 2}, {256, 256, 1, 3}, DType::kBF16);
  auto bf = RunOp("MatMul", {&c, &d});
  ASSERT_TRUE(bf.ok()) << bf.status().ToString();
  EXPECT_EQ(BFloat16ToFloat((*bf)[0].data<uint16_t>()[0]), 256.0f);
  EXPECT_EQ(BFloat16ToFloat((*bf)[0].data<uint16_t>()[1]), 260.0f);
}

TEST(MatMulTest, IntegersAccumulateExactly) {
  const int64_t big = int64_t{1} << 40;
  const Tensor a = Tensor::FromInt64({1, 2}, {big, 3});
  const Tensor b = Tensor::FromInt64({2, 1}, {1000, big + 1});
  auto out = RunOp("MatMul", {&a, &b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].data<int64_t>()[0], big * 1000 + 3 * (big + 1));
  const Tensor c = Tensor::FromInt64({2, 2}, {1, -2, 3, 4}, DType::kI32);
  const Tensor d = Tensor::FromInt64({2, 1}, {5, 6}, DType::kI32);
  auto small = RunOp("MatMul", {&c, &d});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)[0].dtype(), DType::kI32);
  EXPECT_EQ((*small)[0].data<int32_t>()[0], -7);
  EXPECT_EQ((*small)[0].data<int32_t>()[1], 39);
}

TEST(MatMulTest, SymbolicInference) {
  const TensorType x{DType::kF32, Shape{Sym("batch"), Sym("seq"), 768}};
  auto out = Infer("MatMul", {x, {DType::kF32, Shape{768, 3072}}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].ToString(), "f32[batch,seq,3072]");
  // Attention scores: [batch,12,seq,64] x [batch,12,seq,64]^T.
  const TensorType q{DType::kF16, Shape{Sym("batch"), 12, Sym("seq"), 64}};
  auto scores = Infer("MatMul", {q, q}, Attrs({{"transpose_b", int64_t{1}}}));
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ((*scores)[0].ToString(), "f16[batch,12,seq,seq]");
  // Broadcast batch dims: a symbol against 1, and 1 against a number.
  auto bcast = Infer("MatMul", {{DType::kF32, Shape{Sym("batch"), 1, Sym("seq"), 64}},
                                {DType::kF32, Shape{12, 64, Sym("kv")}}});
  ASSERT_TRUE(bcast.ok()) << bcast.status().ToString();
  EXPECT_EQ((*bcast)[0].ToString(), "f32[batch,12,seq,kv]");
}

TEST(MatMulTest, InnerDimMismatchNamesBothDims) {
  const TensorType x{DType::kF32, Shape{Sym("batch"), 768}};
  auto out = Infer("MatMul", {x, {DType::kF32, Shape{512, 3072}}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("768"), std::string::npos) << out.status().ToString();
  EXPECT_NE(out.status().message().find("512"), std::string::npos) << out.status().ToString();
  // The kernel refuses the same mismatch on its own.
  const Tensor a = Tensor::FromFloat({2, 3}, {});
  const Tensor b = Tensor::FromFloat({2, 3}, {});
  EXPECT_FALSE(RunOp("MatMul", {&a, &b}).ok());
  EXPECT_FALSE(Infer("MatMul", {x, {DType::kF16, Shape{768, 4}}}).ok());  // dtype mismatch
  EXPECT_FALSE(Infer("MatMul", {{DType::kF32, Shape{}}, x}).ok());        // scalar operand
}

TEST(MatMulTest, CostCountsTwoFlopsPerMultiplyAdd) {
  const TensorType a{DType::kF32, Shape{2, 3, 4}};
  const TensorType b{DType::kF32, Shape{4, 5}};
  const std::vector<TensorType> outs = {{DType::kF32, Shape{2, 3, 5}}};
  const TensorType* ins[] = {&a, &b};
  const Attributes none;
  const OpCost cost = FindOp("MatMul")->cost(CostContext{ins, outs, none});
  EXPECT_EQ(cost.flops, 2.0 * 2 * 3 * 5 * 4);
  EXPECT_EQ(cost.bytes, (24 + 20 + 30) * 4.0);
}

TEST(FusedMatMulTest, BiasAndActivationsMatchFormulas) {
  const Tensor a = Tensor::FromFloat({2, 2}, {1, -2, 0.5f, 3});
  const Tensor b = Tensor::FromFloat({2, 2}, {1, 2, -1, 0.25f});
  const Tensor bias = Tensor::FromFloat({2}, {0.5f, -1});
  // MatMul: [[1+2, 2-0.5], [0.5-3, 1+0.75]] = [[3, 1.5], [-2.5, 1.75]]; + bias.
  const double pre[4] = {3.5, 0.5, -2.0, 0.75};
  const std::pair<const char*, double (*)(double)> cases[] = {
      {"none", [](double x) { return x; }},
      {"relu", [](double x) { return x > 0 ? x : 0.0; }},
      {"gelu", [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"gelu_tanh",
       [](double x) {
         return 0.5 * x *
                (1 + std::tanh(std::sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
       }},
      {"silu", [](double x) { return x / (1 + std::exp(-x)); }},
  };
  for (const auto& [name, fn] : cases) {
    auto out = RunOp("FusedMatMul", {&a, &b, &bias}, Attrs({{"activation", std::string(name)}}));
    ASSERT_TRUE(out.ok()) << name << ": " << out.status().ToString();
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR((*out)[0].data<float>()[i], fn(pre[i]), 1e-6) << name << " element " << i;
    }
  }
  auto no_bias = RunOp("FusedMatMul", {&a, &b, nullptr});
  ASSERT_TRUE(no_bias.ok()) << no_bias.status().ToString();
  EXPECT_EQ((*no_bias)[0].data<float>()[1], 1.5f);
  EXPECT_FALSE(RunOp("FusedMatMul", {&a, &b}, Attrs({{"activation", std::string("swish")}})).ok());
  const Tensor wide_bias = Tensor::FromFloat({3}, {});
  EXPECT_FALSE(RunOp("FusedMatMul", {&a, &b, &wide_bias}).ok());
}

}  // namespace
}  // namespace hetero::ops
