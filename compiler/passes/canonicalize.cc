// Pass 'canonicalize': one way to say each thing. Squeeze / Unsqueeze become Reshape;
// identities (same-type Cast, Reshape, Expand, whole Slice, identity Transpose, one-input
// Concat and one-part Split, x*1, x+0, x-0, x/1, double Neg / Not) disappear; chains of
// Reshape and of Transpose merge into one; flattening leading dims around a MatMul goes.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "compiler/passes/pass.h"
#include "compiler/passes/rewrite.h"
#include "compiler/passes/shape_values.h"

namespace hetero::passes {
namespace {

class Canonicalizer {
 public:
  explicit Canonicalizer(ir::Graph& graph) : graph_(graph) {}

  StatusOr<bool> Run() {
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph_.TopologicalOrder());
    for (ir::Node* node : order) {
      if (dead_.count(node)) continue;
      const std::string where = DescribeNode(*node);  // the node may be replaced
      HETERO_RETURN_IF_ERROR(Visit(node).WithContext(where));
    }
    HETERO_RETURN_IF_ERROR(graph_.RemoveNodes(std::vector<ir::Node*>(dead_.begin(), dead_.end())));
    return changed_;
  }

 private:
  Status Visit(ir::Node* node);
  StatusOr<bool> ForwardIdentity(ir::Node* node);
  Status ToReshape(ir::Node* node);
  Status MergeReshapes(ir::Node* node);
  Status MergeTransposes(ir::Node* node);
  Status UnflattenMatMul(ir::Node* node);

  // Makes every use of `node`'s first output use `to` instead; the node dies.
  StatusOr<bool> Forward(ir::Node* node, ir::Value* to) {
    ir::Value* from = node->output(0);
    if (!CanForward(graph_, from, to)) return false;
    if (!(to->type() == from->type())) {
      if (to->is_graph_input() || to->is_constant()) return false;
      HETERO_ASSIGN_OR_RETURN(TensorType t, TightenType(to->type(), from->type(), to->name()));
      to->set_type(std::move(t));
    }
    HETERO_RETURN_IF_ERROR(ForwardValue(graph_, from, to));
    dead_.insert(node);
    changed_ = true;
    return true;
  }

