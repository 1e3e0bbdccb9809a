// Folding while importing: what can be computed from constants and known dims.
//
// Small nodes whose inputs are all constants, and Shape / Size of values whose dims are
// known, become constants instead of nodes. Exported graphs compute shapes at run time
// (Shape → Slice → Concat → Reshape); folding them here lets shape inference see the
// values, so ranks and dims stay known.
#include "compiler/onnx/lowering.h"

namespace hetero::onnx_import {

namespace {

// Shape and Size read only dims, so a value whose dims are known is enough.
std::optional<Tensor> ShapeFromType(std::string_view op, const ir::Value* x,
                                    const ops::Attributes& attrs) {
  if (x == nullptr) return std::nullopt;
  const Shape& shape = x->type().shape;
  const auto rank = static_cast<int64_t>(shape.rank());
  if (op == "Size") {
    auto dims = shape.StaticDims();
    if (!dims) return std::nullopt;
    auto count = CheckedElementCount(*dims);
    if (!count.ok()) return std::nullopt;
    return Tensor::FromInt64({}, {*count});
  }
  auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  const int64_t start = clamp(attrs.GetInt("start", 0));
  const int64_t end = clamp(attrs.GetInt("end", rank));
  std::vector<int64_t> values;
  for (int64_t i = start; i < end; ++i) {
    const Dim& d = shape[static_cast<size_t>(i)];
    if (!d.is_static()) return std::nullopt;
    values.push_back(d.value());
  }
  return Tensor::FromInt64({static_cast<int64_t>(values.size())}, values);
}

// Output tensors for the inferred types, when every dim is known and they are small.
std::optional<std::vector<Tensor>> AllocateOutputs(const std::vector<TensorType>& types) {
  std::vector<Tensor> outputs;
  int64_t total = 0;
  for (const TensorType& type : types) {
    auto dims = type.shape.StaticDims();
    if (!dims) return std::nullopt;
    auto count = CheckedElementCount(*dims, kMaxFoldedElements);
    if (!count.ok() || (total += *count) > kMaxFoldedElements) return std::nullopt;
    auto t = Tensor::Allocate(type.dtype, *dims);
    if (!t.ok()) return std::nullopt;
    outputs.push_back(std::move(*t));
  }
  return outputs;
}

}  // namespace

std::optional<std::vector<Tensor>> TryFold(std::string_view op, std::vector<ir::Value*> inputs,
                                           const ops::Attributes& attrs, size_t num_outputs) {
  if (op == "Shape" || op == "Size") {
    if (inputs.size() != 1 || num_outputs != 1) return std::nullopt;
    auto t = ShapeFromType(op, inputs[0], attrs);
    if (!t) return std::nullopt;
    return std::vector<Tensor>{std::move(*t)};
  }
  while (!inputs.empty() && inputs.back() == nullptr) inputs.pop_back();
  std::vector<const TensorType*> types;
  std::vector<const Tensor*> values;
  for (const ir::Value* v : inputs) {
    if (v != nullptr && !v->is_constant()) return std::nullopt;
    types.push_back(v ? &v->type() : nullptr);
    values.push_back(v ? v->constant() : nullptr);
  }
  const ops::OpSchema* schema = ops::FindOp(op);
  if (inputs.empty() || schema == nullptr || schema->reference == nullptr ||
      !ops::CheckArity(*schema, inputs.size(), num_outputs, attrs).ok()) {
    return std::nullopt;
  }
  // Anything that goes wrong here is left for AddNode (or the run) to report.
  auto inferred = schema->infer(ops::InferContext{types, values, attrs, num_outputs});
  if (!inferred.ok()) return std::nullopt;
  auto outputs = AllocateOutputs(*inferred);
  if (!outputs) return std::nullopt;
  std::vector<Tensor*> out_ptrs;
  for (Tensor& t : *outputs) out_ptrs.push_back(&t);
  if (!schema->reference(ops::KernelContext{values, out_ptrs, attrs}).ok()) return std::nullopt;
  return outputs;
}

}  // namespace hetero::onnx_import
