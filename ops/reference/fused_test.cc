// Tests of the fused family: Attention against a naive computation, Rope, SwiGLU and
// KvCacheAppend, with their shape inference and errors.
#include "ops/reference/fused.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "ops/reference/testing.h"
#include "ops/schema.h"

namespace hetero::ops {
namespace {

using op_testing::RunOp;

StatusOr<std::vector<TensorType>> Infer(std::string_view op, std::vector<TensorType> types,
                                        std::vector<const Tensor*> values = {},
                                        const Attributes& attrs = {}) {
  std::vector<const TensorType*> ptrs;
  for (const TensorType& t : types) ptrs.push_back(&t);
  return op_testing::InferOp(op, ptrs, attrs, 1, values);
}

Attributes Attrs(std::initializer_list<std::pair<const char*, AttrValue>> items) {
  Attributes a;
  for (const auto& [k, v] : items) a.Set(k, v);
  return a;
}

std::vector<float> Values(int64_t n, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / static_cast<float>(1 << 24) * 2.0f - 1.0f;
  }
  return v;
}

using op_testing::Sym;

struct AttentionCase {
  int64_t b, hq, hkv, sq, skv, d, dv;
  bool causal = false;
  double scale = 0;
  // Whether query i of (batch, head) may see key j, and what to add to its score.
  std::function<bool(int64_t, int64_t, int64_t, int64_t)> allowed = nullptr;
  std::function<double(int64_t, int64_t, int64_t, int64_t)> bias = nullptr;
};

// Attention written out the textbook way: per head, scores, softmax, weighted sum.
std::vector<double> NaiveAttention(const AttentionCase& c, const std::vector<float>& q,
                                   const std::vector<float>& k, const std::vector<float>& v) {
  std::vector<double> out;
  const double scale = c.scale != 0 ? c.scale : 1.0 / std::sqrt(static_cast<double>(c.d));
  for (int64_t b = 0; b < c.b; ++b) {
    for (int64_t h = 0; h < c.hq; ++h) {
      const int64_t kv = h * c.hkv / c.hq;  // the KV head this query head shares
      for (int64_t i = 0; i < c.sq; ++i) {
        std::vector<double> w(static_cast<size_t>(c.skv), 0.0);
        std::vector<bool> seen(static_cast<size_t>(c.skv), false);
        double max = -INFINITY, sum = 0;
        for (int64_t j = 0; j < c.skv; ++j) {
          seen[j] = (!c.causal || j - (c.skv - c.sq) <= i) && (!c.allowed || c.allowed(b, h, i, j));
          if (!seen[j]) continue;
          double dot = 0;
          for (int64_t x = 0; x < c.d; ++x) {
            dot += double{q[((b * c.hq + h) * c.sq + i) * c.d + x]} *
                   k[((b * c.hkv + kv) * c.skv + j) * c.d + x];
          }
          w[j] = dot * scale + (c.bias ? c.bias(b, h, i, j) : 0.0);
          max = std::max(max, w[j]);
        }
        for (int64_t j = 0; j < c.skv; ++j) sum += seen[j] ? std::exp(w[j] - max) : 0.0;
        for (int64_t y = 0; y < c.dv; ++y) {
          double acc = 0;
          for (int64_t j = 0; j < c.skv; ++j) {
            if (seen[j]) {
              acc += std::exp(w[j] - max) / sum * v[((b * c.hkv + kv) * c.skv + j) * c.dv + y];
            }
          }
          out.push_back(sum > 0 ? acc : 0.0);
        }
      }
    }
  }
  return out;
}

void ExpectAttention(const AttentionCase& c, const Tensor* mask) {
  const std::vector<float> qv = Values(c.b * c.hq * c.sq * c.d, 11);
  const std::vector<float> kv = Values(c.b * c.hkv * c.skv * c.d, 12);
  const std::vector<float> vv = Values(c.b * c.hkv * c.skv * c.dv, 13);
  const Tensor q = Tensor::FromFloat({c.b, c.hq, c.sq, c.d}, qv);
  const Tensor k = Tensor::FromFloat({c.b, c.hkv, c.skv, c.d}, kv);
  const Tensor v = Tensor::FromFloat({c.b, c.hkv, c.skv, c.dv}, vv);
  Attributes attrs = Attrs({{"causal", int64_t{c.causal}}, {"scale", c.scale}});
  auto out = mask ? RunOp("Attention", {&q, &k, &v, mask}, attrs)
                  : RunOp("Attention", {&q, &k, &v}, attrs);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ((*out)[0].dims(), (std::vector<int64_t>{c.b, c.hq, c.sq, c.dv}));
  const std::vector<double> want = NaiveAttention(c, qv, kv, vv);
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_NEAR((*out)[0].data<float>()[i], want[i], 1e-5) << "element " << i;
  }
}

TEST(AttentionTest, PlainMatchesNaive) { ExpectAttention({2, 3, 3, 4, 5, 8, 6}, nullptr); }

