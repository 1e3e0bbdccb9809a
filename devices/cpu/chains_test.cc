// Fused elementwise chains: which nodes PlanChains fuses, and that a fused run writes the
// same bits as the nodes run one by one, takes no arena memory for intermediates and
// gives one profile record per chain.
#include "devices/cpu/chains.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "devices/cpu/run.h"

namespace hetero::cpu {
namespace {

// A Program built node by node; every value f32.
class ProgramBuilder {
 public:
  int32_t Input(std::vector<int64_t> dims) {
    const int32_t v = AddValue(std::move(dims), -1);
    p_.inputs.push_back(v);
    return v;
  }
  int32_t Constant(std::vector<int64_t> dims, float first) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> data(static_cast<size_t>(n));
    for (size_t i = 0; i < data.size(); ++i) data[i] = first + 0.01f * static_cast<float>(i);
    const int32_t v = AddValue(dims, -1);
    p_.values[v].constant = Tensor::FromFloat(std::move(dims), data);
    return v;
  }
  int32_t Node(const std::string& op, std::vector<int32_t> inputs, std::vector<int64_t> dims,
               ops::Attributes attrs = {}) {
    ProgramNode node;
    node.schema = ops::FindOp(op);
    EXPECT_NE(node.schema, nullptr) << op;
    node.name = op + "_" + std::to_string(p_.nodes.size());
    node.attrs = std::move(attrs);
    node.inputs = std::move(inputs);
    const int32_t v = AddValue(std::move(dims), static_cast<int32_t>(p_.nodes.size()));
    node.outputs = {v};
    p_.nodes.push_back(std::move(node));
    return v;
  }
  void Output(int32_t v) { p_.outputs.push_back(v); }
  Program Build(bool fuse) {
    Program p = p_;
    PlanProgram(p);
    PlanChains(p, fuse);
    return p;
  }

 private:
  int32_t AddValue(std::vector<int64_t> dims, int32_t producer) {
    ProgramValue value;
    value.name = "v" + std::to_string(p_.values.size());
    value.dims = std::move(dims);
    value.producer = producer;
    p_.values.push_back(std::move(value));
    return static_cast<int32_t>(p_.values.size() - 1);
  }

  Program p_;
};

std::vector<std::vector<int32_t>> ChainNodes(const Program& p) {
  std::vector<std::vector<int32_t>> out;
  for (const FusedChain& c : p.chains) out.push_back(c.nodes);
  return out;
}

bool InAnyLevel(const std::vector<std::vector<int32_t>>& levels, int32_t node) {
  for (const auto& level : levels) {
    if (std::find(level.begin(), level.end(), node) != level.end()) return true;
  }
  return false;
}

TEST(FindChainsTest, AddThenLayerNormIsOneChain) {
  ProgramBuilder b;
  const int32_t x = b.Input({-1, 8});
  const int32_t r = b.Input({-1, 8});
  const int32_t sum = b.Node("Add", {x, r}, {-1, 8});
  b.Output(b.Node("LayerNorm", {sum, b.Constant({8}, 1), b.Constant({8}, 0)}, {-1, 8}));
  const Program p = b.Build(true);
  ASSERT_EQ(ChainNodes(p), (std::vector<std::vector<int32_t>>{{0, 1}}));
  EXPECT_EQ(p.chains[0].op, "Add+LayerNorm");
  EXPECT_EQ(p.chains[0].chained_input, (std::vector<int32_t>{-1, 0}));
  EXPECT_EQ(p.chain_ending_at, (std::vector<int32_t>{-1, 0}));
  EXPECT_FALSE(InAnyLevel(p.chain_levels, 0));  // runs with the LayerNorm
  EXPECT_TRUE(InAnyLevel(p.chain_levels, 1));
  EXPECT_TRUE(InAnyLevel(p.levels, 0));  // the plain levels, for other users, keep it
  ASSERT_EQ(p.chain_release.size(), 2u);
  EXPECT_TRUE(p.chain_release[0].empty());  // the Add's output is freed after the chain
  EXPECT_EQ(p.chain_release[1], (std::vector<int32_t>{2}));
  EXPECT_TRUE(b.Build(false).chains.empty());
}

TEST(FindChainsTest, AValueReadTwiceIsNotFused) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t sum = b.Node("Add", {x, x}, {4, 8});
  const int32_t norm = b.Node("RMSNorm", {sum, b.Constant({8}, 1)}, {4, 8});
  b.Output(b.Node("Mul", {sum, norm}, {4, 8}));
  EXPECT_TRUE(b.Build(true).chains.empty());
}

TEST(FindChainsTest, AGraphOutputIsNotAnIntermediate) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t sum = b.Node("Add", {x, x}, {4, 8});
  b.Output(sum);
  b.Output(b.Node("LayerNorm", {sum, b.Constant({8}, 1)}, {4, 8}));
  EXPECT_TRUE(b.Build(true).chains.empty());
}

