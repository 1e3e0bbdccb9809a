// GraphBuilder and the pieces the built-in transformers share.
#include "compiler/builtin/builder.h"

#include <cmath>
#include <cstring>

namespace hetero::builtin {

namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& s : s_) s = SplitMix64(seed);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

float Rng::Uniform() { return static_cast<float>(Next() >> 40) * (1.0f / 16777216.0f); }

int64_t Rng::Below(int64_t bound) {
  // Multiply-shift: unbiased enough for sample data, and exact across machines.
  const unsigned __int128 wide =
      static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(bound);
  return static_cast<int64_t>(wide >> 64);
}

uint64_t HashName(std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

ir::Value* GraphBuilder::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
  return nullptr;
}

std::string GraphBuilder::NodeName(std::string_view op) {
  return graph_->UniqueName(scope_.empty() ? std::string(op) : scope_ + "/" + std::string(op));
}

ir::Value* GraphBuilder::Input(std::string name, DType dtype, std::vector<Dim> dims) {
  if (!ok()) return nullptr;
  auto v = graph_->AddInput(std::move(name), TensorType{dtype, Shape(std::move(dims))});
  if (!v.ok()) return Fail(v.status());
  return *v;
}

void GraphBuilder::Output(ir::Value* value) {
  if (ok()) graph_->AddOutput(value);
}

ir::Value* GraphBuilder::Op(std::string_view op, std::vector<ir::Value*> inputs,
                            ops::Attributes attrs, std::string output_name) {
  if (!ok()) return nullptr;
  std::vector<std::string> names;
  if (!output_name.empty()) names.push_back(std::move(output_name));
  auto node =
      graph_->AddNode(op, std::move(inputs), std::move(attrs), 1, NodeName(op), std::move(names));
  if (!node.ok()) return Fail(node.status());
  return (*node)->output(0);
}

std::vector<ir::Value*> GraphBuilder::OpN(std::string_view op, std::vector<ir::Value*> inputs,
                                          ops::Attributes attrs, size_t num_outputs) {
  if (!ok()) return std::vector<ir::Value*>(num_outputs, nullptr);
  auto node = graph_->AddNode(op, std::move(inputs), std::move(attrs), num_outputs, NodeName(op));
  if (!node.ok()) {
    Fail(node.status());
    return std::vector<ir::Value*>(num_outputs, nullptr);
  }
  return (*node)->outputs();
}

ir::Value* GraphBuilder::AddConstant(std::string name, Tensor tensor) {
  if (!ok()) return nullptr;
  auto v = graph_->AddConstant(std::move(name), std::move(tensor));
  if (!v.ok()) return Fail(v.status());
  return *v;
}

ir::Value* GraphBuilder::ScalarF32(float value) {
  auto it = f32_scalars_.find(value);
  if (it != f32_scalars_.end() && ok()) return it->second;
  ir::Value* v = AddConstant(graph_->UniqueName("const_f32"), Tensor::FromFloat({}, {value}));
  if (v) f32_scalars_[value] = v;
  return v;
}

ir::Value* GraphBuilder::ScalarI64(int64_t value) {
  auto it = i64_scalars_.find(value);
  if (it != i64_scalars_.end() && ok()) return it->second;
  ir::Value* v = AddConstant(graph_->UniqueName("const_i64"), Tensor::FromInt64({}, {value}));
  if (v) i64_scalars_[value] = v;
  return v;
}

ir::Value* GraphBuilder::ConstI64(std::vector<int64_t> values) {
  auto it = i64_vectors_.find(values);
  if (it != i64_vectors_.end() && ok()) return it->second;
  const int64_t n = static_cast<int64_t>(values.size());
  ir::Value* v = AddConstant(graph_->UniqueName("const_i64"), Tensor::FromInt64({n}, values));
  if (v) i64_vectors_[std::move(values)] = v;
  return v;
}

ir::Value* GraphBuilder::ConstF32(std::string name, std::vector<int64_t> dims,
                                  std::vector<float> values) {
  return AddConstant(std::move(name), Tensor::FromFloat(std::move(dims), values));
}

ir::Value* GraphBuilder::RandomWeight(const std::string& name, std::vector<int64_t> dims,
                                      float stddev, float mean) {
  if (!ok()) return nullptr;
  auto tensor = Tensor::Allocate(DType::kF32, std::move(dims));
  if (!tensor.ok()) return Fail(tensor.status().WithContext("weight '" + name + "'"));
  // Uniform on [-a, a] has standard deviation a / sqrt(3).
  const float scale = 2.0f * stddev * std::sqrt(3.0f);
  const float shift = stddev * std::sqrt(3.0f) - mean;
  Rng rng(seed_ ^ HashName(name));
  float* data = tensor->mutable_data<float>();
  const int64_t n = tensor->num_elements();
  for (int64_t i = 0; i < n; ++i) data[i] = rng.Uniform() * scale - shift;
  return AddConstant(name, std::move(*tensor));
}

ir::Value* GraphBuilder::Reshape(ir::Value* x, std::vector<int64_t> shape) {
  return Op("Reshape", {x, ConstI64(std::move(shape))});
}

ir::Value* GraphBuilder::Transpose(ir::Value* x, std::vector<int64_t> perm) {
  ops::Attributes attrs;
  attrs.Set("perm", std::move(perm));
  return Op("Transpose", {x}, std::move(attrs));
}

ir::Value* GraphBuilder::Unsqueeze(ir::Value* x, std::vector<int64_t> axes) {
  ops::Attributes attrs;
  attrs.Set("axes", std::move(axes));
  return Op("Unsqueeze", {x}, std::move(attrs));
}

