// Turns the profiler events of each measured inference into per-inference time splits
// (device, simulated, transfer, scheduler) and, across inferences, the per-op table.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include "profiler/bench_result.h"
#include "profiler/event.h"

namespace hetero::profiler {

// Times of one inference, in ms, from its events.
struct InferenceSplit {
  double device_ms = 0;     // measured devices: per launch (correlation id), first op start to
                            // last op end, summed over launches
  double simulated_ms = 0;  // the same over simulated devices' records
  double transfer_ms = 0;   // transfer events, summed
  double scheduler_ms = 0;  // time covered by scheduler events (their union) while no
                            // measured device op or transfer ran
  bool has_device = false, has_simulated = false;
};
InferenceSplit SplitInference(const std::vector<Event>& events);

// The events of many concurrent requests (offline, server), one group per request in
// order of request id. A device op carries only its launch's correlation id; the
// scheduler's launch event with that id names the request. Events of no request are left
// out.
std::vector<std::vector<Event>> GroupByRequest(std::vector<Event> events);

// Per-node FLOPs and bytes, from whichever measured (not simulated) device's records carry
// "flops"/"bytes" counters: the op's cost at the graph's dtypes.
using NodeCosts = std::map<std::string, std::pair<double, double>>;
void CollectNodeCosts(const std::vector<Event>& events, NodeCosts* costs);

// Collects device-op events inference by inference; Rows() gives the per-op table.
class OpAccumulator {
 public:
  void AddInference(const std::vector<Event>& events);
  // `placed`: (node, op, device) of every node the plan placed. One with no record gets
  // status "fused" when its device recorded other ops (it ran inside one of them), else
  // "not run".
  // `costs` fills FLOPs/bytes for nodes whose own records carried none.
  std::vector<OpRow> Rows(const std::vector<DeviceInfo>& devices, const NodeCosts& costs,
                          const std::vector<std::array<std::string, 3>>& placed) const;
  size_t inferences() const { return inferences_; }

 private:
  struct NodeSamples {
    std::string op;
    bool simulated = false;
    double calls = 0;
    std::vector<double> ms;  // per inference where it ran
    double flops = 0, bytes = 0;
    std::string compute_dtype;  // from a "compute_<dtype>" counter; "" = the f32 roof
  };
  std::map<std::pair<std::string, std::string>, NodeSamples> nodes_;  // (node, device)
  std::vector<std::pair<std::string, std::string>> order_;            // first seen
  size_t inferences_ = 0;
};

}  // namespace hetero::profiler