  ir::Graph& graph_;
  std::unordered_set<ir::Node*> dead_;
  bool changed_ = false;
};

bool IsIdentityPerm(const std::vector<int64_t>& perm, size_t rank) {
  if (perm.empty()) return rank <= 1;
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

// Transpose's perm with the empty default spelled out and negative entries normalized;
// nullopt when it is not a permutation of the rank.
std::optional<std::vector<int64_t>> FullPerm(const ir::Node& node) {
  const auto rank = static_cast<int64_t>(node.input(0)->type().shape.rank());
  std::vector<int64_t> perm = node.attrs().GetInts("perm");
  if (perm.empty()) {
    perm.resize(static_cast<size_t>(rank));
    for (int64_t i = 0; i < rank; ++i) perm[static_cast<size_t>(i)] = rank - 1 - i;
  }
  if (static_cast<int64_t>(perm.size()) != rank) return std::nullopt;
  std::vector<bool> seen(perm.size(), false);
  for (int64_t& p : perm) {
    if (p < 0) p += rank;
    if (p < 0 || p >= rank || seen[static_cast<size_t>(p)]) return std::nullopt;
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

// Whether Slice(data, starts, ends, axes, steps) surely reads every element in order.
bool IsWholeSlice(const ir::Node& node) {
  if (!SameKnownType(node.output(0)->type(), node.input(0)->type())) return false;
  if (node.inputs().size() < 5 || node.input(4) == nullptr) return true;
  auto steps = ConstantInts(node.input(4));
  return steps && std::all_of(steps->begin(), steps->end(), [](int64_t s) { return s == 1; });
}

StatusOr<bool> Canonicalizer::ForwardIdentity(ir::Node* node) {
  const std::string& op = node->op();
  ir::Value* x = node->input(0);
  if (x == nullptr || node->outputs().size() != 1) return false;
  const TensorType& out = node->output(0)->type();
  if (op == "Cast" && out.dtype == x->type().dtype) return Forward(node, x);
  if ((op == "Reshape" || op == "Expand") && SameKnownType(out, x->type())) {
    return Forward(node, x);
  }
  if (op == "Slice" && IsWholeSlice(*node)) return Forward(node, x);
  if (op == "Transpose" && IsIdentityPerm(node->attrs().GetInts("perm"), out.shape.rank())) {
    return Forward(node, x);
  }
  if (op == "Concat" && node->inputs().size() == 1) return Forward(node, x);
  if (op == "Split") return Forward(node, x);  // one output: the whole input
  if ((op == "Neg" || op == "Not") && x->producer() != nullptr && x->producer()->op() == op) {
    return Forward(node, x->producer()->input(0));
  }
  // x*1, 1*x, x+0, 0+x, x-0, x/1, where the other operand does not change x's type.
  const bool mul = op == "Mul", add = op == "Add";
  if ((mul || add || op == "Sub" || op == "Div") && node->inputs().size() == 2) {
    const double neutral = (mul || op == "Div") ? 1.0 : 0.0;
    for (size_t i = 0; i < 2; ++i) {
      if (i == 0 && !(mul || add)) continue;  // 1/x and 0-x are not x
      ir::Value* c = node->input(i);
      ir::Value* other = node->input(1 - i);
      if (IsConstantFilledWith(c, neutral) && SameKnownType(out, other->type())) {
        return Forward(node, other);
      }
    }
  }
  return false;
}

// Squeeze / Unsqueeze → Reshape to a constant shape: numbers as they are, 0 where a
// symbolic dim stays in place, and -1 for at most one other dim.
Status Canonicalizer::ToReshape(ir::Node* node) {
  const TensorType& out = node->output(0)->type();
  ShapeValue target;
  for (const Dim& d : out.shape.dims()) target.elements.push_back(SymInt::FromDim(d));
  auto shape = ConstantReshapeShape(node->input(0)->type().shape, target, false);
  if (!shape) return OkStatus();
  HETERO_ASSIGN_OR_RETURN(ir::Value * c, AddIntsConstant(graph_, node->name() + "/shape", *shape));
  HETERO_RETURN_IF_ERROR(ReplaceNode(graph_, node, "Reshape", {node->input(0), c}, {}).status());
  changed_ = true;
  return OkStatus();
}

// Reshape(Reshape(x, a), b) → Reshape(x, b) when b is constant and its 0 entries (copies)
// name dims that x has at the same place.
Status Canonicalizer::MergeReshapes(ir::Node* node) {
  const ir::Node* inner = node->input(0)->producer();
  if (inner == nullptr || inner->op() != "Reshape") return OkStatus();
  auto shape = ConstantInts(node->input(1));
  if (!shape) return OkStatus();
  const Shape& mid = node->input(0)->type().shape;
  const Shape& x = inner->input(0)->type().shape;
  if (node->attrs().GetInt("allowzero", 0) == 0) {
    for (size_t i = 0; i < shape->size(); ++i) {
      if ((*shape)[i] != 0) continue;
      if (i >= x.rank() || i >= mid.rank() || x[i].is_unknown() || !(x[i] == mid[i])) {
        return OkStatus();
      }
    }
  }
  node->set_input(0, inner->input(0));
  changed_ = true;
  if (SameKnownType(node->output(0)->type(), node->input(0)->type())) {
    HETERO_RETURN_IF_ERROR(Forward(node, node->input(0)).status());
  }
  return OkStatus();
}

// Transpose(Transpose(x, p), q) → Transpose(x, p∘q); the identity then disappears.
Status Canonicalizer::MergeTransposes(ir::Node* node) {
  const ir::Node* inner = node->input(0)->producer();
  if (inner == nullptr || inner->op() != "Transpose") return OkStatus();
  auto p = FullPerm(*inner);
  auto q = FullPerm(*node);
  if (!p || !q || p->size() != q->size()) return OkStatus();
  std::vector<int64_t> merged(q->size());
  for (size_t i = 0; i < q->size(); ++i) merged[i] = (*p)[static_cast<size_t>((*q)[i])];
  node->set_input(0, inner->input(0));
  node->mutable_attrs().Set("perm", merged);
  changed_ = true;
  if (IsIdentityPerm(merged, merged.size())) {
    HETERO_RETURN_IF_ERROR(Forward(node, node->input(0)).status());
  }
  return OkStatus();
}

bool SameDim(const Dim& a, const Dim& b) { return !a.is_unknown() && a == b; }

// The node producing `v` when `v` has no other use than one node and is no graph output.
const ir::Node* SoleUseProducer(const ir::Graph& graph, const ir::Value* v,
                                const std::unordered_map<const ir::Value*, int>& uses) {
  if (v == nullptr || v->producer() == nullptr) return nullptr;
  auto it = uses.find(v);
  if (it == uses.end() || it->second != 1) return nullptr;
  for (const ir::Value* out : graph.outputs()) {
    if (out == v) return nullptr;
  }
  return v->producer();
}

// Reshape(MatMul(Reshape(x, [-1, K]), W) [+ bias], [d..., N]) → MatMul(x, W) [+ bias]:
// MatMul broadcasts x's leading dims, so flattening them around it is not needed.
Status Canonicalizer::UnflattenMatMul(ir::Node* node) {
  const ir::Node* producer = node->input(0)->producer();
  if (producer == nullptr ||
      (producer->op() != "Add" && producer->op() != "MatMul" && producer->op() != "FusedMatMul")) {
    return OkStatus();
  }
  std::unordered_map<const ir::Value*, int> uses;
  for (const auto& n : graph_.nodes()) {
    for (const ir::Value* in : n->inputs()) ++uses[in];
  }
  const ir::Node* add = SoleUseProducer(graph_, node->input(0), uses);
  if (add == nullptr) return OkStatus();
  const ir::Node* mm = add;
  int bias_at = -1;  // which input of the Add is the bias
  if (add->op() == "Add") {
    for (int i = 0; i < 2 && bias_at < 0; ++i) {
      const ir::Node* p = SoleUseProducer(graph_, add->input(i), uses);
      if (p != nullptr && (p->op() == "MatMul" || p->op() == "FusedMatMul")) {
        mm = p;
        bias_at = 1 - i;
      }
    }
    if (bias_at < 0 || add->input(bias_at)->type().shape.rank() > 1) return OkStatus();
  } else {
    add = nullptr;
  }
  if ((mm->op() != "MatMul" && mm->op() != "FusedMatMul") ||
      mm->attrs().GetInt("transpose_a", 0) != 0 || mm->input(1)->type().shape.rank() != 2 ||
      (mm->input(2) != nullptr && mm->input(2)->type().shape.rank() > 1)) {
    return OkStatus();
  }
  const ir::Node* flatten = SoleUseProducer(graph_, mm->input(0), uses);
  if (flatten == nullptr || flatten->op() != "Reshape") return OkStatus();
  ir::Value* x = flatten->input(0);
  const Shape& xs = x->type().shape;
  const Shape& flat = mm->input(0)->type().shape;
  const Shape& out = node->output(0)->type().shape;
  const Shape& product = mm->output(0)->type().shape;
  if (xs.rank() < 3 || flat.rank() != 2 || out.rank() != xs.rank() || product.rank() != 2 ||
      !SameDim(xs[xs.rank() - 1], flat[1]) || !SameDim(out[out.rank() - 1], product[1])) {
    return OkStatus();
  }
  for (size_t i = 0; i + 1 < xs.rank(); ++i) {
    if (!SameDim(xs[i], out[i])) return OkStatus();
  }
  std::vector<ir::Value*> mm_inputs = mm->inputs();
  mm_inputs[0] = x;
  if (add == nullptr) {
    HETERO_RETURN_IF_ERROR(ReplaceNode(graph_, node, mm->op(), mm_inputs, mm->attrs()).status());
  } else {
    HETERO_ASSIGN_OR_RETURN(
        ir::Node * product_3d,
        graph_.AddNode(mm->op(), mm_inputs, mm->attrs(), 1, graph_.UniqueName(mm->name())));
    std::vector<ir::Value*> add_inputs = add->inputs();
    add_inputs[1 - bias_at] = product_3d->output(0);
    HETERO_RETURN_IF_ERROR(ReplaceNode(graph_, node, "Add", add_inputs, add->attrs()).status());
  }
  changed_ = true;
  return OkStatus();
}

Status Canonicalizer::Visit(ir::Node* node) {
  HETERO_ASSIGN_OR_RETURN(bool forwarded, ForwardIdentity(node));
  if (forwarded) return OkStatus();
  const std::string& op = node->op();
  if (op == "Squeeze" || op == "Unsqueeze") return ToReshape(node);
  if (op == "Reshape") {
    HETERO_RETURN_IF_ERROR(MergeReshapes(node));
    if (dead_.count(node)) return OkStatus();
    return UnflattenMatMul(node);
  }
  if (op == "Transpose") return MergeTransposes(node);
  return OkStatus();
}

class CanonicalizePass final : public Pass {
 public:
  std::string_view name() const override { return "canonicalize"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return Canonicalizer(graph).Run(); }
};

}  // namespace

std::unique_ptr<Pass> CreateCanonicalizePass() { return std::make_unique<CanonicalizePass>(); }

}  // namespace hetero::passes
