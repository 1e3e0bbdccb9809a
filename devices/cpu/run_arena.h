// Intermediate buffers kept between runs of one executable: a pool of arenas, one checked
// out per run, so repeated runs skip allocating, faulting in and zeroing their intermediates.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "devices/cpu/memory_counter.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::cpu {

// Blocks of 64-byte aligned memory, by size. A tensor taken from the arena gives its block
// back when the last copy of it is dropped, so a later value of the same size (in this run
// or the next) reuses it. Every block the arena holds is counted in `memory` as in use,
// from its allocation until Trim or the arena frees it. Take and the blocks' return are
// thread-safe; one run uses an arena at a time.
class RunArena {
 public:
  explicit RunArena(MemoryCounter* memory);
  ~RunArena();
  RunArena(const RunArena&) = delete;
  RunArena& operator=(const RunArena&) = delete;

  // A tensor of `dtype` and `dims` on a block of the arena. `*reused` is true when the
  // block held earlier values (its bytes are stale), false for a fresh zeroed block.
  // ResourceExhausted when the size is above MaxAllocationBytes or memory runs out.
  StatusOr<Tensor> Take(DType dtype, std::vector<int64_t> dims, bool* reused);

  // Frees the blocks not taken since the last Trim (shapes changed between runs), so the
  // arena keeps no more than the last run's working set. Call between runs.
  void Trim();

  uint64_t held_bytes() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the deleters of the tensors handed out
};

// The arenas of one executable. Concurrent runs each check out their own arena; an arena
// returns to the pool (trimmed) when its run ends. Thread-safe.
class RunArenaPool {
 public:
  explicit RunArenaPool(MemoryCounter* memory) : memory_(memory) {}

  // An arena for one run: an idle one, or a new empty one.
  std::unique_ptr<RunArena> Checkout();
  // Gives an arena back after its run; every tensor taken from it must be dropped.
  void Checkin(std::unique_ptr<RunArena> arena);

 private:
  MemoryCounter* memory_;
  std::mutex mu_;
  std::vector<std::unique_ptr<RunArena>> idle_;
};

}  // namespace hetero::cpu
