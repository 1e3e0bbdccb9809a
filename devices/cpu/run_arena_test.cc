// RunArena and RunArenaPool: blocks reused by size, counted while held, trimmed to the last
// run's working set, freed with the arena.
#include "devices/cpu/run_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

namespace hetero::cpu {
namespace {

TEST(RunArenaTest, FreshBlocksAreZeroedAndCounted) {
  MemoryCounter memory;
  {
    RunArena arena(&memory);
    bool reused = true;
    auto t = arena.Take(DType::kF32, {3, 5}, &reused);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_FALSE(reused);
    EXPECT_EQ(t->dims(), (std::vector<int64_t>{3, 5}));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % 64, 0u);
    for (int64_t i = 0; i < t->num_elements(); ++i) EXPECT_EQ(t->GetDouble(i), 0.0);
    EXPECT_EQ(memory.in_use(), 64u);  // 60 bytes in one 64-byte block
    EXPECT_EQ(arena.held_bytes(), 64u);
  }
  EXPECT_EQ(memory.in_use(), 0u);
}

TEST(RunArenaTest, ADroppedTensorsBlockServesTheNextOfItsSize) {
  MemoryCounter memory;
  RunArena arena(&memory);
  bool reused = false;
  const void* first = nullptr;
  {
    auto t = arena.Take(DType::kF32, {256}, &reused);
    ASSERT_TRUE(t.ok());
    first = t->raw();
    std::memset(t->mutable_raw(), 0xff, t->byte_size());
    auto other = arena.Take(DType::kF32, {256}, &reused);  // the first is still held
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(reused);
    EXPECT_NE(other->raw(), first);
  }
  EXPECT_EQ(memory.in_use(), 2048u);                        // both blocks stay with the arena
  auto again = arena.Take(DType::kI32, {16, 16}, &reused);  // same bytes, other type
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(reused);
  auto bigger = arena.Take(DType::kF32, {512}, &reused);
  ASSERT_TRUE(bigger.ok());
  EXPECT_FALSE(reused);
  EXPECT_EQ(memory.in_use(), 4096u);
}

TEST(RunArenaTest, AViewKeepsTheBlockUntilItIsDropped) {
  MemoryCounter memory;
  RunArena arena(&memory);
  bool reused = false;
  auto t = arena.Take(DType::kF32, {64}, &reused);
  ASSERT_TRUE(t.ok());
  Tensor view = *t;  // shares the block, like a reshape's output
  *t = Tensor();
  auto next = arena.Take(DType::kF32, {64}, &reused);
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(reused);
  EXPECT_NE(next->raw(), view.raw());
}

TEST(RunArenaTest, TrimFreesBlocksTheLastRunDidNotTake) {
  MemoryCounter memory;
  RunArena arena(&memory);
  bool reused = false;
  {
    auto a = arena.Take(DType::kF32, {16}, &reused);
    auto b = arena.Take(DType::kF32, {1024}, &reused);
    ASSERT_TRUE(a.ok() && b.ok());
  }
  arena.Trim();  // end of run 1: both blocks were taken in it
  EXPECT_EQ(memory.in_use(), 64u + 4096u);
  {
    auto a = arena.Take(DType::kF32, {16}, &reused);  // run 2 takes only the small one
    ASSERT_TRUE(a.ok());
    EXPECT_TRUE(reused);
  }
  arena.Trim();
  EXPECT_EQ(memory.in_use(), 64u);
  EXPECT_EQ(arena.held_bytes(), 64u);
}

TEST(RunArenaTest, SizesAboveTheLimitAreRefused) {
  MemoryCounter memory;
  RunArena arena(&memory);
  bool reused = false;
  auto huge = arena.Take(DType::kF32, {int64_t{1} << 31, int64_t{1} << 31}, &reused);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  auto negative = arena.Take(DType::kF32, {-2}, &reused);
  EXPECT_FALSE(negative.ok());
  EXPECT_EQ(memory.in_use(), 0u);
}

TEST(RunArenaPoolTest, ConcurrentRunsGetTheirOwnArenasAndReuseThem) {
  MemoryCounter memory;
  auto pool_owner = std::make_unique<RunArenaPool>(&memory);
  RunArenaPool& pool = *pool_owner;
  std::unique_ptr<RunArena> a = pool.Checkout();
  std::unique_ptr<RunArena> b = pool.Checkout();
  EXPECT_NE(a.get(), b.get());
  bool reused = false;
  { ASSERT_TRUE(a->Take(DType::kF32, {100}, &reused).ok()); }
  pool.Checkin(std::move(a));
  pool.Checkin(std::move(b));
  EXPECT_EQ(memory.in_use(), 448u);  // the pool holds it: still in use
  std::vector<std::thread> runs;
  for (int r = 0; r < 4; ++r) {
    runs.emplace_back([&pool] {
      for (int i = 0; i < 50; ++i) {
        std::unique_ptr<RunArena> arena = pool.Checkout();
        bool again = false;
        auto t = arena->Take(DType::kF32, {100}, &again);
        ASSERT_TRUE(t.ok());
        *t = Tensor();
        pool.Checkin(std::move(arena));
      }
    });
  }
  for (std::thread& t : runs) t.join();
  EXPECT_GE(memory.in_use(), 448u);
  EXPECT_LE(memory.in_use(), 4u * 448u);             // at most one block per concurrent run
  std::unique_ptr<RunArena> last = pool.Checkout();  // the most recently returned
  EXPECT_EQ(last->held_bytes(), 448u);
  last.reset();
  pool_owner.reset();
  EXPECT_EQ(memory.in_use(), 0u);  // the executable's pool went with it
}

}  // namespace
}  // namespace hetero::cpu
