// Helpers for the fusion tests: running passes, counting ops, random inputs, comparing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/ir/parser.h"
#include "compiler/ir/verifier.h"
#include "compiler/passes/pass.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::passes::testing {

// Runs the named passes in order, verifying the graph after each; errors name the pass.
inline Status RunPasses(ir::Graph& graph, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    HETERO_ASSIGN_OR_RETURN(std::unique_ptr<Pass> pass, CreatePass(name));
    auto changed = pass->Run(graph);
    if (!changed.ok()) return changed.status().WithContext("pass " + name);
    Status valid = ir::VerifyGraph(graph);
    if (!valid.ok()) return valid.WithContext("graph after pass " + name);
  }
  return OkStatus();
}

// Every pass of the default pipeline, in its order.
inline std::vector<std::string> AllPassNames() {
  std::vector<std::string> names;
  for (const PassInfo& info : AllPasses()) names.push_back(info.name);
  return names;
}

inline std::map<std::string, int> CountOps(const ir::Graph& graph) {
  std::map<std::string, int> counts;
  for (const auto& node : graph.nodes()) ++counts[node->op()];
  return counts;
}

inline int CountOp(const ir::Graph& graph, const std::string& op) {
  return static_cast<int>(std::count_if(graph.nodes().begin(), graph.nodes().end(),
                                        [&](const auto& n) { return n->op() == op; }));
}

// Random inputs: floats uniform in [-2, 2], integers in [0, 10); bools true except every
// third element, so that a mask never hides a whole row of 2 or more keys. Symbolic
// dims take their size from `symbols` (unknown dims take 1).
inline StatusOr<std::map<std::string, Tensor>> RandomInputs(
    const ir::Graph& graph, const std::map<std::string, int64_t>& symbols, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::map<std::string, Tensor> inputs;
  for (const ir::Value* in : graph.inputs()) {
    std::vector<int64_t> dims;
    for (const Dim& d : in->type().shape.dims()) {
      if (d.is_static()) {
        dims.push_back(d.value());
      } else {
        auto it = symbols.find(d.symbol());
        dims.push_back(it == symbols.end() ? 1 : it->second);
      }
    }
    HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(in->type().dtype, dims));
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      if (IsFloat(t.dtype())) {
        t.SetDouble(i, std::uniform_real_distribution<double>(-2, 2)(rng));
      } else if (t.dtype() == DType::kBool) {
        t.SetInt64(i, i % 3 == 1 ? 0 : 1);
      } else {
        t.SetInt64(i, static_cast<int64_t>(rng() % 10));
      }
    }
    inputs.emplace(in->name(), std::move(t));
  }
  return inputs;
}

// Empty when every element of `got` is within `tolerance` of `want`, relative above 1 and
// absolute below (|got - want| <= tolerance * max(|want|, 1)); else what is off.
inline std::string CompareTensors(const Tensor& got, const Tensor& want, double tolerance = 1e-4) {
  if (got.dims() != want.dims()) return "shapes differ";
  int64_t bad = 0, worst = 0;
  double worst_excess = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double w = want.GetDouble(i);
    if (std::isnan(w) && std::isnan(got.GetDouble(i))) continue;
    const double excess =
        std::fabs(got.GetDouble(i) - w) / (tolerance * std::max(std::fabs(w), 1.0));
    if (!(excess <= 1.0)) ++bad;
    if (!(excess <= worst_excess)) {
      worst_excess = excess;
      worst = i;
    }
  }
  if (bad == 0) return "";
  std::ostringstream out;
  out << bad << " of " << want.num_elements() << " elements off; worst at " << worst << ": got "
      << got.GetDouble(worst) << ", want " << want.GetDouble(worst);
  return out.str();
}

}  // namespace hetero::passes::testing
