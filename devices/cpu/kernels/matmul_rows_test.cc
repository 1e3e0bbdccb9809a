// MatMul by rows: bit-identical to the reference kernel on the whole product, and only
// taken for the forms and sizes it is meant for.
#include "devices/cpu/kernels/matmul_rows.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace hetero::cpu {
namespace {

std::atomic<int> chunks_run{0};

// A host whose parallel_for runs chunks of `grain` on their own threads.
void ThreadedParallelFor(void*, uint64_t count, uint64_t grain,
                         void (*fn)(void*, uint64_t, uint64_t), void* arg) {
  std::vector<std::thread> threads;
  for (uint64_t begin = 0; begin < count; begin += grain) {
    const uint64_t end = std::min(count, begin + grain);
    threads.emplace_back([=] { fn(arg, begin, end); });
    ++chunks_run;
  }
  for (auto& t : threads) t.join();
}

Tensor Random(std::vector<int64_t> dims, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1, 1);
  Tensor t = Tensor::Allocate(DType::kF32, std::move(dims)).value();
  for (int64_t i = 0; i < t.num_elements(); ++i) t.mutable_data<float>()[i] = dist(rng);
  return t;
}

class MatMulRows : public ::testing::Test {
 protected:
  void SetUp() override {
    plugin_.host.struct_size = sizeof(hetero_host_api);
    plugin_.host.parallel_for = &ThreadedParallelFor;
    chunks_run = 0;
  }
  // Runs op both ways; returns whether the row split was taken.
  bool Compare(const char* op, std::vector<const Tensor*> inputs, const ops::Attributes& attrs,
               std::vector<int64_t> out_dims) {
    const ops::OpSchema* schema = ops::FindOp(op);
    Tensor want = Tensor::Allocate(DType::kF32, out_dims).value();
    Tensor got = Tensor::Allocate(DType::kF32, out_dims).value();
    Tensor* want_out[1] = {&want};
    Tensor* got_out[1] = {&got};
    EXPECT_TRUE(schema->reference(ops::KernelContext{inputs, want_out, attrs}).ok());
    auto split = TryMatMulByRows(plugin_, *schema, ops::KernelContext{inputs, got_out, attrs});
    EXPECT_TRUE(split.ok()) << split.status().ToString();
    if (split.ok() && *split) {
      EXPECT_EQ(std::memcmp(want.raw(), got.raw(), want.byte_size()), 0) << "not bit-identical";
    }
    return split.ok() && *split;
  }
  Plugin plugin_;
};

TEST_F(MatMulRows, BatchedMatMulIsSplitAndExact) {
  Tensor a = Random({3, 64, 96}, 1), b = Random({96, 128}, 2);
  EXPECT_TRUE(Compare("MatMul", {&a, &b}, {}, {3, 64, 128}));
  EXPECT_GT(chunks_run.load(), 1);
}

TEST_F(MatMulRows, FusedWithBiasAndTransposedWeights) {
  Tensor a = Random({200, 96}, 3), b = Random({128, 96}, 4), bias = Random({128}, 5);
  ops::Attributes attrs;
  attrs.Set("transpose_b", int64_t{1});
  attrs.Set("activation", std::string("gelu"));
  EXPECT_TRUE(Compare("FusedMatMul", {&a, &b, &bias}, attrs, {200, 128}));
}

TEST_F(MatMulRows, OtherFormsAreLeftToTheReference) {
  Tensor small_a = Random({4, 8}, 6), small_b = Random({8, 8}, 7);
  EXPECT_FALSE(Compare("MatMul", {&small_a, &small_b}, {}, {4, 8}));  // too small to gain
  Tensor a = Random({96, 150}, 8), b = Random({96, 128}, 9);
  ops::Attributes transpose_a;
  transpose_a.Set("transpose_a", int64_t{1});
  EXPECT_FALSE(Compare("MatMul", {&a, &b}, transpose_a, {150, 128}));  // rows not contiguous
  Tensor batched_b = Random({2, 96, 128}, 10), a3 = Random({2, 150, 96}, 11);
  EXPECT_FALSE(Compare("MatMul", {&a3, &batched_b}, {}, {2, 150, 128}));  // b not a matrix
  EXPECT_EQ(chunks_run.load(), 0);
}

}  // namespace
}  // namespace hetero::cpu
