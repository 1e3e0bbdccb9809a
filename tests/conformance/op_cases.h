// Small valid graphs for every op of the registry and every element type its schema
// accepts, including edge-case shapes (size-1 dims, broadcasting, empty tensors).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"
#include "ops/schema.h"

namespace hetero::conformance {

// Where random input values come from (each rounded to the element type).
enum class Domain {
  kAny,       // floats in [-2, 2]; signed ints in [-5, 5]; u8 in [0, 10]; bool random
  kPositive,  // floats in [0.5, 2.5]; ints in [1, 5]
  kNonZero,   // kPositive with a random sign (u8: positive)
  kExponent,  // floats in [-2, 2]; ints in [0, 3]
};

struct InputSpec {
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;
  Domain domain = Domain::kAny;
  bool constant = false;       // a graph constant rather than a graph input
  std::vector<double> values;  // explicit values (shapes, indices); random when empty
  bool absent = false;         // an optional input left out
};

struct OpCase {
  std::string label;
  std::vector<InputSpec> inputs;
  ops::Attributes attrs;
  size_t num_outputs = 1;
};

// Every case for one op and one element type of its main operand.
std::vector<OpCase> CasesFor(const ops::OpSchema& schema, DType dtype);

// The families' case lists (op_cases_*.cc).
std::vector<OpCase> ElementwiseCases(const std::string& op, DType t);
std::vector<OpCase> ReduceNormMatMulCases(const std::string& op, DType t);
std::vector<OpCase> MovementCases(const std::string& op, DType t);
std::vector<OpCase> FusedQuantCases(const std::string& op, DType t);

// An input tensor for `spec`: its explicit values, else random ones from its domain.
Tensor MakeInput(const InputSpec& spec, std::mt19937& rng);

// Spec builders.
inline InputSpec In(DType t, std::vector<int64_t> dims, Domain d = Domain::kAny) {
  return InputSpec{t, std::move(dims), d, false, {}, false};
}
inline InputSpec Const(DType t, std::vector<int64_t> dims, std::vector<double> values) {
  return InputSpec{t, std::move(dims), Domain::kAny, true, std::move(values), false};
}
// A graph constant with random values from `d`.
inline InputSpec RandomConst(DType t, std::vector<int64_t> dims, Domain d = Domain::kAny) {
  return InputSpec{t, std::move(dims), d, true, {}, false};
}
inline InputSpec Given(DType t, std::vector<int64_t> dims, std::vector<double> values) {
  return InputSpec{t, std::move(dims), Domain::kAny, false, std::move(values), false};
}
inline InputSpec Absent() { return InputSpec{DType::kF32, {}, Domain::kAny, false, {}, true}; }

// Attributes from a list of (name, value).
ops::Attributes Attrs(std::initializer_list<std::pair<const char*, ops::AttrValue>> items);

// Per-dtype tolerance of the comparison with the reference (relative, with the same
// absolute floor near zero): f32 1e-5, f16 1e-3, bf16 1e-2, f8e4m3 1e-1, others exact.
double Tolerance(DType dtype);

}  // namespace hetero::conformance
