// Every fast kernel on every code path this CPU has, against the reference kernel of its
// op, with odd shapes; and the nodes the fast kernels must leave to the reference.
#include "devices/cpu/kernels/fast_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace hetero::cpu {
namespace {

std::vector<Isa> PathsHere() {
  std::vector<Isa> paths = {Isa::kPortable};
  if (DetectedIsa() >= Isa::kAvx2) paths.push_back(Isa::kAvx2);
  if (DetectedIsa() >= Isa::kAvx512) paths.push_back(Isa::kAvx512);
  return paths;
}

Tensor RandomTensor(std::vector<int64_t> dims, float lo, float hi, uint32_t seed) {
  Tensor t = *Tensor::Allocate(DType::kF32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data<float>()[i] = dist(rng);
  return t;
}

struct Case {
  std::string op;
  std::vector<Tensor> inputs;  // an empty tensor of rank 0 with no storage: left out
  std::vector<bool> present;
  std::vector<int64_t> out_dims;
  ops::Attributes attrs;
  bool pack_b = false;  // give the fast kernel a packed right operand
};

Case Make(std::string op, std::vector<Tensor> inputs, std::vector<int64_t> out_dims) {
  Case c;
  c.op = std::move(op);
  c.present.assign(inputs.size(), true);
  c.inputs = std::move(inputs);
  c.out_dims = std::move(out_dims);
  return c;
}

// Runs the case on the path and on the reference; every element within the conformance
// suite's f32 tolerance (1e-5 relative, absolute below 1).
void Check(const Case& c, Isa isa) {
  SCOPED_TRACE(c.op + " on " + IsaName(isa));
  const ops::OpSchema* schema = ops::FindOp(c.op);
  ASSERT_NE(schema, nullptr);
  std::vector<const Tensor*> ins;
  for (size_t i = 0; i < c.inputs.size(); ++i) ins.push_back(c.present[i] ? &c.inputs[i] : nullptr);
  Tensor want = *Tensor::Allocate(DType::kF32, c.out_dims);
  Tensor got = *Tensor::Allocate(DType::kF32, c.out_dims);
  Tensor* want_out[1] = {&want};
  Tensor* got_out[1] = {&got};
  ASSERT_TRUE(schema->reference({ins, want_out, c.attrs}).ok());
  std::shared_ptr<const PackedWeights> packed;
  if (c.pack_b) {
    packed = *PackWeights(c.inputs[1], c.attrs.GetInt("transpose_b", 0) != 0);
  }
  FastContext fast;
  fast.kernels = &KernelsFor(isa);
  fast.packed_b = packed.get();
  fast.parallel_for = [](uint64_t count, uint64_t grain, const auto& fn) {
    for (uint64_t end = count; end > 0;) {  // chunks in reverse order
      const uint64_t begin = end > grain ? end - grain : 0;
      fn(begin, end);
      end = begin;
    }
  };
  auto done = TryFastKernel(*schema, {ins, got_out, c.attrs}, fast);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_TRUE(*done) << "the fast kernel declined the case";
  int64_t bad = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const float w = want.data<float>()[i];
    const float g = got.data<float>()[i];
    const bool ok =
        std::isnan(w) ? std::isnan(g) : std::fabs(w - g) <= 1e-5 * std::max(1.0f, std::fabs(w));
    if (!ok && bad++ < 3) ADD_FAILURE() << "[" << i << "] want " << w << " got " << g;
  }
  EXPECT_EQ(bad, 0);
}

void CheckAll(const std::vector<Case>& cases) {
  for (Isa isa : PathsHere()) {
    for (const Case& c : cases) Check(c, isa);
  }
}

TEST(FastOps, MatMulShapes) {
  std::vector<Case> cases;
  cases.push_back(Make("MatMul",
                       {RandomTensor({2, 7, 13}, -1, 1, 1), RandomTensor({13, 33}, -1, 1, 2)},
                       {2, 7, 33}));
  cases.push_back(cases.back());
  cases.back().pack_b = true;
  Case t = Make("MatMul", {RandomTensor({129, 300}, -1, 1, 3), RandomTensor({31, 300}, -1, 1, 4)},
                {129, 31});
  t.attrs.Set("transpose_b", int64_t{1});
  cases.push_back(t);
  cases.push_back(Make("MatMul",
                       {RandomTensor({3, 5, 9}, -1, 1, 5), RandomTensor({3, 9, 17}, -1, 1, 6)},
                       {3, 5, 17}));
  cases.push_back(
      Make("MatMul", {RandomTensor({13}, -1, 1, 7), RandomTensor({13, 1}, -1, 1, 8)}, {1}));
  CheckAll(cases);
}

TEST(FastOps, FusedMatMulBiasAndActivations) {
  std::vector<Case> cases;
  for (const char* act : {"none", "relu", "gelu", "gelu_tanh", "silu"}) {
    Case c = Make("FusedMatMul",
                  {RandomTensor({1, 29, 70}, -1, 1, 9), RandomTensor({70, 45}, -1, 1, 10),
                   RandomTensor({45}, -1, 1, 11)},
                  {1, 29, 45});
    c.attrs.Set("activation", std::string(act));
    c.pack_b = true;
    cases.push_back(c);
  }
  cases.push_back(Make("FusedMatMul",
                       {RandomTensor({4, 8}, -1, 1, 12), RandomTensor({8, 6}, -1, 1, 13),
                        RandomTensor({1}, -1, 1, 14)},
                       {4, 6}));
  CheckAll(cases);
}

TEST(FastOps, NormsSoftmaxAndElementwise) {
  std::vector<Case> cases;
  cases.push_back(Make("LayerNorm",
                       {RandomTensor({7, 129}, -3, 5, 20), RandomTensor({129}, 0.5, 2, 21),
                        RandomTensor({129}, -1, 1, 22)},
                       {7, 129}));
  Case ln = Make("LayerNorm",
                 {RandomTensor({3, 4, 5}, -3, 5, 23), RandomTensor({4, 5}, 0.5, 2, 24)}, {3, 4, 5});
  ln.attrs.Set("axis", int64_t{1});
  cases.push_back(ln);
  cases.push_back(Make(
      "RMSNorm", {RandomTensor({13, 65}, -3, 3, 25), RandomTensor({65}, 0.5, 2, 26)}, {13, 65}));
  cases.push_back(Make("Softmax", {RandomTensor({5, 129}, -20, 20, 27)}, {5, 129}));
  Case special = Make("Softmax", {RandomTensor({3, 17}, -5, 5, 28)}, {3, 17});
  special.inputs[0].mutable_data<float>()[3] = -std::numeric_limits<float>::infinity();
  for (int j = 17; j < 34; ++j) {
    special.inputs[0].mutable_data<float>()[j] = -std::numeric_limits<float>::infinity();
  }
  special.inputs[0].mutable_data<float>()[40] = std::numeric_limits<float>::quiet_NaN();
  cases.push_back(special);
  for (const char* op : {"Relu", "Silu"}) {
    cases.push_back(Make(op, {RandomTensor({1001}, -8, 8, 29)}, {1001}));
  }
  for (const char* approx : {"none", "tanh"}) {
    Case g = Make("Gelu", {RandomTensor({7, 143}, -8, 8, 30)}, {7, 143});
    g.attrs.Set("approximate", std::string(approx));
    cases.push_back(g);
  }
  cases.push_back(Make(
      "SwiGLU", {RandomTensor({3, 77}, -6, 6, 31), RandomTensor({3, 77}, -2, 2, 32)}, {3, 77}));
  cases.push_back(
      Make("Add", {RandomTensor({4, 33}, -1, 1, 33), RandomTensor({33}, -1, 1, 34)}, {4, 33}));
  cases.push_back(
      Make("Add", {RandomTensor({1, 33}, -1, 1, 35), RandomTensor({4, 33}, -1, 1, 36)}, {4, 33}));
  cases.push_back(Make("Mul",
                       {RandomTensor({5, 70001}, -1, 1, 37), RandomTensor({5, 70001}, -1, 1, 38)},
                       {5, 70001}));
  CheckAll(cases);
}

Case RopeCase(std::vector<int64_t> x_dims, std::vector<int64_t> cos_dims,
              std::vector<int64_t> sin_dims, uint32_t seed) {
  return Make("Rope",
              {RandomTensor(x_dims, -3, 3, seed), RandomTensor(cos_dims, -1, 1, seed + 1),
               RandomTensor(sin_dims, -1, 1, seed + 2)},
              x_dims);
}

// Half-rows shorter than, equal to and past a vector (with a tail); tables of x's shape
// and broadcast over batch and heads; odd row counts; enough rows to split in tasks.
TEST(FastOps, RopeWithBroadcastTables) {
  CheckAll({
      RopeCase({2, 3, 5, 8}, {5, 8}, {5, 8}, 40),
      RopeCase({2, 3, 7, 40}, {1, 1, 7, 40}, {7, 40}, 43),
      RopeCase({3, 64}, {3, 64}, {3, 64}, 46),
      RopeCase({13, 2}, {1, 2}, {13, 2}, 49),
      RopeCase({2, 1, 3, 32}, {2, 1, 3, 32}, {1, 3, 32}, 52),
      RopeCase({1, 4, 129, 128}, {129, 128}, {1, 1, 129, 128}, 55),
  });
}

// The row kernel reads both halves of a step before writing them: in place gives the
// same row as out of place.
TEST(FastOps, RopeRowInPlace) {
  const Tensor x = RandomTensor({70}, -3, 3, 58);
  const Tensor table = RandomTensor({2, 70}, -1, 1, 59);
  const float* cosines = table.data<float>();
  const float* sines = cosines + 70;
  for (Isa isa : PathsHere()) {
    SCOPED_TRACE(IsaName(isa));
    const KernelTable& kt = KernelsFor(isa);
    std::vector<float> out(70), in_place(x.data<float>(), x.data<float>() + 70);
    kt.rope_row(x.data<float>(), cosines, sines, out.data(), 70);
    kt.rope_row(in_place.data(), cosines, sines, in_place.data(), 70);
    EXPECT_EQ(out, in_place);
    const float* xs = x.data<float>();
    EXPECT_NEAR(out[0], xs[0] * cosines[0] - xs[35] * sines[0], 1e-5);
    EXPECT_NEAR(out[69], xs[69] * cosines[69] + xs[34] * sines[69], 1e-5);
  }
}

Case AttentionCase(int64_t b, int64_t hq, int64_t hkv, int64_t sq, int64_t skv, int64_t d,
                   int64_t dv, uint32_t seed) {
  return Make(
      "Attention",
      {RandomTensor({b, hq, sq, d}, -2, 2, seed), RandomTensor({b, hkv, skv, d}, -2, 2, seed + 1),
       RandomTensor({b, hkv, skv, dv}, -2, 2, seed + 2)},
      {b, hq, sq, dv});
}

TEST(FastOps, AttentionMasksCausalityAndLongKeys) {
  std::vector<Case> cases;
  cases.push_back(AttentionCase(2, 4, 2, 13, 29, 16, 24, 40));
  Case causal = AttentionCase(1, 3, 3, 7, 300, 64, 64, 43);  // more keys than one block
  causal.attrs.Set("causal", int64_t{1});
  causal.attrs.Set("scale", 0.3);
  cases.push_back(causal);
  // Causal with as many queries as keys (the key range stops at each query block's last
  // row, inside a panel), more queries than keys (the first rows see nothing; a whole
  // query block sees nothing), and keys past one block.
  for (const auto& [sq, skv] : {std::pair<int64_t, int64_t>{130, 130}, {150, 10}, {300, 300}}) {
    Case prefill = AttentionCase(1, 2, 1, sq, skv, 16, 8, 61);
    prefill.attrs.Set("causal", int64_t{1});
    cases.push_back(prefill);
  }
  Case boolean = AttentionCase(2, 2, 1, 13, 29, 8, 8, 46);
  Tensor mask = *Tensor::Allocate(DType::kBool, {13, 29});
  for (int64_t i = 0; i < mask.num_elements(); ++i) {
    mask.mutable_data<uint8_t>()[i] = (i * 7) % 3 != 0 && i >= 29 ? 1 : 0;  // row 0 sees nothing
  }
  boolean.inputs.push_back(mask);
  boolean.present.push_back(true);
  cases.push_back(boolean);
  Case additive = AttentionCase(2, 2, 2, 1, 513, 32, 16, 49);
  additive.inputs.push_back(RandomTensor({2, 1, 1, 513}, -30, 0, 52));
  additive.present.push_back(true);
  cases.push_back(additive);
  // An f32 mask broadcast along the keys (one value per query row), and a whole first
  // key block masked out for one row by -inf: the online softmax starts on the second.
  Case per_row = AttentionCase(1, 2, 2, 5, 300, 16, 16, 55);
  Tensor row_mask = RandomTensor({1, 1, 5, 1}, -3, 3, 56);
  per_row.inputs.push_back(row_mask);
  per_row.present.push_back(true);
  cases.push_back(per_row);
  Case late = AttentionCase(1, 1, 1, 3, 300, 16, 16, 57);
  Tensor late_mask = RandomTensor({3, 300}, -1, 0, 58);
  for (int64_t j = 0; j < 256; ++j) {
    late_mask.mutable_data<float>()[j] = -std::numeric_limits<float>::infinity();
  }
  late.inputs.push_back(late_mask);
  late.present.push_back(true);
  cases.push_back(late);
  CheckAll(cases);
}

// One pass: scale, the optional row to add, the largest result; in place too.
TEST(FastOps, ScaleAddMaxOnEveryPath) {
  const Tensor x = RandomTensor({37}, -4, 4, 60);
  const Tensor add = RandomTensor({37}, -2, 2, 61);
  for (Isa isa : PathsHere()) {
    SCOPED_TRACE(IsaName(isa));
    const KernelTable& kt = KernelsFor(isa);
    std::vector<float> y(37), in_place(x.data<float>(), x.data<float>() + 37);
    const float mx = kt.scale_add_max(x.data<float>(), 0.5f, add.data<float>(), y.data(), 37);
    float want_max = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < 37; ++i) {
      const float want = x.data<float>()[i] * 0.5f + add.data<float>()[i];
      EXPECT_NEAR(y[i], want, 1e-6) << i;
      want_max = std::max(want_max, want);
    }
    EXPECT_NEAR(mx, want_max, 1e-6);
    const float mx2 = kt.scale_add_max(in_place.data(), 2.0f, nullptr, in_place.data(), 37);
    for (int i = 0; i < 37; ++i) EXPECT_EQ(in_place[i], x.data<float>()[i] * 2.0f);
    EXPECT_EQ(mx2, *std::max_element(in_place.begin(), in_place.end()));
    EXPECT_EQ(kt.scale_add_max(x.data<float>(), 1.0f, nullptr, y.data(), 0),
              -std::numeric_limits<float>::infinity());
  }
}

