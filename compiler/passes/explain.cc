// The --explain summary: op counts, fusions applied, memory plan.
#include "compiler/passes/explain.h"

#include <cstdio>

namespace hetero::passes {

OpCounts CountOps(const ir::Graph& graph) {
  OpCounts counts;
  for (const auto& node : graph.nodes()) ++counts[node->op()];
  return counts;
}

const std::vector<std::string>& FusedOpTypes() {
  static const std::vector<std::string> types = {"Attention", "LayerNorm", "RMSNorm",    "Gelu",
                                                 "Rope",      "SwiGLU",    "FusedMatMul"};
  return types;
}

OpCounts FusionsApplied(const OpCounts& before, const OpCounts& after) {
  OpCounts fusions;
  for (const std::string& type : FusedOpTypes()) {
    auto b = before.find(type);
    auto a = after.find(type);
    const int64_t created =
        (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
    if (created > 0) fusions[type] = created;
  }
  return fusions;
}

namespace {

std::string Line(const char* format, auto... args) {
  char text[256];
  std::snprintf(text, sizeof(text), format, args...);
  return text;
}

std::string FormatMemory(const CompileSummary& s) {
  std::string dims;
  for (const auto& [name, size] : s.dims) {
    dims += (dims.empty() ? "" : ", ") + name + "=" + std::to_string(size);
  }
  std::string out = "memory plan" + (dims.empty() ? std::string() : " (" + dims + ")") + ":\n";
  if (!s.memory) return out + "  not planned: " + s.memory_error + "\n";
  const MemoryPlan& m = *s.memory;
  const double ratio = m.total_bytes > 0 ? 100.0 * static_cast<double>(m.peak_bytes) /
                                               static_cast<double>(m.total_bytes)
                                         : 0.0;
  out += Line("  peak activation memory  %s in %zu buffers (%.1f%% of the sum)\n",
              FormatBytes(m.peak_bytes).c_str(), m.buffer_bytes.size(), ratio);
  out += Line("  sum of all activations  %s over %zu values\n", FormatBytes(m.total_bytes).c_str(),
              m.values.size());
  out +=
      Line("  most live at one step   %s (lower bound)\n", FormatBytes(m.max_live_bytes).c_str());
  out += Line("  in place                %d values\n", m.in_place_count);
  return out;
}

}  // namespace

std::string FormatExplain(const CompileSummary& s) {
  std::string out =
      Line("%s: %zu nodes -> %zu nodes\n", s.model.c_str(), s.nodes_before, s.nodes_after);
  out += "ops (before -> after):\n";
  OpCounts all = s.ops_before;
  for (const auto& [op, n] : s.ops_after) all.emplace(op, 0);
  for (const auto& [op, unused] : all) {
    auto b = s.ops_before.find(op);
    auto a = s.ops_after.find(op);
    const long long before = b == s.ops_before.end() ? 0 : b->second;
    const long long after = a == s.ops_after.end() ? 0 : a->second;
    out += Line("  %-18s %6lld -> %-6lld%s\n", op.c_str(), before, after,
                before == after ? "" : (after > before ? "  +" : "  -"));
  }
  const OpCounts fusions = FusionsApplied(s.ops_before, s.ops_after);
  out += "fusions applied:";
  if (fusions.empty()) out += " none";
  for (const auto& [type, n] : fusions)
    out += Line(" %s x%lld", type.c_str(), static_cast<long long>(n));
  out += "\n";
  return out + FormatMemory(s);
}

}  // namespace hetero::passes
