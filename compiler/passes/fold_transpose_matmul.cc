// Pass 'fold-transpose-matmul': a Transpose of the last two dims feeding a MatMul becomes
// the MatMul's transpose_a / transpose_b flag.
//
// MatMul(a, Transpose(b, [0,1,3,2]))        -> MatMul(a, b) {transpose_b = 1}
// MatMul(a, Transpose(b, [0,2,3,1]))        -> MatMul(a, Transpose(b, [0,2,1,3])) {transpose_b = 1}
// The second form (a head split and a matrix transpose in one perm, as exporters write
// Kᵀ) keeps the head split as its own Transpose, reusing an identical one when the graph
// has it, so that attention sees K in [B, H, S, D]. It is only done when the original
// Transpose has no other user or an identical head split exists, so it never adds work.
#include <string>
#include <vector>

#include "compiler/passes/pass.h"
#include "compiler/passes/pattern.h"

namespace hetero::passes {
namespace {

std::vector<int64_t> PermOf(const ir::Node& transpose) {
  std::vector<int64_t> perm = transpose.attrs().GetInts("perm");
  if (perm.empty()) {  // empty perm: reverse the dims
    const auto rank = static_cast<int64_t>(transpose.output(0)->type().shape.rank());
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  return perm;
}

// A Transpose of `source` by `perm` that already exists.
ir::Value* FindTranspose(ir::Value* source, const std::vector<int64_t>& perm, const UseMap& uses) {
  for (ir::Node* user : uses.Users(source)) {
    if (user->op() == "Transpose" && user->input(0) == source && PermOf(*user) == perm) {
      return user->output(0);
    }
  }
  return nullptr;
}

// The operand to use in place of Transpose output `operand` with the flag toggled, or
// nullptr when the transpose is not of the last two dims.
StatusOr<ir::Value*> Untransposed(ir::Graph& graph, ir::Value* operand, const UseMap& uses) {
  ir::Node* transpose = Producer(operand, "Transpose");
  if (transpose == nullptr || operand->type().shape.rank() < 2) return nullptr;
  std::vector<int64_t> perm = PermOf(*transpose);
  if (perm.size() < 2) return nullptr;
  if (SwapsLastTwo(perm)) return transpose->input(0);
  const size_t n = perm.size();
  // Only a perm whose last two dims come out in decreasing source order holds a matrix
  // transpose worth splitting off.
  if (perm[n - 2] < perm[n - 1]) return nullptr;
  std::swap(perm[n - 2], perm[n - 1]);
  if (ir::Value* existing = FindTranspose(transpose->input(0), perm, uses)) return existing;
  if (uses.SoleUser(operand) == nullptr) return nullptr;
  ops::Attributes attrs;
  attrs.Set("perm", perm);
  return AddHelperNode(graph, "Transpose", {transpose->input(0)}, std::move(attrs),
                       transpose->name());
}

StatusOr<bool> FoldIntoMatMul(ir::Graph& graph, ir::Node* node, const UseMap& uses) {
  if (node->op() != "MatMul" && node->op() != "FusedMatMul") return false;
  bool changed = false;
  std::vector<ir::Node*> folded;
  for (size_t i = 0; i < 2; ++i) {
    ir::Value* operand = node->input(i);
    HETERO_ASSIGN_OR_RETURN(ir::Value * replacement, Untransposed(graph, operand, uses));
    if (replacement == nullptr) continue;
    const char* flag = i == 0 ? "transpose_a" : "transpose_b";
    const int64_t toggled = 1 - (node->attrs().GetInt(flag, 0) != 0 ? 1 : 0);
    folded.push_back(operand->producer());
    node->set_input(i, replacement);
    if (toggled == 1) {
      node->mutable_attrs().Set(flag, int64_t{1});
    } else {
      node->mutable_attrs().Erase(flag);
    }
    changed = true;
  }
  if (changed) HETERO_RETURN_IF_ERROR(EraseDeadNodes(graph, folded));
  return changed;
}

class FoldTransposeMatMulPass final : public Pass {
 public:
  std::string_view name() const override { return "fold-transpose-matmul"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return RewriteNodes(graph, FoldIntoMatMul); }
};

}  // namespace

std::unique_ptr<Pass> CreateFoldTransposeMatMulPass() {
  return std::make_unique<FoldTransposeMatMulPass>();
}

}  // namespace hetero::passes
