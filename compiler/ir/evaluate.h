// Evaluates one node on constant inputs with the reference kernels: the one place both
// import-time folding and the fold-constants pass compute values at compile time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"

namespace hetero::ir {

// The outputs of op(inputs), computed now when that is possible and cheap:
//  - Shape and Size read only dims: a value whose dims (in the requested range) are
//    static is enough, constant or not;
//  - any other op with a reference kernel whose inputs are all constants (or absent
//    optional ones), when every output dim is static and all outputs together hold at
//    most `max_output_elements` elements.
// nullopt otherwise, including for nodes AddNode would refuse and kernels that fail
// (an index out of range, ...): the node then stays, and running it reports the error.
// Never allocates more than the limit allows. Thread-safe.
// The pieces, for callers that know values the graph does not hold (a memory planner
// that has concrete dims):
// Shape or Size of a value of type `x`, when the dims it reads are static.
std::optional<Tensor> EvaluateShapeOp(std::string_view op, const TensorType& x,
                                      const ops::Attributes& attrs);
// op on its reference kernel, given every present input's value (nullptr: an absent
// optional input) and type, under the same conditions as above.
std::optional<std::vector<Tensor>> EvaluateWithKernel(
    std::string_view op, std::vector<const TensorType*> types, std::vector<const Tensor*> values,
    const ops::Attributes& attrs, size_t num_outputs, int64_t max_output_elements);

std::optional<std::vector<Tensor>> EvaluateOnConstants(std::string_view op,
                                                       std::vector<const Value*> inputs,
                                                       const ops::Attributes& attrs,
                                                       size_t num_outputs,
                                                       int64_t max_output_elements);

}  // namespace hetero::ir
