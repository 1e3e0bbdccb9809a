// The assignment search: starts from single-device and per-node-cheapest assignments,
// improves them by moving nodes and whole segments, then merges small segments.
#include "compiler/placement/assign.h"

#include <cmath>

namespace hetero::placement {
namespace {

// The half-open [begin, end) runs of equal devices.
std::vector<std::pair<size_t, size_t>> Runs(const std::vector<int>& assignment) {
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < assignment.size(); ++i) {
    if (i == 0 || assignment[i] != assignment[i - 1]) runs.push_back({i, i});
    runs.back().second = i + 1;
  }
  return runs;
}

// Reassigns [begin, end) to `device` when allowed and not fixed; false when not possible.
bool MoveRange(const CostModel& model, const std::vector<bool>& fixed, size_t begin, size_t end,
               int device, std::vector<int>& assignment) {
  for (size_t i = begin; i < end; ++i) {
    if (fixed[i] || !model.allowed(i, device)) return false;
  }
  for (size_t i = begin; i < end; ++i) assignment[i] = device;
  return true;
}

// Tries one move; keeps it when it lowers the total.
bool TryMove(const CostModel& model, const std::vector<bool>& fixed, size_t begin, size_t end,
             int device, std::vector<int>& assignment, double& best) {
  std::vector<int> candidate = assignment;
  if (!MoveRange(model, fixed, begin, end, device, candidate)) return false;
  double total = model.Total(candidate);
  if (total >= best * (1 - 1e-12)) return false;
  assignment = std::move(candidate);
  best = total;
  return true;
}

void LocalSearch(const CostModel& model, const std::vector<bool>& fixed,
                 std::vector<int>& assignment) {
  double best = model.Total(assignment);
  int num_devices = static_cast<int>(model.num_devices());
  for (int sweep = 0; sweep < 50; ++sweep) {
    bool improved = false;
    for (auto [begin, end] : Runs(assignment)) {  // whole segments
      for (int d = 0; d < num_devices; ++d) {
        improved |= TryMove(model, fixed, begin, end, d, assignment, best);
      }
    }
    for (size_t i = 0; i < assignment.size(); ++i) {  // single nodes
      for (int d = 0; d < num_devices; ++d) {
        if (d != assignment[i]) improved |= TryMove(model, fixed, i, i + 1, d, assignment, best);
      }
    }
    if (!improved) break;
  }
}

// Starting points: each device for every node it may run (else the cheapest allowed
// device), and every node on its own cheapest device.
std::vector<std::vector<int>> Starts(const CostModel& model, const std::vector<bool>& fixed) {
  size_t n = model.num_nodes();
  int num_devices = static_cast<int>(model.num_devices());
  std::vector<int> cheapest(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (int d = 1; d < num_devices; ++d) {
      if (model.NodeSeconds(i, d) < model.NodeSeconds(i, cheapest[i])) cheapest[i] = d;
    }
  }
  std::vector<std::vector<int>> starts{cheapest};
  for (int d = 0; d < num_devices; ++d) {
    std::vector<int> start = cheapest;
    for (size_t i = 0; i < n; ++i) {
      if (!fixed[i] && model.allowed(i, d)) start[i] = d;
    }
    starts.push_back(std::move(start));
  }
  return starts;
}

}  // namespace

std::vector<int> SearchAssignment(const CostModel& model, const std::vector<bool>& fixed) {
  std::vector<int> best;
  double best_total = kInfeasible;
  for (std::vector<int>& start : Starts(model, fixed)) {
    LocalSearch(model, fixed, start);
    double total = model.Total(start);
    if (best.empty() || total < best_total) {  // strict: earlier starts (priority) win ties
      best_total = total;
      best = std::move(start);
    }
  }
  return best;
}

size_t MergeSmallSegments(const CostModel& model, const std::vector<bool>& fixed,
                          const PlacementOptions& options, std::vector<int>& assignment,
                          std::vector<bool>& merged) {
  size_t num_merged = 0;
  const double limit = model.Total(assignment) * (1 + options.merge_tolerance);
  bool changed = true;
  while (changed) {
    changed = false;
    auto runs = Runs(assignment);
    for (size_t r = 0; r < runs.size() && !changed; ++r) {
      auto [begin, end] = runs[r];
      if (runs.size() == 1 || end - begin >= options.min_segment_nodes) continue;
      for (size_t neighbour : {r - 1, r + 1}) {
        if (neighbour >= runs.size()) continue;  // r - 1 wraps for r == 0
        std::vector<int> candidate = assignment;
        int device = assignment[runs[neighbour].first];
        if (!MoveRange(model, fixed, begin, end, device, candidate)) continue;
        if (model.Total(candidate) > limit) continue;
        assignment = std::move(candidate);
        for (size_t i = begin; i < end; ++i) merged[i] = true;
        ++num_merged;
        changed = true;
        break;
      }
    }
  }
  return num_merged;
}

std::vector<int> ExhaustiveAssignment(const CostModel& model) {
  size_t n = model.num_nodes();
  int num_devices = static_cast<int>(model.num_devices());
  std::vector<int> current(n, 0), best;
  double best_total = kInfeasible;
  while (true) {
    double total = model.Total(current);
    if (best.empty() || total < best_total) {
      best_total = total;
      best = current;
    }
    size_t i = 0;
    while (i < n && ++current[i] == num_devices) current[i++] = 0;
    if (i == n) break;
  }
  return best;
}

}  // namespace hetero::placement
