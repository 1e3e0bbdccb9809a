// Comparing a computed tensor with an expected one, with a tolerance per dtype.
#pragma once

#include <string>

#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::onnx_node {

struct Tolerance {
  double rtol = 0;
  double atol = 0;
};

// f32: rtol 1e-4, atol 1e-5; f16: 1e-3; bf16: 1e-2; f8e4m3, integers and bool: exact.
Tolerance ToleranceFor(DType dtype);

// OK when dtype and dims match and every element is within |got - want| <= atol +
// rtol·|want| (NaN matches NaN, infinities must be equal). The error names `what`, the
// first element that differs and the largest difference.
Status CompareTensors(const Tensor& got, const Tensor& want, const std::string& what);

}  // namespace hetero::onnx_node
