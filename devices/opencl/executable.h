// A compiled OpenCL executable and what running one node needs: the decoded program,
// the built cl_program, uploaded constants, and per-run device values.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "devices/cpu/program.h"
#include "devices/opencl/opencl_plugin.h"
#include "hetero/tensor.h"

namespace hetero::opencl {

struct CompiledProgram {
  Device* device = nullptr;
  cpu::Program program;
  cl_program cl = nullptr;
  int tile = 16;                  // MatMul tile edge, fitted to the device's limits
  bool register_blocked = false;  // MatMuls without ta use matmul_rb_f32 (not on GPUs)
  std::vector<cl_mem> constants;  // per value; nullptr for non-constants
  uint64_t constant_bytes = 0;    // counted in the device's memory until destruction
  std::mutex mu;                  // kernel arguments are set and enqueued under it
  std::map<std::string, cl_kernel> kernels;
  ~CompiledProgram();
  StatusOr<cl_kernel> Kernel(const std::string& name);
};

// A tensor on the device during one run: memory, dims and type.
struct DeviceValue {
  cl_mem mem = nullptr;
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;
  int64_t elements() const;
  bool present = false;
};

// What launching one node sees.
struct LaunchContext {
  CompiledProgram& cp;
  cl_command_queue queue;
  bool profiling = false;
  std::vector<cl_event>* events = nullptr;  // one per enqueued command when profiling
  std::vector<std::pair<std::string, std::string>> names;      // node name and op per event
  std::string node_name, node_op;                              // the node being launched
  std::vector<std::unique_ptr<RangeCheck>>* checks = nullptr;  // read back at completion
  // Enqueues `kernel` over `global` (rounded up to `local` multiples); collects events.
  Status Run(cl_kernel kernel, const std::string& name, int dims, const size_t* global,
             const size_t* local);
};

// Builds the program from the embedded sources with a disk cache of binaries
// (program_cache.cc); the f16 kernels only `with_f16`. The error of a failed build
// carries the log's first line.
StatusOr<cl_program> BuildProgram(const Device& device, const std::string& options, bool with_f16);
// The embedded sources in build order: common.cl, then the other files once per storage
// type (f32, and f16 `with_f16`); and an uncached build of any source.
std::string AllKernelSource(bool with_f16);
StatusOr<cl_program> BuildSource(const Device& device, const std::string& source,
                                 const std::string& options);

// Shape arithmetic runs on the host at run time: a node whose inputs are all known on
// the host (constants, or outputs of such nodes), and every Shape and Size, is computed
// by its reference kernel and its outputs uploaded. Same rule at query and run time.
bool HostEvaluable(const std::string& op, bool inputs_known, int present_inputs);
// Per value of a checked view: whether its value is known on the host at run time.
std::vector<bool> HostKnownValues(const hetero_graph_view& view);

// Why node `index` of a checked view cannot run on this device, or "" (support.cc).
std::string OpenclReason(const hetero_graph_view& view, uint32_t index,
                         const std::vector<std::optional<Tensor>>& constants,
                         const std::vector<bool>& host_known);

// Launches one node whose outputs are allocated (launch_*.cc). ins[i] is null for an
// absent optional input; consts[i] the constant's host value when it is one.
Status LaunchNode(LaunchContext& ctx, const cpu::ProgramNode& node,
                  const std::vector<const DeviceValue*>& ins,
                  const std::vector<const Tensor*>& consts, std::vector<DeviceValue*>& outs);

// Helper: sets the kernel's arguments in order.
template <typename... Args>
Status SetArgs(cl_kernel kernel, const Args&... args) {
  cl_uint index = 0;
  cl_int err = CL_SUCCESS;
  ((err = err != CL_SUCCESS ? err : clSetKernelArg(kernel, index++, sizeof(Args), &args)), ...);
  if (err != CL_SUCCESS) return ClStatus(err, "clSetKernelArg " + std::to_string(index - 1));
  return OkStatus();
}

}  // namespace hetero::opencl
