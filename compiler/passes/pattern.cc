// Matching and rewriting helpers shared by the fusion passes.
#include "compiler/passes/pattern.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <variant>

namespace hetero::passes {

namespace {

// Constants larger than this are never treated as splats: scanning weights for equal
// elements would cost more than any fusion gains.
constexpr int64_t kMaxSplatScan = 4096;

const std::vector<ir::Node*>& NoUsers() {
  static const std::vector<ir::Node*> none;
  return none;
}

// The more specific of two compatible types; nullopt when they disagree.
std::optional<TensorType> MergeTypes(const TensorType& old_type, const TensorType& new_type) {
  if (old_type.dtype != new_type.dtype || old_type.shape.rank() != new_type.shape.rank()) {
    return std::nullopt;
  }
  TensorType merged = old_type;
  for (size_t i = 0; i < old_type.shape.rank(); ++i) {
    const Dim& a = old_type.shape[i];
    const Dim& b = new_type.shape[i];
    if (!DimsCompatible(a, b)) return std::nullopt;
    if (a.is_unknown() || (a.is_symbol() && b.is_static())) merged.shape[i] = b;
  }
  return merged;
}

}  // namespace

void UseMap::Rebuild(const ir::Graph& graph) {
  users_ = graph.ComputeUsers();
  outputs_.clear();
  outputs_.insert(graph.outputs().begin(), graph.outputs().end());
}

const std::vector<ir::Node*>& UseMap::Users(const ir::Value* value) const {
  auto it = users_.find(value);
  return it == users_.end() ? NoUsers() : it->second;
}

ir::Node* UseMap::SoleUser(const ir::Value* value) const {
  const std::vector<ir::Node*>& users = Users(value);
  if (users.size() != 1 || IsGraphOutput(value)) return nullptr;
  return users[0];
}

std::string ActivationOf(const ir::Node* node) {
  if (node == nullptr) return "";
  if (node->op() == "Relu") return "relu";
  if (node->op() == "Silu") return "silu";
  if (node->op() == "Gelu") {
    const std::string approximate = node->attrs().GetString("approximate", "none");
    if (approximate == "none") return "gelu";
    if (approximate == "tanh") return "gelu_tanh";
  }
  return "";
}

ir::Node* Producer(const ir::Value* value, std::string_view op) {
  if (value == nullptr || value->producer() == nullptr) return nullptr;
  return value->producer()->op() == op ? value->producer() : nullptr;
}

ir::Value* OtherInput(const ir::Node* node, const ir::Value* operand) {
  if (node == nullptr || node->inputs().size() != 2) return nullptr;
  if (node->input(0) == operand) return node->input(1);
  if (node->input(1) == operand) return node->input(0);
  return nullptr;
}

bool IsFloat(const ir::Value* value) { return value != nullptr && IsFloat(value->type().dtype); }

bool SameDim(const Dim& a, const Dim& b) {
  if (a.is_static() || b.is_static()) return a.is_static() && b.is_static() && a == b;
  return a.is_symbol() && b.is_symbol() && a.symbol() == b.symbol();
}

std::optional<Dim> DimFromEnd(const ir::Value* value, size_t from_end) {
  const Shape& shape = value->type().shape;
  if (from_end >= shape.rank()) return std::nullopt;
  return shape[shape.rank() - 1 - from_end];
}

std::optional<double> SplatValue(const ir::Value* value) {
  for (int depth = 0; value != nullptr && depth < 8; ++depth) {
    if (const Tensor* t = value->constant()) {
      const int64_t n = t->num_elements();
      if (n < 1 || n > kMaxSplatScan || t->empty_storage()) return std::nullopt;
      const double first = t->GetDouble(0);
      for (int64_t i = 1; i < n; ++i) {
        if (t->GetDouble(i) != first) return std::nullopt;
      }
      return first;
    }
    const ir::Node* node = value->producer();
    if (node == nullptr) return std::nullopt;
    const std::string& op = node->op();
    if (op == "ConstantOfShape") {
      // The value is a float or, for integer dtypes, an int; absent means 0.
      const ops::AttrValue* fill = node->attrs().Find("value");
      if (fill == nullptr) return 0.0;
      if (const auto* i = std::get_if<int64_t>(fill)) return static_cast<double>(*i);
      if (const auto* f = std::get_if<double>(fill)) return *f;
      return std::nullopt;
    }
    const bool passes_value = op == "Expand" || op == "Reshape" || op == "Unsqueeze" ||
                              op == "Squeeze" || (op == "Cast" && IsFloat(value));
    if (!passes_value) return std::nullopt;
    value = node->input(0);
  }
  return std::nullopt;
}

bool IsSplatNear(const ir::Value* value, double expected, double rel_tol) {
  const std::optional<double> v = SplatValue(value);
  return v && std::fabs(*v - expected) <= rel_tol * std::fabs(expected);
}

std::optional<std::vector<int64_t>> IntsConstant(const ir::Value* value) {
  const Tensor* t = value ? value->constant() : nullptr;
  if (t == nullptr || !IsInteger(t->dtype()) || t->rank() > 1 || t->empty_storage()) {
    return std::nullopt;
  }
  return t->ToInt64Vector();
}

bool IsNoOpCast(const ir::Node* node) {
  if (node == nullptr || node->op() != "Cast" || node->input(0) == nullptr) return false;
  return node->output(0)->type().dtype == node->input(0)->type().dtype;
}

ir::Value* SkipCastsUp(ir::Value* value, std::vector<ir::Node*>& matched) {
  while (value != nullptr && IsNoOpCast(value->producer())) {
    matched.push_back(value->producer());
    value = value->producer()->input(0);
  }
  return value;
}

ir::Value* SkipCastsDown(ir::Value* value, const UseMap& uses, std::vector<ir::Node*>& matched) {
  while (true) {
    ir::Node* user = uses.SoleUser(value);
    if (!IsNoOpCast(user)) return value;
    matched.push_back(user);
    value = user->output(0);
  }
}

std::optional<std::vector<int64_t>> KeptReduceAxes(const ir::Node& reduce, size_t rank) {
  if (reduce.attrs().GetInt("keepdims", 1) != 1) return std::nullopt;
  std::vector<int64_t> axes = reduce.attrs().GetInts("axes");
  const auto r = static_cast<int64_t>(rank);
  if (axes.empty()) {
    for (int64_t i = 0; i < r; ++i) axes.push_back(i);
  }
  for (int64_t& a : axes) {
    if (a < -r || a >= r) return std::nullopt;
    if (a < 0) a += r;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) return std::nullopt;
  return axes;
}

bool AreTrailingAxes(const std::vector<int64_t>& axes, size_t rank) {
  if (axes.empty() || axes.size() > rank) return false;
  const auto first = static_cast<int64_t>(rank - axes.size());
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] != first + static_cast<int64_t>(i)) return false;
  }
  return true;
}