TEST(FindChainsTest, VectorOperandsAndEitherSlotAreFused) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t scaled = b.Node("Mul", {b.Constant({8}, 2), x}, {4, 8});
  const int32_t biased = b.Node("Sub", {scaled, b.Constant({1, 8}, -1)}, {4, 8});
  const int32_t gelu = b.Node("Gelu", {biased}, {4, 8});
  b.Output(b.Node("Div", {x, gelu}, {4, 8}));
  const Program p = b.Build(true);
  ASSERT_EQ(ChainNodes(p), (std::vector<std::vector<int32_t>>{{0, 1, 2, 3}}));
  EXPECT_EQ(p.chains[0].op, "Mul+Sub+Gelu+Div");
  EXPECT_EQ(p.chains[0].chained_input, (std::vector<int32_t>{-1, 0, 0, 1}));
}

TEST(FindChainsTest, AnOpOutsideTheSetEndsTheChain) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t sum = b.Node("Add", {x, x}, {4, 8});
  const int32_t relu = b.Node("Relu", {sum}, {4, 8});
  const int32_t soft = b.Node("Softmax", {relu}, {4, 8});
  const int32_t tanh = b.Node("Tanh", {soft}, {4, 8});
  b.Output(b.Node("Exp", {tanh}, {4, 8}));
  EXPECT_EQ(ChainNodes(b.Build(true)), (std::vector<std::vector<int32_t>>{{0, 1}, {3, 4}}));
}

TEST(FindChainsTest, ANormNotOverTheLastAxisIsNotFused) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t sum = b.Node("Add", {x, x}, {4, 8});
  ops::Attributes attrs;
  attrs.Set("axis", int64_t{0});
  b.Output(b.Node("LayerNorm", {sum, b.Constant({4, 8}, 1)}, {4, 8}, attrs));
  EXPECT_TRUE(b.Build(true).chains.empty());
}

// A device whose host runs parallel_for chunks on threads and keeps profile records.
class ChainRunTest : public ::testing::Test {
 protected:
  ChainRunTest() {
    plugin_.host.host_context = this;
    plugin_.host.parallel_for = [](void*, uint64_t count, uint64_t grain,
                                   void (*fn)(void*, uint64_t, uint64_t), void* arg) {
      std::vector<std::thread> threads;
      const uint64_t step = std::max<uint64_t>(grain, (count + 3) / 4);
      for (uint64_t b = 0; b < count; b += step) {
        threads.emplace_back([=] { fn(arg, b, std::min(count, b + step)); });
      }
      for (std::thread& t : threads) t.join();
    };
    plugin_.host.profile_record = [](void* self, const hetero_profile_record* r) {
      static_cast<ChainRunTest*>(self)->records_.emplace_back(r->name, r->op);
    };
    device_.plugin = &plugin_;
  }

  std::vector<Tensor> Run(const Program& p, const std::vector<Tensor>& inputs,
                          const std::vector<std::vector<int64_t>>& output_dims,
                          RunArenaPool* pool = nullptr) {
    std::vector<Tensor> outputs;
    for (const auto& dims : output_dims) {
      auto t = Tensor::Allocate(DType::kF32, dims);
      EXPECT_TRUE(t.ok());
      outputs.push_back(std::move(*t));
    }
    RunInfo info;
    info.device = &device_;
    info.arenas = pool;
    const Status s = RunProgram(p, inputs, outputs, info);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return outputs;
  }

  // Runs the graph fused (each chain as one pass) and unfused and expects the same bits.
  void ExpectSameBits(ProgramBuilder& b, const std::vector<Tensor>& inputs,
                      const std::vector<int64_t>& out_dims, size_t expected_chains) {
    const Program fused = b.Build(true);
    EXPECT_EQ(fused.chains.size(), expected_chains);
    device_.profiling = true;  // a record of a chain's op says it ran as one pass
    records_.clear();
    const std::vector<Tensor> a = Run(fused, inputs, {out_dims});
    device_.profiling = false;
    const size_t passes = std::count_if(records_.begin(), records_.end(), [](const auto& r) {
      return r.second.find('+') != std::string::npos;
    });
    EXPECT_EQ(passes, expected_chains);
    const std::vector<Tensor> c = Run(b.Build(false), inputs, {out_dims});
    ASSERT_EQ(a[0].byte_size(), c[0].byte_size());
    EXPECT_EQ(std::memcmp(a[0].raw(), c[0].raw(), a[0].byte_size()), 0);
  }

  Plugin plugin_;
  Device device_;
  std::vector<std::pair<std::string, std::string>> records_;
};

Tensor Random(std::vector<int64_t> dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> data(static_cast<size_t>(n));
  for (float& f : data) f = dist(rng);
  return Tensor::FromFloat(std::move(dims), data);
}

TEST_F(ChainRunTest, AddLayerNormMatchesUnfusedBits) {
  ProgramBuilder b;
  const int32_t x = b.Input({-1, 384});
  const int32_t sum = b.Node("Add", {x, b.Input({-1, 384})}, {-1, 384});
  b.Output(b.Node("LayerNorm", {sum, b.Constant({384}, 0.5f), b.Constant({384}, -1)}, {-1, 384}));
  ExpectSameBits(b, {Random({300, 384}, 1), Random({300, 384}, 2)}, {300, 384}, 1);
  ExpectSameBits(b, {Random({3, 384}, 3), Random({3, 384}, 4)}, {3, 384}, 1);
}

