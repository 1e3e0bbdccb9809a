// CoreSchedule: greedy list scheduling of commands onto the earliest-free cores.
#include "devices/npu_sim/schedule.h"

#include <algorithm>
#include <numeric>

namespace hetero::npu_sim {

CoreSchedule::CoreSchedule(int cores, double start_ns)
    : free_at_(static_cast<size_t>(std::max(1, cores)), start_ns) {}

CoreSlot CoreSchedule::Place(double ready_ns, int64_t count, double duration_ns) {
  const int64_t n = std::clamp<int64_t>(count, 1, static_cast<int64_t>(free_at_.size()));
  std::vector<int> order(free_at_.size());
  std::iota(order.begin(), order.end(), 0);
  // Earliest free first; ties to the lower index, so the choice is deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return free_at_[a] < free_at_[b]; });
  order.resize(static_cast<size_t>(n));
  std::sort(order.begin(), order.end());
  return PlaceOn(ready_ns, order, duration_ns);
}

CoreSlot CoreSchedule::PlaceOn(double ready_ns, const std::vector<int>& cores, double duration_ns) {
  CoreSlot slot;
  slot.cores = cores;
  slot.start_ns = ready_ns;
  for (int c : cores) slot.start_ns = std::max(slot.start_ns, free_at_[c]);
  slot.end_ns = slot.start_ns + duration_ns;
  for (int c : cores) free_at_[c] = slot.end_ns;
  return slot;
}

double CoreSchedule::EndNs() const { return *std::max_element(free_at_.begin(), free_at_.end()); }

}  // namespace hetero::npu_sim
