// The number format a device computes f32 graphs in, and the comparison it earns.
//
// A device may store and compute f32 tensors in a narrower format (npu-sim's rngd runs f32
// graphs in bf16). Comparing its results at the f32 tolerance would fail for rounding
// alone, so the suite compares a float output whose dtype is wider than the compute format
// at that format's tolerance instead: see docs/plugin-guide.md, "The conformance suite".
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "hetero/dtype.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/device.h"

namespace hetero::conformance {

// How the suite learnt the compute format (printed in the summary).
struct ComputeFormat {
  DType dtype = DType::kF32;
  std::string source = "default";  // "--compute-dtype", "peak_flops of device 0", "default"
};

void SetComputeFormat(ComputeFormat format);
const ComputeFormat& GetComputeFormat();

// "f32", "bf16", "f16"/"fp16", "f8e4m3"/"fp8", "i8"/"int8".
StatusOr<DType> ParseComputeDType(std::string_view name);

// The documented convention: a device whose f32 peak is nonzero and equals the peak of
// exactly one narrower float format (bf16, f16, f8e4m3) computes f32 graphs in that
// format. Otherwise (no such format, or several: a CPU that lists one rate for all)
// f32 is taken as computed in f32.
DType DeriveComputeDType(const plugins::DeviceProperties& properties);

// Unit roundoff of a format: 2^-p for p significant bits with round to nearest (f32 2^-24,
// f16 2^-11, bf16 2^-8, f8e4m3 2^-4); int8 with a per-tensor scale max|x| / 127: half a
// step of the range, 1/254, relative to the tensor's largest magnitude.
double UnitRoundoff(DType dtype);

// Roundings on one op's path that the bound allows: each of two operands rounded to the
// format, one rounding of an intermediate (a stored partial result) and the output's.
inline constexpr int kRoundingsBound = 4;

// The comparison of a float output computed in a narrower format.
struct NarrowComparison {
  DType compute = DType::kF32;
  // Every element: |got - want| <= max_rel * max(1, max |want|) (norm-wise: errors of sums
  // scale with the magnitudes summed, not with the possibly cancelled result).
  double max_rel = 0;
  // And on average: rms(got - want) <= max_rel * max(1, rms(want)), the relative L2 error
  // with the same floor; with rms(want) >= 1 it implies cosine >= min_cosine, the lowest
  // cosine at a relative L2 error of max_rel: sqrt(1 - max_rel^2).
  double min_cosine = 1;
};

// The narrow comparison for an output of `data` dtype under the current compute format,
// or nullopt when the output's own dtype is as coarse as the compute format (then the
// per-dtype Tolerance() applies element by element).
std::optional<NarrowComparison> NarrowComparisonFor(DType data);

// Same for an explicit compute format (kRoundingsBound * UnitRoundoff(compute)).
NarrowComparison NarrowComparisonOf(DType compute);

// The measured error of `got` against `want` over finite elements: max |got - want| /
// max(1, max |want|), rms(got - want) / max(1, rms(want)), and the cosine (1 when both
// are zero).
struct Deviation {
  double max_rel = 0;
  double rms_rel = 0;
  double rms_want = 0;
  double cosine = 1;
  int64_t nan_or_inf_mismatches = 0;  // NaN against non-NaN, or infinities that differ
};
Deviation Measure(const Tensor& want, const Tensor& got);

// The largest errors and the smallest cosine that MatchesInFormat measured (the summary
// prints them; the cosine over outputs with rms(want) >= 1, where the bound implies one),
// and how many outputs it compared.
struct WorstDeviation {
  int64_t outputs = 0;
  double max_rel = 0, rms_rel = 0, min_cosine = 1;
};
const WorstDeviation& GetWorstDeviation();

// `got` within `comparison` of `want` (same dims and dtype checked by the caller); the
// failure names the measured error, the bound and the worst element.
::testing::AssertionResult MatchesInFormat(const Tensor& want, const Tensor& got,
                                           const NarrowComparison& comparison);

}  // namespace hetero::conformance
