// Calibration for a model split by placement: the whole graph runs on the reference
// kernels over the model's calibration inputs, and the values that enter each segment
// are written to .npy files that segment's device compiles with ("calibrate=a.npy,...").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

// Temporary .npy files of segment inputs; the directory goes with the object.
class SegmentCalibration {
 public:
  SegmentCalibration() = default;
  ~SegmentCalibration();
  SegmentCalibration(const SegmentCalibration&) = delete;
  SegmentCalibration& operator=(const SegmentCalibration&) = delete;

  // Per segment: "dir/s1_0.npy,dir/s1_1.npy", one file per segment input in its input
  // order; "" for a segment that was not asked for.
  const std::string& Files(size_t segment) const { return files_[segment]; }

  // `inputs` by model input name; the name "" stands for the model's first input (and
  // wins over an entry under that name). Checks them as a run would (errors start with
  // "calibrate: "), runs `graph` on the reference kernels and writes, for each segment
  // whose `wanted` entry is set, the values of its graph's inputs.
  static StatusOr<std::unique_ptr<SegmentCalibration>> Write(
      const ir::Graph& graph, const std::map<std::string, Tensor>& inputs,
      const std::vector<const ir::Graph*>& segments, const std::vector<bool>& wanted);

 private:
  std::string dir_;
  std::vector<std::string> files_;
};

// The compile option string for a segment: "calibrate=FILES" ahead of `options`.
std::string WithCalibration(const std::string& options, const std::string& files);

}  // namespace hetero
