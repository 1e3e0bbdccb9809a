// Shape buckets: parsing, padding dims up to their bucket, and which ops padding leaves
// unchanged.
#include "devices/npu_sim/buckets.h"

#include <algorithm>
#include <cstring>

namespace hetero::npu_sim {
namespace {

std::string JoinSizes(const std::vector<int64_t>& sizes) {
  std::string out;
  for (int64_t s : sizes) out += (out.empty() ? "" : ",") + std::to_string(s);
  return out;
}

StatusOr<std::vector<int64_t>> ParseSizes(std::string_view text, std::string_view part) {
  std::vector<int64_t> sizes;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string item(text.substr(pos, end - pos));
    pos = end + 1;
    char* stop = nullptr;
    const long long v = std::strtoll(item.c_str(), &stop, 10);
    if (item.empty() || *stop != '\0' || v <= 0 || v > (int64_t{1} << 31)) {
      return InvalidArgument("buckets: '" + item + "' in '" + std::string(part) +
                             "' is not a positive size");
    }
    sizes.push_back(v);
  }
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

const hetero_attr* FindAttr(const hetero_node_view& n, const char* name) {
  for (uint32_t a = 0; a < n.num_attrs; ++a) {
    if (n.attrs[a].name != nullptr && std::strcmp(n.attrs[a].name, name) == 0) return &n.attrs[a];
  }
  return nullptr;
}

int64_t IntAttr(const hetero_node_view& n, const char* name, int64_t fallback) {
  const hetero_attr* a = FindAttr(n, name);
  return a != nullptr && a->kind == HETERO_ATTR_INT ? a->i : fallback;
}

// Axis `axis` (negative counts from the end) of `v` is dynamic.
bool AxisDynamic(const hetero_value_view& v, int64_t axis) {
  const int64_t rank = v.type.rank;
  if (axis < 0) axis += rank;
  return axis >= 0 && axis < rank && axis < HETERO_MAX_RANK && v.type.dims[axis] < 0;
}

bool AnyDynamic(const hetero_value_view& v) {
  for (int32_t d = 0; d < v.type.rank && d < HETERO_MAX_RANK; ++d) {
    if (v.type.dims[d] < 0) return true;
  }
  return false;
}

std::string Refuse(const std::string& op, const hetero_value_view& v, const char* why) {
  return op + " " + why + " of '" + v.name +
         "', a dynamic dim: padding it to a bucket would change the result";
}

// The axes a node reduces, contracts or cuts along, on its first input.
std::string AxisReason(const std::string& op, const hetero_node_view& n,
                       const hetero_graph_view& view,
                       const std::vector<std::optional<Tensor>>& constants) {
  const hetero_value_view& x = view.values[n.inputs[0]];
  if (op == "Softmax" || op == "Concat" || op == "Split") {
    const int64_t axis = IntAttr(n, "axis", op == "Softmax" ? -1 : 0);
    const uint32_t count = op == "Concat" ? n.num_inputs : 1;
    for (uint32_t i = 0; i < count; ++i) {
      if (n.inputs[i] < 0) continue;
      const hetero_value_view& v = view.values[n.inputs[i]];
      if (AxisDynamic(v, axis)) return Refuse(op, v, "works along an axis");
    }
    return "";
  }
  if (op == "LayerNorm" || op == "RMSNorm") {
    const int64_t axis = IntAttr(n, "axis", -1);
    const int64_t first = axis < 0 ? axis + x.type.rank : axis;
    for (int64_t d = first; d < x.type.rank; ++d) {
      if (AxisDynamic(x, d)) return Refuse(op, x, "normalizes over an axis");
    }
    return "";
  }
  if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax") {
    const hetero_attr* axes = FindAttr(n, "axes");
    if (axes == nullptr || axes->count == 0) {
      return AnyDynamic(x) ? Refuse(op, x, "reduces every axis") : "";
    }
    for (uint64_t i = 0; i < axes->count; ++i) {
      if (AxisDynamic(x, axes->ints[i])) return Refuse(op, x, "reduces an axis");
    }
    return "";
  }
  if (op == "MatMul" || op == "FusedMatMul") {
    const bool vector = x.type.rank == 1;
    const int64_t k_axis = !vector && IntAttr(n, "transpose_a", 0) != 0 ? -2 : -1;
    return AxisDynamic(x, k_axis) ? Refuse(op, x, "contracts over an axis") : "";
  }
  if (op == "Slice") {
    // Only axes named by a constant may be checked; a dynamic data dim with unknown
    // axes is refused.
    if (n.num_inputs < 4 || n.inputs[3] < 0) return AnyDynamic(x) ? Refuse(op, x, "cuts") : "";
    const std::optional<Tensor>& axes = constants[n.inputs[3]];
    if (!axes) return AnyDynamic(x) ? Refuse(op, x, "cuts along run-time axes") : "";
    for (int64_t i = 0; i < axes->num_elements(); ++i) {
      if (AxisDynamic(x, static_cast<int64_t>(axes->GetDouble(i)))) {
        return Refuse(op, x, "cuts along an axis");
      }
    }
  }
  return "";
}

}  // namespace

