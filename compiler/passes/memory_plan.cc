// Memory planning: concrete sizes, liveness, in-place groups, greedy best-fit buffers.
#include "compiler/passes/memory_plan.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <set>
#include <unordered_map>

#include "compiler/ir/evaluate.h"

namespace hetero::passes {
namespace {

using TypeMap = std::unordered_map<const ir::Value*, TensorType>;

TensorType Substitute(const TensorType& t, const std::map<std::string, int64_t>& dims) {
  TensorType out = t;
  for (Dim& d : out.shape.dims()) {
    if (!d.is_symbol()) continue;
    auto it = dims.find(d.symbol());
    if (it != dims.end()) d = Dim(it->second);
  }
  return out;
}

// Small values (shape arithmetic) computed from concrete dims, so that shapes computed
// at run time have sizes too. Larger values are not needed for sizing.
constexpr int64_t kMaxEvaluatedElements = 4096;

struct Concrete {
  TypeMap types;
  std::unordered_map<const ir::Value*, Tensor> values;

  const Tensor* value(const ir::Value* v) const {
    if (v->is_constant()) return v->constant();
    auto it = values.find(v);
    return it == values.end() ? nullptr : &it->second;
  }
};

// The sizes of `node`'s outputs from what is known of its inputs; records small values.
Status SizeNode(const ir::Node& node, const std::map<std::string, int64_t>& dims, Concrete& c) {
  std::vector<const TensorType*> in_types;
  std::vector<const Tensor*> values;
  for (const ir::Value* v : node.inputs()) {
    in_types.push_back(v ? &c.types[v] : nullptr);
    values.push_back(v ? c.value(v) : nullptr);
  }
  auto inferred =
      node.schema().infer(ops::InferContext{in_types, values, node.attrs(), node.outputs().size()});
  if (!inferred.ok()) return inferred.status().WithContext(DescribeNode(node));
  for (size_t i = 0; i < node.outputs().size(); ++i) {
    const ir::Value* out = node.output(i);
    TensorType t = i < inferred->size() ? (*inferred)[i] : out->type();
    const TensorType recorded = Substitute(out->type(), dims);
    for (size_t d = 0; d < t.shape.rank() && d < recorded.shape.rank(); ++d) {
      if (!t.shape[d].is_static()) t.shape[d] = recorded.shape[d];
      if (!t.shape[d].is_static()) {
        return InvalidArgument("cannot size value '" + out->name() + "' (" +
                               out->type().ToString() + "): dim " + std::to_string(d) +
                               (recorded.shape[d].is_symbol()
                                    ? " is '" + recorded.shape[d].symbol() + "', given no size"
                                    : " is unknown"));
      }
    }
    c.types[out] = std::move(t);
  }
  std::optional<std::vector<Tensor>> computed;
  if (node.op() == "Shape" || node.op() == "Size") {
    if (auto t = ir::EvaluateShapeOp(node.op(), *in_types.at(0), node.attrs())) {
      computed = std::vector<Tensor>{std::move(*t)};
    }
  } else {
    computed = ir::EvaluateWithKernel(node.op(), in_types, values, node.attrs(),
                                      node.outputs().size(), kMaxEvaluatedElements);
  }
  for (size_t i = 0; computed && i < computed->size(); ++i) {
    c.values[node.output(i)] = std::move((*computed)[i]);
  }
  return OkStatus();
}

// The concrete type of every input, constant and node output.
StatusOr<TypeMap> ConcreteTypes(const ir::Graph& graph, const std::vector<ir::Node*>& order,
                                const std::map<std::string, int64_t>& dims) {
  Concrete c;
  for (const ir::Value* in : graph.inputs()) c.types[in] = Substitute(in->type(), dims);
  for (const ir::Value* k : graph.constants()) c.types[k] = k->type();
  for (const ir::Node* node : order) HETERO_RETURN_IF_ERROR(SizeNode(*node, dims, c));
  return std::move(c.types);
}

int64_t Align(int64_t bytes, int64_t alignment) {
  if (alignment <= 1) return bytes;
  return (bytes + alignment - 1) / alignment * alignment;
}

struct Group {
  int64_t bytes = 0;  // aligned
  int start = 0;
  int end = 0;
  int buffer = -1;
};

// Greedy by size, best fit: see PlanMemory in the header.
std::vector<int64_t> AssignBuffers(std::vector<Group>& groups) {
  std::vector<size_t> by_size(groups.size());
  std::iota(by_size.begin(), by_size.end(), size_t{0});
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) {
    if (groups[a].bytes != groups[b].bytes) return groups[a].bytes > groups[b].bytes;
    return groups[a].start < groups[b].start;
  });
  std::vector<int64_t> buffer_bytes;
  std::vector<std::set<std::pair<int, int>>> lifetimes;  // per buffer: disjoint [start, end]
  auto is_free = [&](size_t b, const Group& g) {
    const auto& set = lifetimes[b];
    auto it = set.upper_bound({g.end, INT32_MAX});  // first interval starting after g.end
    if (it == set.begin()) return true;
    return std::prev(it)->second < g.start;
  };
  for (size_t gi : by_size) {
    Group& g = groups[gi];
    if (g.bytes == 0) continue;
    int best = -1;
    for (size_t b = 0; b < buffer_bytes.size(); ++b) {
      if (is_free(b, g) && (best < 0 || buffer_bytes[b] < buffer_bytes[best])) {
        best = static_cast<int>(b);
      }
    }
    if (best < 0) {
      best = static_cast<int>(buffer_bytes.size());
      buffer_bytes.push_back(g.bytes);
      lifetimes.emplace_back();
    }
    lifetimes[best].insert({g.start, g.end});
    g.buffer = best;
  }
  return buffer_bytes;
}

