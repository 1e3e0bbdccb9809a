// Test helpers: run one op's inference and reference kernel the way the executor does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/schema.h"

namespace hetero::ops::op_testing {

// Looks up `op`, checks arity and attributes, infers the output types from the inputs'
// types; `inputs` holds nullptr for an optional input left out.
inline StatusOr<std::vector<TensorType>> InferOp(std::string_view op,
                                                 const std::vector<const TensorType*>& inputs,
                                                 const Attributes& attrs = {},
                                                 size_t num_outputs = 1,
                                                 const std::vector<const Tensor*>& values = {}) {
  const OpSchema* schema = FindOp(op);
  if (schema == nullptr) return NotFound("no op '" + std::string(op) + "'");
  HETERO_RETURN_IF_ERROR(CheckArity(*schema, inputs.size(), num_outputs, attrs));
  std::vector<const Tensor*> vals = values;
  vals.resize(inputs.size(), nullptr);
  InferContext ctx{inputs, vals, attrs, num_outputs};
  return schema->infer(ctx);
}

// Infers concrete output types from the tensors, allocates the outputs and runs the
// reference kernel.
inline StatusOr<std::vector<Tensor>> RunOp(std::string_view op,
                                           const std::vector<const Tensor*>& inputs,
                                           const Attributes& attrs = {}, size_t num_outputs = 1) {
  std::vector<TensorType> types(inputs.size());
  std::vector<const TensorType*> type_ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] != nullptr) types[i] = inputs[i]->type();
    type_ptrs.push_back(inputs[i] != nullptr ? &types[i] : nullptr);
  }
  HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> out_types,
                          InferOp(op, type_ptrs, attrs, num_outputs, inputs));
  std::vector<Tensor> outs;
  for (const TensorType& t : out_types) {
    std::optional<std::vector<int64_t>> dims = t.shape.StaticDims();
    if (!dims) return Internal("output " + t.ToString() + " is not concrete");
    HETERO_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(t.dtype, *dims));
    outs.push_back(std::move(out));
  }
  std::vector<Tensor*> out_ptrs;
  for (Tensor& t : outs) out_ptrs.push_back(&t);
  KernelContext kctx{inputs, out_ptrs, attrs};
  HETERO_RETURN_IF_ERROR(FindOp(op)->reference(kctx));
  return outs;
}

// Runs a one-output op and returns that output.
inline StatusOr<Tensor> RunOp1(std::string_view op, const std::vector<const Tensor*>& inputs,
                               const Attributes& attrs = {}) {
  HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> outs, RunOp(op, inputs, attrs));
  if (outs.empty()) return Internal(std::string(op) + " gave no output");
  return outs[0];
}

// A symbolic dim, for shapes such as Shape({Sym("batch"), 768}).
inline Dim Sym(const char* name) { return Dim::Symbol(name); }

// Every element of `t` as a double.
inline std::vector<double> Values(const Tensor& t) {
  std::vector<double> out;
  for (int64_t i = 0; i < t.num_elements(); ++i) out.push_back(t.GetDouble(i));
  return out;
}

}  // namespace hetero::ops::op_testing
