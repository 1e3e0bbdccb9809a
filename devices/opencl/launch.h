// Shared helpers of the node launchers: index geometry and 1-D launches.
#pragma once

#include <string>
#include <vector>

#include "devices/opencl/executable.h"

namespace hetero::opencl {

// Mirrors `Geo` in kernels/common.cl: up to three operands over one iteration space.
struct Geo {
  cl_int rank = 0;
  cl_int n = 0;
  cl_int dims[8] = {};
  cl_int s0[8] = {};
  cl_int s1[8] = {};
  cl_int s2[8] = {};
  cl_int off0 = 0;
  cl_int off1 = 0;
  cl_int off2 = 0;
  cl_int pad = 0;
};

std::vector<int64_t> DenseStrides(const std::vector<int64_t>& dims);
// Strides of `in` read over `out` with numpy broadcasting (0 along broadcast dims).
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& out);
// Geometry over `dims` with operands' strides; fails beyond rank 8 or 2^31 elements.
StatusOr<Geo> MakeGeo(const std::vector<int64_t>& dims, const std::vector<int64_t>& s0,
                      const std::vector<int64_t>& s1 = {}, const std::vector<int64_t>& s2 = {});
// Fails when a count does not fit the kernels' 32-bit indices.
Status CheckInt32(int64_t count, const std::string& what);
// A 1-D launch over n items.
Status Run1D(LaunchContext& ctx, cl_kernel kernel, const std::string& name, int64_t n);

Status LaunchElementwise(LaunchContext& ctx, const cpu::ProgramNode& node,
                         const std::vector<const DeviceValue*>& ins,
                         std::vector<DeviceValue*>& outs, bool* handled);
Status LaunchCompute(LaunchContext& ctx, const cpu::ProgramNode& node,
                     const std::vector<const DeviceValue*>& ins, std::vector<DeviceValue*>& outs,
                     bool* handled);
Status LaunchMovement(LaunchContext& ctx, const cpu::ProgramNode& node,
                      const std::vector<const DeviceValue*>& ins,
                      const std::vector<const Tensor*>& consts, std::vector<DeviceValue*>& outs,
                      bool* handled);

// The name of a kernel compiled per storage type: ("binary", f16) -> "binary_f16".
std::string Typed(const std::string& kernel, DType dtype);

// Op codes of the kernels (kernels/elementwise.cl); -1 when not an op of that kernel.
int BinaryCode(const std::string& op);
int UnaryCode(const std::string& op);
int CastCode(DType dtype);  // kernels/integer.cl: f32 0, i64 1, i32 2, bool 3, f16 4

}  // namespace hetero::opencl