bool IsInPlaceOp(const std::string& op) {
  const auto& ops = InPlaceOps();
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

}  // namespace

const std::vector<std::string>& InPlaceOps() {
  static const std::vector<std::string> ops = {
      "Add",   "Sub", "Mul",  "Div",     "Pow",   "Neg",        "Exp",     "Log",     "Sqrt",
      "Rsqrt", "Erf", "Tanh", "Sigmoid", "Relu",  "Reciprocal", "Gelu",    "Silu",    "Cos",
      "Sin",   "Not", "And",  "Or",      "Where", "SwiGLU",     "Reshape", "Squeeze", "Unsqueeze"};
  return ops;
}

namespace {

using ValueIndex = std::unordered_map<const ir::Value*, size_t>;

// Sizes and lifetimes of every node output, in topological order of the producers.
Status Liveness(const ir::Graph& graph, const std::vector<ir::Node*>& order, TypeMap& types,
                MemoryPlan& plan, ValueIndex& index) {
  plan.num_steps = static_cast<int>(order.size());
  for (size_t t = 0; t < order.size(); ++t) {
    const int step = static_cast<int>(t);
    for (const ir::Value* out : order[t]->outputs()) {
      const TensorType& type = types[out];
      const auto dims = type.shape.StaticDims();
      if (!dims) return InvalidArgument("cannot size value '" + out->name() + "'");
      auto count = CheckedElementCount(*dims);
      if (!count.ok()) return count.status().WithContext("value '" + out->name() + "'");
      index[out] = plan.values.size();
      plan.values.push_back(
          {out, *count * static_cast<int64_t>(DTypeSize(type.dtype)), step, step});
    }
    for (const ir::Value* in : order[t]->inputs()) {
      if (auto it = index.find(in); it != index.end()) plan.values[it->second].last = step;
    }
  }
  for (const ir::Value* out : graph.outputs()) {
    if (auto it = index.find(out); it != index.end()) plan.values[it->second].last = plan.num_steps;
  }
  return OkStatus();
}

// Groups of values sharing one buffer through in-place reuse; group_of[i] for value i.
std::vector<Group> InPlaceGroups(MemoryPlan& plan, const ValueIndex& index,
                                 const MemoryPlanOptions& options, std::vector<int>& group_of) {
  std::vector<Group> groups;
  group_of.assign(plan.values.size(), -1);
  for (size_t i = 0; i < plan.values.size(); ++i) {
    PlannedValue& v = plan.values[i];
    const ir::Node* node = v.value->producer();
    int joined = -1;
    if (options.in_place && node->outputs().size() == 1 && IsInPlaceOp(node->op())) {
      for (const ir::Value* in : node->inputs()) {
        auto it = index.find(in);
        if (it == index.end()) continue;  // a graph input or constant
        const PlannedValue& source = plan.values[it->second];
        if (source.last == v.first && source.bytes == v.bytes && v.bytes > 0) {
          joined = group_of[it->second];
          break;
        }
      }
    }
    if (joined < 0) {
      joined = static_cast<int>(groups.size());
      groups.push_back({Align(v.bytes, options.alignment), v.first, v.last});
    } else {
      v.in_place = true;
      ++plan.in_place_count;
      groups[joined].end = std::max(groups[joined].end, v.last);
    }
    group_of[i] = joined;
    plan.total_bytes += Align(v.bytes, options.alignment);
  }
  return groups;
}

// The most bytes live at one step: a lower bound for any assignment.
int64_t MaxLiveBytes(const std::vector<Group>& groups, int num_steps) {
  std::vector<int64_t> delta(static_cast<size_t>(num_steps) + 2, 0);
  for (const Group& g : groups) {
    delta[static_cast<size_t>(g.start)] += g.bytes;
    delta[static_cast<size_t>(g.end) + 1] -= g.bytes;
  }
  int64_t live = 0, most = 0;
  for (int64_t d : delta) most = std::max(most, live += d);
  return most;
}

}  // namespace

StatusOr<MemoryPlan> PlanMemory(const ir::Graph& graph, const MemoryPlanOptions& options) {
  HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
  HETERO_ASSIGN_OR_RETURN(TypeMap types, ConcreteTypes(graph, order, options.dims));
  MemoryPlan plan;
  ValueIndex index;
  HETERO_RETURN_IF_ERROR(Liveness(graph, order, types, plan, index));
  std::vector<int> group_of;
  std::vector<Group> groups = InPlaceGroups(plan, index, options, group_of);
  plan.buffer_bytes = AssignBuffers(groups);
  plan.peak_bytes = std::accumulate(plan.buffer_bytes.begin(), plan.buffer_bytes.end(), int64_t{0});
  for (size_t i = 0; i < plan.values.size(); ++i) {
    plan.values[i].buffer = groups[static_cast<size_t>(group_of[i])].buffer;
  }
  plan.max_live_bytes = MaxLiveBytes(groups, plan.num_steps);
  return plan;
}

std::string FormatBytes(int64_t bytes) {
  char text[32];
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.1f KiB", b / 1024);
  } else if (bytes < int64_t{1024} * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.1f MiB", b / (1024 * 1024));
  } else {
    std::snprintf(text, sizeof(text), "%.2f GiB", b / (1024.0 * 1024 * 1024));
  }
  return text;
}

}  // namespace hetero::passes
