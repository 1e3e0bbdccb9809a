// Compile-time evaluation of one node: Shape / Size from dims, other ops on their kernels.
#include "compiler/ir/evaluate.h"

#include <algorithm>

namespace hetero::ir {
namespace {

// Output tensors for the inferred types, when every dim is known and they are small.
std::optional<std::vector<Tensor>> AllocateOutputs(const std::vector<TensorType>& types,
                                                   int64_t max_elements) {
  std::vector<Tensor> outputs;
  int64_t total = 0;
  for (const TensorType& type : types) {
    auto dims = type.shape.StaticDims();
    if (!dims) return std::nullopt;
    auto count = CheckedElementCount(*dims, max_elements);
    if (!count.ok() || (total += *count) > max_elements) return std::nullopt;
    auto t = Tensor::Allocate(type.dtype, *dims);
    if (!t.ok()) return std::nullopt;
    outputs.push_back(std::move(*t));
  }
  return outputs;
}

}  // namespace

// Shape and Size read only dims, so a type whose dims are known is enough.
std::optional<Tensor> EvaluateShapeOp(std::string_view op, const TensorType& x,
                                      const ops::Attributes& attrs) {
  const Shape& shape = x.shape;
  const auto rank = static_cast<int64_t>(shape.rank());
  if (op == "Size") {
    auto dims = shape.StaticDims();
    if (!dims) return std::nullopt;
    auto count = CheckedElementCount(*dims);
    if (!count.ok()) return std::nullopt;
    return Tensor::FromInt64({}, {*count});
  }
  if (op != "Shape") return std::nullopt;
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

std::optional<std::vector<Tensor>> EvaluateWithKernel(
    std::string_view op, std::vector<const TensorType*> types, std::vector<const Tensor*> values,
    const ops::Attributes& attrs, size_t num_outputs, int64_t max_output_elements) {
  while (!types.empty() && types.back() == nullptr) types.pop_back();
  values.resize(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] != nullptr && values[i] == nullptr) return std::nullopt;
  }
  const ops::OpSchema* schema = ops::FindOp(op);
  if (types.empty() || schema == nullptr || schema->reference == nullptr ||
      !ops::CheckArity(*schema, types.size(), num_outputs, attrs).ok()) {
    return std::nullopt;
  }
  // Anything that goes wrong here is left for AddNode (or the run) to report.
  auto inferred = schema->infer(ops::InferContext{types, values, attrs, num_outputs});
  if (!inferred.ok()) return std::nullopt;
  auto outputs = AllocateOutputs(*inferred, max_output_elements);
  if (!outputs) return std::nullopt;
  std::vector<Tensor*> out_ptrs;
  for (Tensor& t : *outputs) out_ptrs.push_back(&t);
  if (!schema->reference(ops::KernelContext{values, out_ptrs, attrs}).ok()) return std::nullopt;
  return outputs;
}

std::optional<std::vector<Tensor>> EvaluateOnConstants(std::string_view op,
                                                       std::vector<const Value*> inputs,
                                                       const ops::Attributes& attrs,
                                                       size_t num_outputs,
                                                       int64_t max_output_elements) {
  if (op == "Shape" || op == "Size") {
    if (inputs.size() != 1 || inputs[0] == nullptr || num_outputs != 1) return std::nullopt;
    auto t = EvaluateShapeOp(op, inputs[0]->type(), attrs);
    if (!t) return std::nullopt;
    return std::vector<Tensor>{std::move(*t)};
  }
  std::vector<const TensorType*> types;
  std::vector<const Tensor*> values;
  for (const Value* v : inputs) {
    if (v != nullptr && !v->is_constant()) return std::nullopt;
    types.push_back(v ? &v->type() : nullptr);
    values.push_back(v ? v->constant() : nullptr);
  }
  return EvaluateWithKernel(op, std::move(types), std::move(values), attrs, num_outputs,
                            max_output_elements);
}

}  // namespace hetero::ir
