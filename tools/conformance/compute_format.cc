// The compute format of the device under test: parsing, derivation, tolerances.
#include "tools/conformance/compute_format.h"

#include <algorithm>
#include <cmath>

namespace hetero::conformance {
namespace {

ComputeFormat& MutableFormat() {
  static ComputeFormat format;
  return format;
}

WorstDeviation& MutableWorst() {
  static WorstDeviation worst;
  return worst;
}

}  // namespace

const WorstDeviation& GetWorstDeviation() { return MutableWorst(); }

void SetComputeFormat(ComputeFormat format) { MutableFormat() = std::move(format); }

const ComputeFormat& GetComputeFormat() { return MutableFormat(); }

StatusOr<DType> ParseComputeDType(std::string_view name) {
  if (name == "fp16") return DType::kF16;
  if (name == "fp8") return DType::kF8E4M3;
  if (name == "int8") return DType::kI8;
  std::optional<DType> dtype = ParseDType(name);
  if (dtype && (IsFloat(*dtype) || *dtype == DType::kI8)) return *dtype;
  return InvalidArgument("--compute-dtype: '" + std::string(name) +
                         "' is not one of f32, bf16, f16 (fp16), f8e4m3 (fp8), i8 (int8)");
}

DType DeriveComputeDType(const plugins::DeviceProperties& properties) {
  const double f32_peak = properties.peak_flops[HETERO_DTYPE_F32];
  if (!(f32_peak > 0)) return DType::kF32;
  int matches = 0;
  DType found = DType::kF32;
  const std::pair<int, DType> narrower[] = {{HETERO_DTYPE_BF16, DType::kBF16},
                                            {HETERO_DTYPE_F16, DType::kF16},
                                            {HETERO_DTYPE_F8E4M3, DType::kF8E4M3}};
  for (const auto& [index, dtype] : narrower) {
    if (properties.peak_flops[index] == f32_peak) {
      ++matches;
      found = dtype;
    }
  }
  return matches == 1 ? found : DType::kF32;
}

double UnitRoundoff(DType dtype) {
  switch (dtype) {
    case DType::kF32: return std::ldexp(1.0, -24);
    case DType::kF16: return std::ldexp(1.0, -11);
    case DType::kBF16: return std::ldexp(1.0, -8);
    case DType::kF8E4M3: return std::ldexp(1.0, -4);
    case DType::kI8: return 1.0 / 254.0;
    default: return 0;
  }
}

NarrowComparison NarrowComparisonOf(DType compute) {
  NarrowComparison c;
  c.compute = compute;
  c.max_rel = kRoundingsBound * UnitRoundoff(compute);
  c.min_cosine = std::sqrt(1 - c.max_rel * c.max_rel);
  return c;
}

std::optional<NarrowComparison> NarrowComparisonFor(DType data) {
  const DType compute = GetComputeFormat().dtype;
  if (!IsFloat(data) || UnitRoundoff(compute) <= UnitRoundoff(data)) return std::nullopt;
  return NarrowComparisonOf(compute);
}

Deviation Measure(const Tensor& want, const Tensor& got) {
  Deviation d;
  double scale = 1, max_err = 0, dot = 0, norm_w = 0, norm_g = 0, norm_e = 0;
  int64_t finite = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double w = want.GetDouble(i), g = got.GetDouble(i);
    if (std::isnan(w) || std::isnan(g) || std::isinf(w) || std::isinf(g)) {
      const bool same = (std::isnan(w) && std::isnan(g)) || w == g;
      d.nan_or_inf_mismatches += same ? 0 : 1;
      continue;
    }
    scale = std::max(scale, std::fabs(w));
    max_err = std::max(max_err, std::fabs(w - g));
    ++finite;
    norm_e += (w - g) * (w - g);
    dot += w * g;
    norm_w += w * w;
    norm_g += g * g;
  }
  d.max_rel = max_err / scale;
  if (finite > 0) {
    d.rms_want = std::sqrt(norm_w / finite);
    d.rms_rel = std::sqrt(norm_e / finite) / std::max(1.0, d.rms_want);
  }
  if (norm_w > 0 || norm_g > 0) {
    d.cosine = (norm_w > 0 && norm_g > 0) ? dot / std::sqrt(norm_w * norm_g) : 0;
  }
  return d;
}

::testing::AssertionResult MatchesInFormat(const Tensor& want, const Tensor& got,
                                           const NarrowComparison& comparison) {
  const Deviation d = Measure(want, got);
  WorstDeviation& worst_seen = MutableWorst();
  ++worst_seen.outputs;
  worst_seen.max_rel = std::max(worst_seen.max_rel, d.max_rel);
  worst_seen.rms_rel = std::max(worst_seen.rms_rel, d.rms_rel);
  if (d.rms_want >= 1) worst_seen.min_cosine = std::min(worst_seen.min_cosine, d.cosine);
  if (d.nan_or_inf_mismatches == 0 && d.max_rel <= comparison.max_rel &&
      d.rms_rel <= comparison.max_rel) {
    return ::testing::AssertionSuccess();
  }
  int64_t worst = 0;
  double worst_err = -1;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double err = std::fabs(want.GetDouble(i) - got.GetDouble(i));
    if (!(err <= worst_err)) {
      worst = i;
      worst_err = err;
    }
  }
  return ::testing::AssertionFailure()
         << "computed in " << DTypeName(comparison.compute) << ": max rel error " << d.max_rel
         << ", rms rel error " << d.rms_rel << " (bound " << comparison.max_rel
         << " for both), cosine " << d.cosine << ", " << d.nan_or_inf_mismatches
         << " NaN/infinity mismatches; worst element [" << worst << "] expected "
         << (want.num_elements() > 0 ? want.GetDouble(worst) : 0) << " got "
         << (want.num_elements() > 0 ? got.GetDouble(worst) : 0);
}

}  // namespace hetero::conformance