TEST_F(ChainRunTest, AddRmsNormMatchesUnfusedBits) {
  ProgramBuilder b;
  const int32_t x = b.Input({2, -1, 100});
  const int32_t sum = b.Node("Add", {x, b.Input({2, -1, 100})}, {2, -1, 100});
  b.Output(b.Node("RMSNorm", {sum, b.Constant({100}, 0.5f)}, {2, -1, 100}));
  ExpectSameBits(b, {Random({2, 333, 100}, 5), Random({2, 333, 100}, 6)}, {2, 333, 100}, 1);
}

TEST_F(ChainRunTest, BroadcastOperandsAndReferenceOpsMatchUnfusedBits) {
  ProgramBuilder b;
  const int32_t x = b.Input({-1, 65});
  const int32_t scaled = b.Node("Mul", {x, b.Constant({65}, 0.1f)}, {-1, 65});
  const int32_t biased = b.Node("Add", {b.Constant({1, 65}, -0.3f), scaled}, {-1, 65});
  const int32_t gelu = b.Node("Gelu", {biased}, {-1, 65});
  const int32_t tanh = b.Node("Tanh", {gelu}, {-1, 65});
  const int32_t shifted = b.Node("Sub", {tanh, b.Constant({}, 0.25f)}, {-1, 65});
  b.Output(b.Node("Div", {shifted, x}, {-1, 65}));
  ExpectSameBits(b, {Random({2000, 65}, 7)}, {2000, 65}, 1);
}

TEST_F(ChainRunTest, ElementwiseChainWithTailsMatchesUnfusedBits) {
  ProgramBuilder b;
  const int32_t x = b.Input({-1});
  const int32_t y = b.Input({-1});
  const int32_t diff = b.Node("Sub", {x, y}, {-1});
  const int32_t e = b.Node("Exp", {diff}, {-1});
  const int32_t prod = b.Node("Mul", {e, y}, {-1});
  const int32_t silu = b.Node("Silu", {prod}, {-1});
  b.Output(b.Node("Relu", {silu}, {-1}));
  ExpectSameBits(b, {Random({100003}, 8), Random({100003}, 9)}, {100003}, 1);
  ExpectSameBits(b, {Random({7}, 10), Random({7}, 11)}, {7}, 1);
}

TEST_F(ChainRunTest, ShapesThatDoNotFitRunNodeByNode) {
  ProgramBuilder b;
  const int32_t x = b.Input({-1, -1});
  const int32_t col = b.Input({-1, -1});
  const int32_t sum = b.Node("Add", {x, col}, {-1, -1});
  b.Output(b.Node("Relu", {sum}, {-1, -1}));
  const Tensor xs = Tensor::FromFloat({2, 3}, {1, -2, 3, -4, 5, -6});
  const Tensor column = Tensor::FromFloat({2, 1}, {1, 10});  // broadcast along rows
  const std::vector<Tensor> out = Run(b.Build(true), {xs, column}, {{2, 3}});
  const float* ys = out[0].data<float>();
  EXPECT_EQ(std::vector<float>(ys, ys + 6), (std::vector<float>{2, 0, 4, 6, 15, 4}));
}

TEST_F(ChainRunTest, IntermediatesTakeNoArenaMemory) {
  ProgramBuilder b;
  const int32_t x = b.Input({256, 256});
  const int32_t a = b.Node("Add", {x, x}, {256, 256});
  const int32_t r = b.Node("Relu", {a}, {256, 256});
  const int32_t m = b.Node("Mul", {r, x}, {256, 256});
  b.Output(b.Node("Neg", {m}, {256, 256}));
  auto held_after_run = [&](const Program& p) {
    RunArenaPool pool(&device_.memory);
    Run(p, {Random({256, 256}, 12)}, {{256, 256}}, &pool);
    return pool.Checkout()->held_bytes();  // what the run took from its arena
  };
  EXPECT_EQ(held_after_run(b.Build(true)), 0u);  // the output is the host's buffer
  EXPECT_GE(held_after_run(b.Build(false)), 2u * 256 * 256 * sizeof(float));
}

TEST_F(ChainRunTest, ProfilingGivesOneRecordPerChain) {
  ProgramBuilder b;
  const int32_t x = b.Input({4, 8});
  const int32_t sum = b.Node("Add", {x, x}, {4, 8});
  b.Output(b.Node("LayerNorm", {sum, b.Constant({8}, 1)}, {4, 8}));
  device_.profiling = true;
  Run(b.Build(true), {Random({4, 8}, 13)}, {{4, 8}});
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(records_[0], (std::pair<std::string, std::string>{"LayerNorm_1", "Add+LayerNorm"}));
  records_.clear();
  Run(b.Build(false), {Random({4, 8}, 13)}, {{4, 8}});
  EXPECT_EQ(records_.size(), 2u);
}

}  // namespace
}  // namespace hetero::cpu