std::string Buckets::ToString() const {
  return "seq:" + JoinSizes(seq) + ";batch:" + JoinSizes(batch);
}

Buckets DefaultBuckets() {
  return Buckets{{1, 2, 4, 8, 16, 32, 64}, {16, 32, 64, 128, 256, 512, 1024, 2048}};
}

StatusOr<Buckets> ParseBuckets(std::string_view text) {
  Buckets out = DefaultBuckets();
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(";/", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty()) continue;
    const size_t colon = part.find(':');
    const std::string_view key = part.substr(0, colon);
    if (colon == std::string_view::npos || (key != "seq" && key != "batch")) {
      return InvalidArgument("buckets: '" + std::string(part) +
                             "' is not 'seq:SIZES' or 'batch:SIZES' (e.g. seq:64,128;batch:1,4)");
    }
    HETERO_ASSIGN_OR_RETURN(auto sizes, ParseSizes(part.substr(colon + 1), part));
    (key == "seq" ? out.seq : out.batch) = std::move(sizes);
  }
  return out;
}

std::optional<int64_t> BucketFor(const std::vector<int64_t>& sizes, int64_t value) {
  auto it = std::lower_bound(sizes.begin(), sizes.end(), value);
  if (it == sizes.end()) return std::nullopt;
  return *it;
}

StatusOr<std::vector<int64_t>> PaddedDims(const Buckets& buckets,
                                          const std::vector<int64_t>& compiled,
                                          const std::vector<int64_t>& actual,
                                          const std::string& what) {
  std::vector<int64_t> out = actual;
  for (size_t d = 0; d < actual.size() && d < compiled.size(); ++d) {
    if (compiled[d] >= 0) continue;
    const bool batch = d == 0 && actual.size() >= 2;
    const std::vector<int64_t>& sizes = batch ? buckets.batch : buckets.seq;
    auto bucket = BucketFor(sizes, actual[d]);
    if (!bucket) {
      return InvalidArgument(what + ": dim " + std::to_string(d) + " is " +
                             std::to_string(actual[d]) + ", larger than the largest " +
                             (batch ? "batch" : "seq") + " bucket " + std::to_string(sizes.back()) +
                             " (compile option buckets=...)");
    }
    out[d] = *bucket;
  }
  return out;
}

std::string PaddingReason(const hetero_graph_view& view, uint32_t index,
                          const std::vector<std::optional<Tensor>>& constants) {
  const hetero_node_view& n = view.nodes[index];
  if (n.num_inputs == 0 || n.inputs[0] < 0) return "";
  const std::string op = n.op != nullptr ? n.op : "";
  return AxisReason(op, n, view, constants);
}

}  // namespace hetero::npu_sim
