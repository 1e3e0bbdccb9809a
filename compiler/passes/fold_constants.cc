// Pass 'fold-constants': computes at compile time what does not depend on the inputs.
//  - a node whose inputs are all constants runs on its reference kernel (ir::
//    EvaluateOnConstants) when its outputs are small enough; Shape / Size of static dims
//    too;
//  - integer shape arithmetic (Shape → Gather / Slice → Concat ...) becomes a constant when
//    every element it computes is a number, even if other dims of the shapes it reads
//    are symbolic;
//  - a Reshape or Expand whose shape is computed from symbolic dims gets a constant shape
//    when the dims line up: 0 (copy) for a symbolic dim kept in place, -1 for one other,
//    1 in an Expand where the input already has the dim.
// What depends on a symbolic dim otherwise stays, and the pass reports no change for it.
#include <unordered_set>

#include "compiler/ir/evaluate.h"
#include "compiler/passes/pass.h"
#include "compiler/passes/rewrite.h"
#include "compiler/passes/shape_values.h"

namespace hetero::passes {
namespace {

// The most elements (all outputs of a node together) one fold may create: folding never
// turns a small graph into a large constant.
constexpr int64_t kMaxFoldedElements = int64_t{1} << 20;

class Folder {
 public:
  explicit Folder(ir::Graph& graph) : graph_(graph) {}

  StatusOr<bool> Run() {
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph_.TopologicalOrder());
    for (ir::Node* node : order) {
      HETERO_RETURN_IF_ERROR(Visit(node).WithContext(DescribeNode(*node)));
    }
    HETERO_RETURN_IF_ERROR(graph_.RemoveNodes(dead_));
    return changed_;
  }

 private:
  Status Visit(ir::Node* node) {
    HETERO_RETURN_IF_ERROR(RefreshTypes(node));
    std::vector<const ir::Value*> inputs(node->inputs().begin(), node->inputs().end());
    if (auto values = ir::EvaluateOnConstants(node->op(), std::move(inputs), node->attrs(),
                                              node->outputs().size(), kMaxFoldedElements)) {
      return Fold(node, std::move(*values));
    }
    if (node->outputs().size() == 1) {
      const ir::Value* out = node->output(0);
      const auto& shape_value = values_.Get(out);
      if (shape_value && shape_value->all_numbers()) {
        std::vector<int64_t> dims;
        if (!shape_value->scalar)
          dims.push_back(static_cast<int64_t>(shape_value->elements.size()));
        return Fold(node, {Tensor::FromInt64(dims, shape_value->numbers(), out->type().dtype)});
      }
    }
    if (node->op() == "Reshape" || node->op() == "Expand") return ConstantShape(node);
    return OkStatus();
  }

  // A node reading a value folded in this run infers its types again with the value
  // visible, so later nodes of the run see precise dims (Shape of them folds too).
  Status RefreshTypes(ir::Node* node) {
    bool reads_folded = false;
    for (const ir::Value* in : node->inputs()) reads_folded = reads_folded || folded_.count(in);
    if (!reads_folded) return OkStatus();
    HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> inferred, ir::InferNodeTypes(*node));
    for (size_t i = 0; i < inferred.size() && i < node->outputs().size(); ++i) {
      HETERO_ASSIGN_OR_RETURN(
          TensorType tight, TightenType(inferred[i], node->output(i)->type(), DescribeNode(*node)));
      if (tight == node->output(i)->type()) continue;
      node->output(i)->set_type(std::move(tight));
      changed_ = true;
    }
    return OkStatus();
  }

  Status Fold(ir::Node* node, std::vector<Tensor> values) {
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Value*> constants,
                            ReplaceWithConstants(graph_, node, std::move(values)));
    folded_.insert(constants.begin(), constants.end());
    dead_.push_back(node);
    changed_ = true;
    return OkStatus();
  }

  // Reshape / Expand with a computed shape → the same op with a constant shape.
  Status ConstantShape(ir::Node* node) {
    ir::Value* shape_input = node->input(1);
    if (shape_input == nullptr || shape_input->is_constant()) return OkStatus();
    const auto& shape = values_.Get(shape_input);
    if (!shape || shape->scalar) return OkStatus();
    const Shape& x = node->input(0)->type().shape;
    const auto constant =
        node->op() == "Reshape"
            ? ConstantReshapeShape(x, *shape, node->attrs().GetInt("allowzero", 0) != 0)
            : ConstantExpandShape(x, *shape);
    if (!constant) return OkStatus();
    HETERO_ASSIGN_OR_RETURN(ir::Value * c,
                            AddIntsConstant(graph_, node->name() + "/shape", *constant));
    node->set_input(1, c);
    // The op's inference now sees the shape; keep what was known before as well.
    HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> inferred, ir::InferNodeTypes(*node));
    HETERO_ASSIGN_OR_RETURN(TensorType tight, TightenType(inferred.at(0), node->output(0)->type(),
                                                          DescribeNode(*node)));
    node->output(0)->set_type(std::move(tight));
    changed_ = true;
    return OkStatus();
  }

  ir::Graph& graph_;
  ShapeValues values_;
  std::vector<ir::Node*> dead_;
  std::unordered_set<const ir::Value*> folded_;  // constants this run created
  bool changed_ = false;
};

class FoldConstantsPass final : public Pass {
 public:
  std::string_view name() const override { return "fold-constants"; }
  StatusOr<bool> Run(ir::Graph& graph) override { return Folder(graph).Run(); }
};

}  // namespace

std::unique_ptr<Pass> CreateFoldConstantsPass() { return std::make_unique<FoldConstantsPass>(); }

}  // namespace hetero::passes
