// Pass 'infer-shapes': re-runs every node's type inference in topological order, with
// constant values visible, and keeps the more precise of the inferred and recorded dims.
// Shapes computed by shape arithmetic (Reshape, Expand, ConstantOfShape, Range inputs
// built from Shape ops) are read element by element, so their symbolic dims are kept.
#include "compiler/passes/pass.h"
#include "compiler/passes/rewrite.h"
#include "compiler/passes/shape_values.h"
#include "ops/broadcast.h"
#include "ops/reference/movement.h"

namespace hetero::passes {
namespace {

// Fills the unknown dims of `base` from `extra` (same rank), where `extra` knows them.
void Overlay(Shape& base, const std::vector<Dim>& extra) {
  if (extra.size() != base.rank()) return;
  for (size_t i = 0; i < extra.size(); ++i) {
    if (base[i].is_unknown()) base[i] = extra[i];
  }
}

std::vector<Dim> ReshapeDims(const Shape& data, const ShapeValue& shape, bool allowzero) {
  std::vector<Dim> dims = DimsOf(shape);
  for (size_t i = 0; i < dims.size(); ++i) {
    const SymInt& e = shape.elements[i];
    if (e.is_number() && *e.number == 0 && !allowzero) {
      dims[i] = i < data.rank() ? data[i] : Dim::Unknown();
    }
  }
  // The -1 (or a single open entry) follows from the element count.
  if (auto constant = ConstantReshapeShape(data, shape, allowzero)) {
    auto resolved = ops::reference::ReshapeShape(data, *constant, allowzero);
    if (resolved.ok()) {
      Overlay(*resolved, dims);
      dims = resolved->dims();
    }
  }
  return dims;
}

// Dims the op's own inference cannot see because its shape input is computed.
std::optional<std::vector<Dim>> ComputedShapeDims(const ir::Node& node, ShapeValues& values) {
  const std::string& op = node.op();
  if (op == "Reshape" || op == "Expand" || op == "ConstantOfShape") {
    const ir::Value* shape_input = node.input(op == "ConstantOfShape" ? 0 : 1);
    if (shape_input == nullptr || shape_input->is_constant()) return std::nullopt;
    const auto& shape = values.Get(shape_input);
    if (!shape || shape->scalar) return std::nullopt;
    if (op == "ConstantOfShape") return DimsOf(*shape);
    const Shape& x = node.input(0)->type().shape;
    if (op == "Reshape") return ReshapeDims(x, *shape, node.attrs().GetInt("allowzero", 0) != 0);
    auto out = ops::BroadcastShapes(x, Shape(DimsOf(*shape)));
    if (!out.ok()) return std::nullopt;
    return out->dims();
  }
  if (op == "Range" && node.inputs().size() == 3) {
    // Range(0, n, 1) has n elements.
    const auto& start = values.Get(node.input(0));
    const auto& limit = values.Get(node.input(1));
    const auto& delta = values.Get(node.input(2));
    if (!start || !limit || !delta || !start->scalar || !limit->scalar) return std::nullopt;
    if (start->elements[0] != SymInt::Number(0) || delta->elements[0] != SymInt::Number(1)) {
      return std::nullopt;
    }
    return DimsOf(*limit);
  }
  return std::nullopt;
}

StatusOr<bool> InferNode(ir::Node& node, ShapeValues& values) {
  HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> inferred, ir::InferNodeTypes(node));
  if (inferred.size() != node.outputs().size()) {
    return Internal(DescribeNode(node) + ": inference gave " + std::to_string(inferred.size()) +
                    " outputs");
  }
  if (auto dims = ComputedShapeDims(node, values)) Overlay(inferred[0].shape, *dims);
  bool changed = false;
  for (size_t i = 0; i < inferred.size(); ++i) {
    ir::Value* out = node.output(i);
    HETERO_ASSIGN_OR_RETURN(TensorType tight,
                            TightenType(inferred[i], out->type(), DescribeNode(node)));
    if (!(tight == out->type())) {
      out->set_type(std::move(tight));
      changed = true;
    }
  }
  return changed;
}

class InferShapesPass final : public Pass {
 public:
  std::string_view name() const override { return "infer-shapes"; }
  StatusOr<bool> Run(ir::Graph& graph) override {
    HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
    ShapeValues values;
    bool changed = false;
    for (ir::Node* node : order) {
      HETERO_ASSIGN_OR_RETURN(bool node_changed, InferNode(*node, values));
      changed = changed || node_changed;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateInferShapesPass() { return std::make_unique<InferShapesPass>(); }

}  // namespace hetero::passes