ir::Value* GraphBuilder::Cast(ir::Value* x, DType to) {
  ops::Attributes attrs;
  attrs.Set("to", std::string(DTypeName(to)));
  return Op("Cast", {x}, std::move(attrs));
}

ir::Value* GraphBuilder::Slice(ir::Value* x, int64_t start, int64_t end, int64_t axis) {
  return Op("Slice", {x, ConstI64({start}), ConstI64({end}), ConstI64({axis})});
}

ir::Value* GraphBuilder::Linear(ir::Value* x, int64_t in, int64_t out, const std::string& name,
                                bool bias) {
  ir::Value* y = MatMul(x, RandomWeight(name + ".weight", {in, out}));
  return bias ? Add(y, RandomWeight(name + ".bias", {out})) : y;
}

ir::Value* GraphBuilder::LayerNorm(ir::Value* x, int64_t dim, float epsilon,
                                   const std::string& name, std::string output_name) {
  // Scale near 1 and a small bias rather than exactly 1 and 0, so that a mistake in how
  // either is applied changes the outputs.
  ir::Value* scale = RandomWeight(name + ".weight", {dim}, 0.02f, 1.0f);
  ops::Attributes attrs;
  attrs.Set("axis", int64_t{-1});
  attrs.Set("epsilon", static_cast<double>(epsilon));
  return Op("LayerNorm", {x, scale, RandomWeight(name + ".bias", {dim})}, std::move(attrs),
            std::move(output_name));
}

ir::Value* TokenInput(GraphBuilder& b, const std::string& name) {
  return b.Input(name, DType::kI64, {Dim::Symbol("batch"), Dim::Symbol("seq")});
}

SeqHelpers MakeSeqHelpers(GraphBuilder& b, ir::Value* ids) {
  ops::Attributes over_batch;
  over_batch.Set("axes", std::vector<int64_t>{0});
  over_batch.Set("keepdims", int64_t{0});
  ir::Value* ones = b.Cast(b.Op("Equal", {ids, ids}), DType::kF32);  // [batch, seq]
  ir::Value* seq_ones = b.Op("ReduceMax", {ones}, over_batch);       // [seq]
  ir::Value* square = b.Mul(b.Unsqueeze(seq_ones, {1}), b.Unsqueeze(seq_ones, {0}));
  ops::Attributes lower_attrs;
  lower_attrs.Set("upper", int64_t{0});
  ir::Value* lower = b.Op("Trilu", {square}, lower_attrs);  // [seq, seq], 1 where j <= i
  ops::Attributes over_keys;
  over_keys.Set("axes", std::vector<int64_t>{1});
  over_keys.Set("keepdims", int64_t{0});
  ir::Value* counts = b.Op("ReduceSum", {lower}, over_keys);  // [seq]: i + 1
  ir::Value* positions = b.Cast(b.Sub(counts, b.ScalarF32(1.0f)), DType::kI64);
  SeqHelpers out;
  out.position_ids = b.Unsqueeze(positions, {0});
  out.causal = b.Cast(lower, DType::kBool);
  return out;
}

ir::Value* PaddingMask(GraphBuilder& b, ir::Value* attention_mask) {
  ir::Value* keep = b.Unsqueeze(b.Cast(attention_mask, DType::kF32), {1, 2});
  return b.Mul(b.Sub(b.ScalarF32(1.0f), keep), b.ScalarF32(kMaskValue));
}

ir::Value* SplitHeads(GraphBuilder& b, ir::Value* x, int64_t heads, int64_t head_dim) {
  return b.Transpose(b.Reshape(x, {0, 0, heads, head_dim}), {0, 2, 1, 3});
}

ir::Value* MergeHeads(GraphBuilder& b, ir::Value* x, int64_t heads, int64_t head_dim) {
  return b.Reshape(b.Transpose(x, {0, 2, 1, 3}), {0, 0, heads * head_dim});
}

ir::Value* GeluTanh(GraphBuilder& b, ir::Value* x) {
  // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
  ir::Value* cube = b.Op("Pow", {x, b.ScalarF32(3.0f)});
  ir::Value* inner = b.Add(x, b.Mul(b.ScalarF32(0.044715f), cube));
  ir::Value* t = b.Op("Tanh", {b.Mul(b.ScalarF32(0.7978845608028654f), inner)});
  return b.Mul(b.Mul(b.ScalarF32(0.5f), x), b.Add(b.ScalarF32(1.0f), t));
}

ir::Value* GeluErf(GraphBuilder& b, ir::Value* x) {
  // x * 0.5 * (1 + erf(x / sqrt(2)))
  ir::Value* e = b.Op("Erf", {b.Div(x, b.ScalarF32(1.4142135623730951f))});
  return b.Mul(b.Mul(x, b.ScalarF32(0.5f)), b.Add(b.ScalarF32(1.0f), e));
}

ir::Value* DotProductAttention(GraphBuilder& b, ir::Value* q, ir::Value* k, ir::Value* v,
                               int64_t head_dim, ir::Value* bool_mask, ir::Value* add_mask) {
  ir::Value* scores = b.MatMul(q, b.Transpose(k, {0, 1, 3, 2}));
  scores = b.Div(scores, b.ScalarF32(std::sqrt(static_cast<float>(head_dim))));
  if (bool_mask != nullptr) scores = b.Op("Where", {bool_mask, scores, b.ScalarF32(kMaskValue)});
  if (add_mask != nullptr) scores = b.Add(scores, add_mask);
  ops::Attributes softmax;
  softmax.Set("axis", int64_t{-1});
  return b.MatMul(b.Op("Softmax", {scores}, std::move(softmax)), v);
}

}  // namespace hetero::builtin
