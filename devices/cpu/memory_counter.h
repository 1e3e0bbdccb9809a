// MemoryCounter: a device's memory accounting for device_memory_stats (ABI 1.1) — bytes
// in use, the peak since open or the last reset, allocations — shared by the plugins
// built on the CPU plugin's helpers (cpu, opencl, npu-sim). Lock-free; thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"

namespace hetero::cpu {

class MemoryCounter {
 public:
  void Add(uint64_t bytes) {
    const uint64_t now = in_use_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    allocations_.fetch_add(1, std::memory_order_relaxed);
    uint64_t peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  void Sub(uint64_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_relaxed); }
  uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

  // Fills `out` up to the struct_size its caller set (at least through
  // peak_bytes_in_use, else kInvalidArgument). With `reset`, the peak restarts at the
  // bytes in use now, after being read.
  Status Fill(uint64_t coverage, bool reset, hetero_memory_stats* out) {
    if (out == nullptr) return InvalidArgument("device_memory_stats: out_stats is NULL");
    if (!HETERO_HAS_FIELD(out, hetero_memory_stats, peak_bytes_in_use)) {
      return InvalidArgument("device_memory_stats: out_stats struct_size " +
                             std::to_string(out->struct_size) + " is too small");
    }
    hetero_memory_stats stats{};
    stats.struct_size = out->struct_size;
    stats.coverage = coverage;
    stats.bytes_in_use = in_use();
    const uint64_t peak = reset ? peak_.exchange(stats.bytes_in_use, std::memory_order_relaxed)
                                : peak_.load(std::memory_order_relaxed);
    stats.peak_bytes_in_use = std::max(peak, stats.bytes_in_use);
    stats.allocations = allocations_.load(std::memory_order_relaxed);
    std::memcpy(out, &stats, std::min<size_t>(out->struct_size, sizeof(stats)));
    return OkStatus();
  }

 private:
  std::atomic<uint64_t> in_use_{0};
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> allocations_{0};
};

}  // namespace hetero::cpu
