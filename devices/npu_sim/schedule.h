// List scheduling of the simulated NPU's commands onto its cores: a command starts when
// its inputs are ready and enough cores are free, so independent commands run side by
// side on different cores.
#pragma once

#include <cstdint>
#include <vector>

namespace hetero::npu_sim {

// The cores a command ran on and when.
struct CoreSlot {
  double start_ns = 0;
  double end_ns = 0;
  std::vector<int> cores;  // ascending
};

// Cores of one chip, each free from some time on. Commands are placed in the order
// given (a topological order); each takes the cores that free up first. Not thread-safe.
class CoreSchedule {
 public:
  CoreSchedule(int cores, double start_ns);

  // A command needing `count` cores (clamped to 1..cores) for `duration_ns`, whose
  // inputs are ready at `ready_ns`: starts when they are and the cores are free.
  CoreSlot Place(double ready_ns, int64_t count, double duration_ns);
  // A command that must run on `cores` (a fused epilogue on its matrix op's cores).
  CoreSlot PlaceOn(double ready_ns, const std::vector<int>& cores, double duration_ns);
  // When the last core goes idle.
  double EndNs() const;

 private:
  std::vector<double> free_at_;
};

}  // namespace hetero::npu_sim