TEST(FastOps, TransposeKeepingInnerDims) {
  std::vector<Case> cases;
  auto transpose = [&](std::vector<int64_t> dims, std::vector<int64_t> perm, uint32_t seed) {
    std::vector<int64_t> out;
    for (int64_t p : perm) out.push_back(dims[static_cast<size_t>(p)]);
    Case c = Make("Transpose", {RandomTensor(dims, -1, 1, seed)}, out);
    c.attrs.Set("perm", perm);
    cases.push_back(c);
  };
  transpose({2, 5, 3, 8}, {0, 2, 1, 3}, 70);     // attention's head split
  transpose({3, 4, 2, 8}, {1, 0, 2, 3}, 71);     // two inner dims kept
  transpose({2, 3, 4, 5}, {2, 0, 1, 3}, 72);     // runs of 20 bytes
  transpose({1, 300, 4, 16}, {0, 2, 1, 3}, 73);  // enough runs to split in tasks
  CheckAll(cases);
}

TEST(FastOps, LeavesOtherFormsToTheReference) {
  FastContext fast;
  fast.kernels = &KernelsFor(Isa::kPortable);
  const Tensor a = RandomTensor({4, 6}, -1, 1, 60);
  const Tensor b = RandomTensor({6, 5}, -1, 1, 61);
  Tensor out = *Tensor::Allocate(DType::kF32, {6, 5});
  Tensor* outs[1] = {&out};
  ops::Attributes transpose_a;
  transpose_a.Set("transpose_a", int64_t{1});
  const Tensor* mm[2] = {&a, &b};
  auto done = TryFastKernel(*ops::FindOp("MatMul"), {mm, outs, transpose_a}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  Tensor ints = *Tensor::Allocate(DType::kI32, {4, 6});
  Tensor int_out = *Tensor::Allocate(DType::kI32, {4, 6});
  Tensor* int_outs[1] = {&int_out};
  const Tensor* add[2] = {&ints, &ints};
  ops::Attributes none;
  done = TryFastKernel(*ops::FindOp("Add"), {add, int_outs, none}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  // A scalar operand (rank 0) is a broadcast the fast Add does not take.
  const Tensor scalar = RandomTensor({}, -1, 1, 62);
  Tensor add_out = *Tensor::Allocate(DType::kF32, {4, 6});
  Tensor* add_outs[1] = {&add_out};
  const Tensor* with_scalar[2] = {&a, &scalar};
  done = TryFastKernel(*ops::FindOp("Add"), {with_scalar, add_outs, none}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  ops::Attributes axis0;
  axis0.Set("axis", int64_t{0});
  const Tensor* sm[1] = {&a};
  Tensor sm_out = *Tensor::Allocate(DType::kF32, {4, 6});
  Tensor* sm_outs[1] = {&sm_out};
  done = TryFastKernel(*ops::FindOp("Softmax"), {sm, sm_outs, axis0}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  // Rope with an odd last dim, or a table broadcast along the last axis: the reference's.
  const Tensor odd = RandomTensor({2, 5}, -1, 1, 63);
  const Tensor odd_table = RandomTensor({2, 5}, -1, 1, 64);
  Tensor odd_out = *Tensor::Allocate(DType::kF32, {2, 5});
  Tensor* odd_outs[1] = {&odd_out};
  const Tensor* odd_rope[3] = {&odd, &odd_table, &odd_table};
  done = TryFastKernel(*ops::FindOp("Rope"), {odd_rope, odd_outs, none}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  const Tensor column = RandomTensor({4, 1}, -1, 1, 65);
  const Tensor* column_rope[3] = {&a, &column, &column};
  Tensor rope_out = *Tensor::Allocate(DType::kF32, {4, 6});
  Tensor* rope_outs[1] = {&rope_out};
  done = TryFastKernel(*ops::FindOp("Rope"), {column_rope, rope_outs, none}, fast);
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
  // Transposes that move the last dim (runs of one element), keep every dim, or name a
  // bad permutation: the reference's.
  Tensor t_out = *Tensor::Allocate(DType::kF32, {6, 4});
  Tensor* t_outs[1] = {&t_out};
  for (const std::vector<int64_t>& perm : {std::vector<int64_t>{1, 0}, {0, 1}, {0, 0}, {2, 0}}) {
    ops::Attributes attrs;
    attrs.Set("perm", perm);
    done = TryFastKernel(*ops::FindOp("Transpose"), {sm, t_outs, attrs}, fast);
    ASSERT_TRUE(done.ok());
    EXPECT_FALSE(*done);
  }
}

}  // namespace
}  // namespace hetero::cpu
