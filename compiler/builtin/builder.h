// GraphBuilder: terse graph construction for the built-in models, with seeded weights.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::builtin {

// A small fast PRNG (xoshiro256**, seeded through splitmix64): the same numbers on every
// machine and compiler, unlike the <random> distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, 1) with 24 random bits.
  float Uniform();
  // Uniform integer in [0, bound), bound > 0.
  int64_t Below(int64_t bound);

 private:
  uint64_t s_[4];
};

// 64-bit FNV-1a of a string, to give each weight its own stream from its name.
uint64_t HashName(std::string_view name);

// Builds into a graph it does not own. The first error is kept and every later call
// returns nullptr, so model code reads as straight-line math and checks status() once
// (the pattern of XLA's XlaBuilder). A scope prefixes node names ("h.0.attn/MatMul").
class GraphBuilder {
 public:
  GraphBuilder(ir::Graph* graph, uint64_t seed) : graph_(graph), seed_(seed) {}

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  ir::Graph& graph() { return *graph_; }
  void set_scope(std::string scope) { scope_ = std::move(scope); }
  const std::string& scope() const { return scope_; }

  ir::Value* Input(std::string name, DType dtype, std::vector<Dim> dims);
  void Output(ir::Value* value);

  // One node of the op set; nullptr inputs are absent optional inputs. `output_name`
  // names the output value (graph outputs such as "logits"); else "<node>:0".
  ir::Value* Op(std::string_view op, std::vector<ir::Value*> inputs, ops::Attributes attrs = {},
                std::string output_name = "");
  std::vector<ir::Value*> OpN(std::string_view op, std::vector<ir::Value*> inputs,
                              ops::Attributes attrs, size_t num_outputs);

  // Constants. Scalars and small vectors are shared by value.
  ir::Value* ScalarF32(float value);
  ir::Value* ScalarI64(int64_t value);
  ir::Value* ConstI64(std::vector<int64_t> values);  // 1-D
  ir::Value* ConstF32(std::string name, std::vector<int64_t> dims, std::vector<float> values);

  // A parameter, named as the original model names it ("h.0.attn.c_attn.weight"):
  // uniform with mean `mean` and standard deviation `stddev`, from a stream
  // seeded by the builder's seed and the name.
  ir::Value* RandomWeight(const std::string& name, std::vector<int64_t> dims, float stddev = 0.02f,
                          float mean = 0.0f);

  // Common op shorthands.
  ir::Value* Add(ir::Value* a, ir::Value* b) { return Op("Add", {a, b}); }
  ir::Value* Sub(ir::Value* a, ir::Value* b) { return Op("Sub", {a, b}); }
  ir::Value* Mul(ir::Value* a, ir::Value* b) { return Op("Mul", {a, b}); }
  ir::Value* Div(ir::Value* a, ir::Value* b) { return Op("Div", {a, b}); }
  ir::Value* MatMul(ir::Value* a, ir::Value* b) { return Op("MatMul", {a, b}); }
  ir::Value* Reshape(ir::Value* x, std::vector<int64_t> shape);
  ir::Value* Transpose(ir::Value* x, std::vector<int64_t> perm);
  ir::Value* Unsqueeze(ir::Value* x, std::vector<int64_t> axes);
  ir::Value* Cast(ir::Value* x, DType to);
  ir::Value* Slice(ir::Value* x, int64_t start, int64_t end, int64_t axis);

  // x @ W (+ b) with W [in, out] random (std 0.02) and b random: `name`.weight/.bias.
  ir::Value* Linear(ir::Value* x, int64_t in, int64_t out, const std::string& name,
                    bool bias = true);
  // LayerNorm over the last dim with `name`.weight and `name`.bias.
  ir::Value* LayerNorm(ir::Value* x, int64_t dim, float epsilon, const std::string& name,
                       std::string output_name = "");

 private:
  // Keeps the first error; returns nullptr for the caller to return.
  ir::Value* Fail(Status status);
  std::string NodeName(std::string_view op);
  ir::Value* AddConstant(std::string name, Tensor tensor);

  ir::Graph* graph_;
  uint64_t seed_;
  Status status_;
  std::string scope_;
  std::map<float, ir::Value*> f32_scalars_;
  std::map<std::vector<int64_t>, ir::Value*> i64_vectors_;
  std::map<int64_t, ir::Value*> i64_scalars_;
};

// Sizes of a transformer, shared by the model files.
struct TransformerConfig {
  int64_t vocab = 0;
  int64_t dim = 0;
  int64_t layers = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;  // llama: grouped KV heads
  int64_t inner = 0;     // MLP width
  int64_t max_positions = 0;
  int64_t type_vocab = 0;  // bert
  float norm_epsilon = 1e-5f;
  float rope_theta = 10000.0f;  // llama
};

// Shared pieces of the models: the value added to scores where attention is masked out
// (finite, so it stays finite in f16 too), and helpers computing position tensors with
// the symbolic [seq] dim kept.
inline constexpr float kMaskValue = -10000.0f;

struct SeqHelpers {
  ir::Value* position_ids = nullptr;  // i64 [1, seq]: 0 .. seq-1
  ir::Value* causal = nullptr;        // bool [seq, seq]: true where key j <= query i
};
// From ids [batch, seq]: a lower-triangular ones matrix over the seq dim (Trilu of an
// outer product of ones), whose row sums give the positions. The shapes keep the `seq`
// symbol, where Range over a Shape-derived limit would give an unknown dim.
SeqHelpers MakeSeqHelpers(GraphBuilder& b, ir::Value* ids);
// attention_mask i64 [batch, seq] -> f32 [batch, 1, 1, seq]: 0 to keep, kMaskValue to mask.
ir::Value* PaddingMask(GraphBuilder& b, ir::Value* attention_mask);
// [batch, seq, heads*head_dim] -> [batch, heads, seq, head_dim].
ir::Value* SplitHeads(GraphBuilder& b, ir::Value* x, int64_t heads, int64_t head_dim);
// [batch, heads, seq, head_dim] -> [batch, seq, heads*head_dim].
ir::Value* MergeHeads(GraphBuilder& b, ir::Value* x, int64_t heads, int64_t head_dim);

// The graph's input `name` as the exporters declare it: i64 [batch, seq].
ir::Value* TokenInput(GraphBuilder& b, const std::string& name);

// GELU as the exporters spell it out: with tanh (GPT-2's "gelu_new") or with erf (BERT).
ir::Value* GeluTanh(GraphBuilder& b, ir::Value* x);
ir::Value* GeluErf(GraphBuilder& b, ir::Value* x);
// Scaled dot-product attention over [batch, heads, seq, head_dim] operands as the
// exporters emit it: MatMul(q, Transpose(k)) / sqrt(head_dim), an optional boolean mask
// (Where, false -> kMaskValue), an optional additive mask, Softmax, MatMul with v.
ir::Value* DotProductAttention(GraphBuilder& b, ir::Value* q, ir::Value* k, ir::Value* v,
                               int64_t head_dim, ir::Value* bool_mask, ir::Value* add_mask);

}  // namespace hetero::builtin
