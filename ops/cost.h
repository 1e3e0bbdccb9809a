// Cost helpers shared by op schemas: bytes moved and FLOPs charged per element.
#pragma once

#include "hetero/shape.h"
#include "ops/schema.h"

namespace hetero::ops {

// FLOPs charged for one element of an operation that is more than one add, multiply,
// compare or select (each of those counts 1). The counts are a convention for the cost
// model and the roofline, roughly the instruction count of a good vector kernel; they
// are written in docs/opset.md.
inline constexpr double kDivideFlops = 4;          // divide, reciprocal, sqrt, rsqrt
inline constexpr double kTranscendentalFlops = 8;  // exp, log, tanh, erf, sin, cos
inline constexpr double kPowFlops = 2 * kTranscendentalFlops + 1;  // exp(b * log(a))

// Elements of a type with static dims (0 when a dim is not static).
double ElementCount(const TensorType& type);
// Bytes of a type with static dims (0 when a dim is not static).
double TensorBytes(const TensorType& type);
// Bytes read from every present input plus bytes written to every output.
double InputOutputBytes(const CostContext& ctx);
// flops_per_element times the elements of output 0, and InputOutputBytes.
OpCost ElementwiseCost(const CostContext& ctx, double flops_per_element);

}  // namespace hetero::ops