TEST(AttentionTest, CausalMatchesNaive) {
  AttentionCase square{1, 2, 2, 5, 5, 4, 4};
  square.causal = true;
  ExpectAttention(square, nullptr);
  AttentionCase decode{1, 2, 2, 2, 6, 4, 4};  // 2 new queries over 6 keys: offset 4
  decode.causal = true;
  decode.scale = 0.3;
  ExpectAttention(decode, nullptr);
}

TEST(AttentionTest, GroupedKvHeadsMatchNaive) {
  AttentionCase c{2, 8, 2, 3, 4, 4, 4};  // four query heads per KV head
  c.causal = true;
  ExpectAttention(c, nullptr);
}

TEST(AttentionTest, PaddingMaskMatchesNaive) {
  // Bool mask [B,1,1,Skv]: batch 0 sees all 5 keys, batch 1 only the first 3.
  const Tensor mask = Tensor::FromInt64({2, 1, 1, 5}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, DType::kBool);
  AttentionCase c{2, 2, 2, 3, 5, 4, 4};
  c.allowed = [](int64_t b, int64_t, int64_t, int64_t j) { return b == 0 || j < 3; };
  ExpectAttention(c, &mask);
  // The same padding as an additive float mask [B,1,Sq,Skv] (-inf), plus a small bias.
  std::vector<float> add;
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t i = 0; i < 3; ++i) {
      for (int64_t j = 0; j < 5; ++j) add.push_back(b == 1 && j >= 3 ? -INFINITY : 0.1f * j);
    }
  }
  const Tensor float_mask = Tensor::FromFloat({2, 1, 3, 5}, add);
  AttentionCase f{2, 2, 2, 3, 5, 4, 4};
  f.allowed = c.allowed;
  f.bias = [](int64_t, int64_t, int64_t, int64_t j) {
    return double{0.1f * static_cast<float>(j)};
  };
  ExpectAttention(f, &float_mask);
}

TEST(AttentionTest, FullyMaskedRowIsZero) {
  const Tensor q = Tensor::FromFloat({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor k = Tensor::FromFloat({1, 1, 2, 2}, {1, 0, 0, 1});
  const Tensor v = Tensor::FromFloat({1, 1, 2, 2}, {5, 6, 7, 8});
  const Tensor mask = Tensor::FromInt64({1, 1, 2, 2}, {0, 0, 1, 0}, DType::kBool);
  auto out = RunOp("Attention", {&q, &k, &v, &mask});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const float* o = (*out)[0].data<float>();
  EXPECT_EQ(o[0], 0.0f);
  EXPECT_EQ(o[1], 0.0f);
  EXPECT_EQ(o[2], 5.0f);  // row 1 sees only key 0
  EXPECT_EQ(o[3], 6.0f);
  // An additive -inf on every key, and causality with more queries than keys, also give 0.
  const Tensor neg = Tensor::FromFloat({1, 1, 1, 2}, {-INFINITY, -INFINITY});
  auto additive = RunOp("Attention", {&q, &k, &v, &neg});
  ASSERT_TRUE(additive.ok()) << additive.status().ToString();
  for (int i = 0; i < 4; ++i) EXPECT_EQ((*additive)[0].data<float>()[i], 0.0f) << i;
  const Tensor one_key = Tensor::FromFloat({1, 1, 1, 2}, {1, 0});
  const Tensor one_value = Tensor::FromFloat({1, 1, 1, 2}, {5, 6});
  auto causal = RunOp("Attention", {&q, &one_key, &one_value}, Attrs({{"causal", int64_t{1}}}));
  ASSERT_TRUE(causal.ok()) << causal.status().ToString();
  const float* c = (*causal)[0].data<float>();
  EXPECT_EQ(c[0], 0.0f);  // query 0 may see keys j <= 0 + 1 - 2: none
  EXPECT_EQ(c[2], 5.0f);  // query 1 sees key 0
}

TEST(AttentionTest, SymbolicInferenceAndErrors) {
  const TensorType q{DType::kF16, Shape{Sym("batch"), 12, Sym("seq"), 64}};
  const TensorType kv{DType::kF16, Shape{Sym("batch"), 4, Sym("kv"), 64}};
  const TensorType mask{DType::kBool, Shape{Sym("batch"), 1, 1, Sym("kv")}};
  auto out = Infer("Attention", {q, kv, kv, mask});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].ToString(), "f16[batch,12,seq,64]");
  const TensorType odd_heads{DType::kF16, Shape{Sym("batch"), 5, Sym("kv"), 64}};
  EXPECT_FALSE(Infer("Attention", {q, odd_heads, odd_heads}).ok());
  const TensorType wrong_d{DType::kF16, Shape{Sym("batch"), 4, Sym("kv"), 32}};
  EXPECT_FALSE(Infer("Attention", {q, wrong_d, kv}).ok());
  const TensorType wide_mask{DType::kBool, Shape{Sym("batch"), 1, 1, 7, 1}};
  EXPECT_FALSE(Infer("Attention", {q, kv, kv, wide_mask}).ok());
  EXPECT_FALSE(Infer("Attention", {q, kv, kv, {DType::kI64, Shape{1}}}).ok());
}

