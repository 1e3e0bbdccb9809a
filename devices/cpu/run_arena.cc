// RunArena: free lists of aligned blocks by size, shared with the tensors handed out.
#include "devices/cpu/run_arena.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace hetero::cpu {

struct RunArena::State {
  explicit State(MemoryCounter* m) : memory(m) {}
  // Runs when the arena and every tensor it handed out are gone.
  ~State() {
    for (auto* lists : {&taken, &untaken}) {
      for (auto& [bytes, blocks] : *lists) {
        for (void* block : blocks) std::free(block);
      }
    }
    memory->Sub(held);
  }

  void Give(void* block, size_t bytes) {
    std::lock_guard<std::mutex> lock(mu);
    taken[bytes].push_back(block);
  }

  MemoryCounter* memory;
  mutable std::mutex mu;
  // Free blocks by size: those taken since the last Trim, and those not.
  std::unordered_map<size_t, std::vector<void*>> taken;
  std::unordered_map<size_t, std::vector<void*>> untaken;
  uint64_t held = 0;  // bytes of every block the arena owns, free or handed out
};

RunArena::RunArena(MemoryCounter* memory) : state_(std::make_shared<State>(memory)) {}

RunArena::~RunArena() = default;

StatusOr<Tensor> RunArena::Take(DType dtype, std::vector<int64_t> dims, bool* reused) {
  const int64_t elem = static_cast<int64_t>(DTypeSize(dtype));
  const int64_t limit = static_cast<int64_t>(MaxAllocationBytes()) / elem;
  HETERO_ASSIGN_OR_RETURN(int64_t n, CheckedElementCount(dims, limit));
  const size_t bytes = (std::max<size_t>(static_cast<size_t>(n * elem), 1) + 63) / 64 * 64;
  void* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    for (auto* lists : {&state_->untaken, &state_->taken}) {
      auto it = lists->find(bytes);
      if (it == lists->end() || it->second.empty()) continue;
      block = it->second.back();
      it->second.pop_back();
      break;
    }
  }
  *reused = block != nullptr;
  if (block == nullptr) {
    block = std::aligned_alloc(64, bytes);
    if (block == nullptr) {
      return ResourceExhausted("cannot allocate " + std::to_string(bytes) +
                               " bytes for an intermediate " + std::string(DTypeName(dtype)) +
                               " tensor");
    }
    std::memset(block, 0, bytes);
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->held += bytes;
    state_->memory->Add(bytes);
  }
  std::shared_ptr<const void> owner(
      block, [state = state_, bytes](const void* p) { state->Give(const_cast<void*>(p), bytes); });
  return Tensor::Borrow(dtype, std::move(dims), block, std::move(owner));
}

void RunArena::Trim() {
  std::lock_guard<std::mutex> lock(state_->mu);
  uint64_t freed = 0;
  for (auto& [bytes, blocks] : state_->untaken) {
    for (void* block : blocks) std::free(block);
    freed += bytes * blocks.size();
  }
  state_->untaken.clear();
  std::swap(state_->untaken, state_->taken);
  state_->held -= freed;
  state_->memory->Sub(freed);
}

uint64_t RunArena::held_bytes() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->held;
}

std::unique_ptr<RunArena> RunArenaPool::Checkout() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<RunArena> arena = std::move(idle_.back());
      idle_.pop_back();
      return arena;
    }
  }
  return std::make_unique<RunArena>(memory_);
}

void RunArenaPool::Checkin(std::unique_ptr<RunArena> arena) {
  arena->Trim();
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(arena));
}

}  // namespace hetero::cpu