bool SwapsLastTwo(const std::vector<int64_t>& perm) {
  const size_t n = perm.size();
  if (n < 2) return false;
  for (size_t i = 0; i + 2 < n; ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return perm[n - 2] == static_cast<int64_t>(n - 1) && perm[n - 1] == static_cast<int64_t>(n - 2);
}

std::optional<std::vector<ir::Value*>> ProductFactors(ir::Value* value, const UseMap& uses,
                                                      std::vector<ir::Node*>& matched,
                                                      size_t max_factors) {
  std::vector<ir::Value*> leaves;
  std::vector<ir::Value*> pending = {value};
  while (!pending.empty()) {
    ir::Value* v = pending.back();
    pending.pop_back();
    ir::Node* mul = Producer(v, "Mul");
    // Below the root, a product is only looked into when its one user is the parent Mul.
    if (mul != nullptr && (v == value || uses.SoleUser(v) != nullptr)) {
      matched.push_back(mul);
      pending.push_back(mul->input(1));
      pending.push_back(mul->input(0));
    } else {
      leaves.push_back(v);
    }
    if (leaves.size() + pending.size() > max_factors) return std::nullopt;
  }
  return leaves;
}

bool TakeFactor(std::vector<ir::Value*>& factors, const ir::Value* factor) {
  auto it = std::find(factors.begin(), factors.end(), factor);
  if (it == factors.end()) return false;
  factors.erase(it);
  return true;
}

bool TakeSplatFactor(std::vector<ir::Value*>& factors, double expected) {
  for (auto it = factors.begin(); it != factors.end(); ++it) {
    if (IsSplatNear(*it, expected)) {
      factors.erase(it);
      return true;
    }
  }
  return false;
}

Status DropUnusedConstants(ir::Graph& graph, const std::vector<ir::Value*>& constants) {
  if (constants.empty()) return OkStatus();
  const UseMap uses(graph);
  std::vector<ir::Value*> unused;
  for (ir::Value* c : constants) {
    if (uses.Users(c).empty() && !uses.IsGraphOutput(c)) unused.push_back(c);
  }
  return unused.empty() ? OkStatus() : graph.RemoveConstants(unused);
}

bool IsSelfContained(const std::vector<ir::Node*>& matched, const ir::Value* root,
                     const UseMap& uses) {
  const std::unordered_set<const ir::Node*> inside(matched.begin(), matched.end());
  for (const ir::Node* node : matched) {
    for (const ir::Value* out : node->outputs()) {
      if (out == root) continue;
      if (uses.IsGraphOutput(out)) return false;
      for (const ir::Node* user : uses.Users(out)) {
        if (!inside.count(user)) return false;
      }
    }
  }
  return true;
}

Status EraseDeadNodes(ir::Graph& graph, const std::vector<ir::Node*>& candidates) {
  std::unordered_map<const ir::Value*, size_t> use_count;
  for (const auto& node : graph.nodes()) {
    for (const ir::Value* in : node->inputs()) {
      if (in != nullptr) ++use_count[in];
    }
  }
  for (const ir::Value* out : graph.outputs()) ++use_count[out];
  // Candidates may name nodes an earlier step erased already: only live ones count.
  std::unordered_set<const ir::Node*> live;
  for (const auto& node : graph.nodes()) live.insert(node.get());
  std::unordered_set<const ir::Node*> seen;
  std::vector<ir::Node*> dead;
  bool progress = true;
  while (progress) {
    progress = false;
    for (ir::Node* node : candidates) {
      if (!live.count(node) || seen.count(node)) continue;
      const bool unused = std::all_of(node->outputs().begin(), node->outputs().end(),
                                      [&](const ir::Value* v) { return use_count[v] == 0; });
      if (!unused) continue;
      for (const ir::Value* in : node->inputs()) {
        if (in != nullptr) --use_count[in];
      }
      seen.insert(node);
      dead.push_back(node);
      progress = true;
    }
  }
  return dead.empty() ? OkStatus() : graph.RemoveNodes(dead);
}

StatusOr<ir::Value*> AddHelperNode(ir::Graph& graph, std::string_view op,
                                   std::vector<ir::Value*> inputs, ops::Attributes attrs,
                                   std::string_view stem) {
  HETERO_ASSIGN_OR_RETURN(ir::Node * node, graph.AddNode(op, std::move(inputs), std::move(attrs), 1,
                                                         graph.UniqueName(stem)));
  return node->output(0);
}

StatusOr<bool> ReplaceWithNode(ir::Graph& graph, ir::Value* root, std::string_view op,
                               std::vector<ir::Value*> inputs, ops::Attributes attrs,
                               const std::vector<ir::Node*>& matched) {
  const std::string root_name = root->name();
  const std::string node_name = root->producer() ? root->producer()->name() : std::string(op);
  auto added = graph.AddNode(op, std::move(inputs), std::move(attrs), 1, graph.UniqueName(op),
                             {graph.UniqueName(root_name + ".fused")});
  if (!added.ok()) return false;  // the op does not accept these operands: no match
  ir::Node* fused = *added;
  const std::optional<TensorType> merged = MergeTypes(root->type(), fused->output(0)->type());
  if (!merged) {
    HETERO_RETURN_IF_ERROR(graph.RemoveNodes({fused}));
    return false;
  }
  fused->output(0)->set_type(*merged);
  graph.ReplaceAllUses(root, fused->output(0));
  HETERO_RETURN_IF_ERROR(EraseDeadNodes(graph, matched));
  // Take over the replaced value's and node's names once they are free.
  if (graph.FindValue(root_name) == nullptr) {
    HETERO_RETURN_IF_ERROR(graph.RenameValue(fused->output(0), root_name));
  }
  if (graph.FindNode(node_name) == nullptr) {
    HETERO_RETURN_IF_ERROR(graph.RenameNode(fused, node_name));
  }
  return true;
}

StatusOr<bool> RewriteNodes(ir::Graph& graph, const NodeRewrite& rewrite) {
  constexpr int kMaxSweeps = 4;
  bool changed_any = false;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
    UseMap uses(graph);
    std::unordered_set<const ir::Node*> live(order.begin(), order.end());
    bool changed = false;
    for (ir::Node* node : order) {
      if (!live.count(node)) continue;
      HETERO_ASSIGN_OR_RETURN(bool did, rewrite(graph, node, uses));
      if (!did) continue;
      changed = true;
      uses.Rebuild(graph);
      live.clear();
      for (const auto& n : graph.nodes()) live.insert(n.get());
    }
    if (!changed) break;
    changed_any = true;
  }
  return changed_any;
}

}  // namespace hetero::passes