TEST(AttentionTest, CostCountsBothProducts) {
  const TensorType q{DType::kF32, Shape{1, 12, 128, 64}};
  const TensorType kv{DType::kF32, Shape{1, 12, 128, 64}};
  const TensorType* ins[] = {&q, &kv, &kv};
  const std::vector<TensorType> outs = {q};
  const Attributes none;
  const OpCost cost = FindOp("Attention")->cost(CostContext{ins, outs, none});
  const double scores = 12.0 * 128 * 128;
  EXPECT_GE(cost.flops, 4 * scores * 64);
  EXPECT_LT(cost.flops, 4 * scores * 64 + 50 * scores);
  EXPECT_EQ(cost.bytes, 4 * 4.0 * 12 * 128 * 64);  // q, k, v and the output
}

TEST(RopeTest, RotateHalfMatchesFormula) {
  // x [1,1,2,4], cos and sin [2,4] broadcast over batch and heads.
  const std::vector<float> xv = {1, 2, 3, 4, -1, 0.5f, 2, -3};
  const std::vector<float> cv = Values(8, 21), sv = Values(8, 22);
  const Tensor x = Tensor::FromFloat({1, 1, 2, 4}, xv);
  const Tensor cos = Tensor::FromFloat({2, 4}, cv);
  const Tensor sin = Tensor::FromFloat({2, 4}, sv);
  auto out = RunOp("Rope", {&x, &cos, &sin});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (int s = 0; s < 2; ++s) {
    const float* r = &xv[s * 4];
    const double rotated[4] = {-r[2], -r[3], r[0], r[1]};
    for (int c = 0; c < 4; ++c) {
      const double want = r[c] * cv[s * 4 + c] + rotated[c] * sv[s * 4 + c];
      EXPECT_NEAR((*out)[0].data<float>()[s * 4 + c], want, 1e-6) << s << "," << c;
    }
  }
  const Tensor odd = Tensor::FromFloat({2, 3}, {});
  EXPECT_FALSE(RunOp("Rope", {&odd, &odd, &odd}).ok());
  const Tensor long_cos = Tensor::FromFloat({3, 4}, {});
  EXPECT_FALSE(RunOp("Rope", {&x, &long_cos, &sin}).ok());
}

TEST(SwiGLUTest, SiluTimesUp) {
  const Tensor gate = Tensor::FromFloat({2, 2}, {0, 1, -2, 3});
  const Tensor up = Tensor::FromFloat({2}, {2, -1});
  auto out = RunOp("SwiGLU", {&gate, &up});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const double g[] = {0, 1, -2, 3}, u[] = {2, -1, 2, -1};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR((*out)[0].data<float>()[i], g[i] / (1 + std::exp(-g[i])) * u[i], 1e-6);
  }
  EXPECT_EQ(Infer("SwiGLU",
                  {{DType::kBF16, Shape{Sym("s"), 3072}}, {DType::kBF16, Shape{Sym("s"), 3072}}})
                .value()[0]
                .ToString(),
            "bf16[s,3072]");
}

TEST(KvCacheAppendTest, ReplacesRowsAndChecksPosition) {
  std::vector<float> cache_values(2 * 4 * 2);
  for (size_t i = 0; i < cache_values.size(); ++i) cache_values[i] = static_cast<float>(i);
  const Tensor cache = Tensor::FromFloat({1, 2, 4, 2}, cache_values);
  const Tensor update = Tensor::FromFloat({1, 2, 2, 2}, {-1, -2, -3, -4, -5, -6, -7, -8});
  const Tensor position = Tensor::FromInt64({}, {1});
  auto out = RunOp("KvCacheAppend", {&cache, &update, &position});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const std::vector<float> want = {0, 1, -1, -2, -3, -4, 6, 7, 8, 9, -5, -6, -7, -8, 14, 15};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ((*out)[0].data<float>()[i], want[i]) << i;
  EXPECT_EQ(cache.data<float>()[2], 2.0f);  // the input cache is untouched
  for (int64_t bad : {3, -1, 100}) {
    const Tensor p = Tensor::FromInt64({}, {bad});
    auto r = RunOp("KvCacheAppend", {&cache, &update, &p});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange) << r.status().ToString();
  }
  // With symbolic dims nothing is known; a too-long update is caught statically.
  const TensorType c{DType::kF16, Shape{Sym("b"), 12, 1024, 64}};
  const TensorType u{DType::kF16, Shape{Sym("b"), 12, Sym("n"), 64}};
  const TensorType p{DType::kI64, Shape{}};
  EXPECT_EQ(Infer("KvCacheAppend", {c, u, p}).value()[0].ToString(), "f16[b,12,1024,64]");
  EXPECT_FALSE(Infer("KvCacheAppend", {c, {DType::kF16, Shape{Sym("b"), 12, 2048, 64}}, p}).ok());
}

}  // namespace
}  // namespace hetero::ops
