// Element-wise comparison of test outputs with dtype-aware tolerances.
#include "tests/onnx_node/tensor_compare.h"

#include <cmath>
#include <sstream>

namespace hetero::onnx_node {

namespace {

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

bool FloatsMatch(double got, double want, const Tolerance& tol) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  if (std::isinf(got) || std::isinf(want)) return got == want;
  return std::fabs(got - want) <= tol.atol + tol.rtol * std::fabs(want);
}

}  // namespace

Tolerance ToleranceFor(DType dtype) {
  switch (dtype) {
    case DType::kF32: return {1e-4, 1e-5};
    case DType::kF16: return {1e-3, 1e-3};
    case DType::kBF16: return {1e-2, 1e-2};
    default: return {0, 0};
  }
}

Status CompareTensors(const Tensor& got, const Tensor& want, const std::string& what) {
  if (got.dtype() != want.dtype()) {
    return InvalidArgument(what + " is " + std::string(DTypeName(got.dtype())) + ", expected " +
                           std::string(DTypeName(want.dtype())));
  }
  if (got.dims() != want.dims()) {
    return InvalidArgument(what + " has dims " + DimsString(got.dims()) + ", expected " +
                           DimsString(want.dims()));
  }
  const bool is_float = IsFloat(want.dtype());
  const Tolerance tol = ToleranceFor(want.dtype());
  int64_t mismatches = 0;
  int64_t first = -1;
  double worst = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    bool ok;
    if (is_float) {
      const double g = got.GetDouble(i);
      const double w = want.GetDouble(i);
      ok = FloatsMatch(g, w, tol);
      if (!ok && std::isfinite(g) && std::isfinite(w)) worst = std::max(worst, std::fabs(g - w));
    } else {
      ok = got.GetInt64(i) == want.GetInt64(i);
    }
    if (!ok) {
      if (first < 0) first = i;
      ++mismatches;
    }
  }
  if (mismatches == 0) return OkStatus();
  std::ostringstream msg;
  msg.precision(9);
  msg << what << ": " << mismatches << " of " << want.num_elements()
      << " elements differ; first at flat index " << first << ": got ";
  if (is_float) {
    msg << got.GetDouble(first) << ", expected " << want.GetDouble(first) << " (largest difference "
        << worst << ", rtol " << tol.rtol << ", atol " << tol.atol << ")";
  } else {
    msg << got.GetInt64(first) << ", expected " << want.GetInt64(first);
  }
  return InvalidArgument(msg.str());
}

}  // namespace hetero::onnx_node
