// Op cases: dispatch by family, input values from domains, tolerances.
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {

std::vector<OpCase> CasesFor(const ops::OpSchema& schema, DType dtype) {
  const std::string& f = schema.family;
  if (f == "elementwise") return ElementwiseCases(schema.name, dtype);
  if (f == "reduce" || f == "norm" || f == "matmul")
    return ReduceNormMatMulCases(schema.name, dtype);
  if (f == "movement") return MovementCases(schema.name, dtype);
  return FusedQuantCases(schema.name, dtype);
}

namespace {

double RandomValue(DType t, Domain d, std::mt19937& rng) {
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto integer = [&](int lo, int hi) {
    return static_cast<double>(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  const bool sign = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
  if (t == DType::kBool) return sign ? 1 : 0;
  if (IsFloat(t)) {
    switch (d) {
      case Domain::kPositive: return uniform(0.5, 2.5);
      case Domain::kNonZero: return (sign ? -1 : 1) * uniform(0.5, 2.5);
      default: return uniform(-2, 2);
    }
  }
  const bool is_unsigned = t == DType::kU8;
  switch (d) {
    case Domain::kPositive: return integer(1, 5);
    case Domain::kNonZero: return (sign && !is_unsigned ? -1 : 1) * integer(1, 5);
    case Domain::kExponent: return integer(0, 3);
    default: return is_unsigned ? integer(0, 10) : integer(-5, 5);
  }
}

}  // namespace

Tensor MakeInput(const InputSpec& spec, std::mt19937& rng) {
  Tensor t = Tensor::Allocate(spec.dtype, spec.dims).value();
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (!spec.values.empty()) {
      const double v = spec.values[static_cast<size_t>(i) % spec.values.size()];
      if (IsFloat(spec.dtype)) {
        t.SetDouble(i, v);
      } else {
        t.SetInt64(i, static_cast<int64_t>(v));
      }
    } else {
      t.SetDouble(i, RandomValue(spec.dtype, spec.domain, rng));
    }
  }
  return t;
}

ops::Attributes Attrs(std::initializer_list<std::pair<const char*, ops::AttrValue>> items) {
  ops::Attributes attrs;
  for (const auto& [name, value] : items) attrs.Set(name, value);
  return attrs;
}

double Tolerance(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 1e-5;
    case DType::kF16: return 1e-3;
    case DType::kBF16: return 1e-2;
    case DType::kF8E4M3: return 1e-1;
    default: return 0;
  }
}

}  // namespace hetero::conformance
