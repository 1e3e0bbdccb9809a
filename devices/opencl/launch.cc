// Launching one node: geometry helpers, the command enqueue with the device's limits,
// and the elementwise family (binary, unary, Where, SwiGLU, Rope, Cast).
#include "devices/opencl/launch.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hetero::opencl {

std::vector<int64_t> DenseStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) s[d - 1] = s[d] * dims[d];
  return s;
}

std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in,
                                      const std::vector<int64_t>& out) {
  std::vector<int64_t> s(out.size(), 0);
  const std::vector<int64_t> dense = DenseStrides(in);
  const size_t lead = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) s[lead + d] = in[d] == 1 ? 0 : dense[d];
  return s;
}

Status CheckInt32(int64_t count, const std::string& what) {
  if (count < 0 || count > INT32_MAX) {
    return Unimplemented("opencl: " + what + " has " + std::to_string(count) +
                         " elements; the kernels index with 32 bits");
  }
  return OkStatus();
}

StatusOr<Geo> MakeGeo(const std::vector<int64_t>& dims, const std::vector<int64_t>& s0,
                      const std::vector<int64_t>& s1, const std::vector<int64_t>& s2) {
  if (dims.size() > 8) return Unimplemented("opencl: rank " + std::to_string(dims.size()) + " > 8");
  Geo g;
  g.rank = static_cast<cl_int>(dims.size());
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    n *= dims[d];
    g.dims[d] = static_cast<cl_int>(dims[d]);
    g.s0[d] = d < s0.size() ? static_cast<cl_int>(s0[d]) : 0;
    g.s1[d] = d < s1.size() ? static_cast<cl_int>(s1[d]) : 0;
    g.s2[d] = d < s2.size() ? static_cast<cl_int>(s2[d]) : 0;
  }
  HETERO_RETURN_IF_ERROR(CheckInt32(n, "a tensor"));
  g.n = static_cast<cl_int>(n);
  return g;
}

Status LaunchContext::Run(cl_kernel kernel, const std::string& name, int dims, const size_t* global,
                          const size_t* local) {
  size_t rounded[3];
  for (int d = 0; d < dims; ++d) {
    if (global[d] == 0) return OkStatus();  // nothing to do
    const size_t l = local != nullptr ? local[d] : 1;
    rounded[d] = (global[d] + l - 1) / l * l;
  }
  // Tests make the enqueue of one kernel fail as a driver out of resources would.
  if (const char* fail = std::getenv("HETERO_OPENCL_FAIL_ENQUEUE");
      fail != nullptr && name == fail) {
    return ClStatus(CL_OUT_OF_RESOURCES, "enqueueing kernel " + name);
  }
  cl_event event = nullptr;
  const cl_int err = clEnqueueNDRangeKernel(queue, kernel, dims, nullptr, rounded, local, 0,
                                            nullptr, profiling ? &event : nullptr);
  if (err != CL_SUCCESS) return ClStatus(err, "enqueueing kernel " + name);
  if (profiling) {
    events->push_back(event);
    names.emplace_back(node_name, node_op);
  }
  return OkStatus();
}

Status Run1D(LaunchContext& ctx, cl_kernel kernel, const std::string& name, int64_t n) {
  HETERO_RETURN_IF_ERROR(CheckInt32(n, "kernel " + name));
  const size_t local = std::min<size_t>(64, ctx.cp.device->info->max_work_group);
  const size_t global = static_cast<size_t>(n);
  return ctx.Run(kernel, name, 1, &global, &local);
}

std::string Typed(const std::string& kernel, DType dtype) {
  return kernel + (dtype == DType::kF16 ? "_f16" : "_f32");
}

int BinaryCode(const std::string& op) {
  static const char* const kOps[] = {"Add", "Sub", "Mul", "Div", "Pow"};
  for (int i = 0; i < 5; ++i) {
    if (op == kOps[i]) return i;
  }
  return -1;
}

int UnaryCode(const std::string& op) {
  static const char* const kOps[] = {"Neg",        "Exp", "Log",  "Sqrt",    "Rsqrt",
                                     "Reciprocal", "Erf", "Tanh", "Sigmoid", "Relu",
                                     "Silu",       "Cos", "Sin"};
  for (int i = 0; i < 13; ++i) {
    if (op == kOps[i]) return i;
  }
  return -1;
}

int CastCode(DType dtype) {
  switch (dtype) {
    case DType::kF32: return 0;
    case DType::kI64: return 1;
    case DType::kI32: return 2;
    case DType::kBool: return 3;
    case DType::kF16: return 4;
    default: return -1;
  }
}

namespace {

Status Launch(LaunchContext& ctx, const std::string& name, int64_t n,
              const std::function<Status(cl_kernel)>& set_args) {
  HETERO_ASSIGN_OR_RETURN(cl_kernel kernel, ctx.cp.Kernel(name));
  HETERO_RETURN_IF_ERROR(set_args(kernel));
  return Run1D(ctx, kernel, name, n);
}

// Integer Div and Pow: the kernel flags an element without a value (a zero divisor, zero
// to a negative power), read back before the run completes.
Status LaunchCheckedInteger(LaunchContext& ctx, const cpu::ProgramNode& node, const DeviceValue& a,
                            const DeviceValue& b, DeviceValue& y, const Geo& g, bool pow) {
  const std::string name =
      std::string(pow ? "pow" : "div") + (y.dtype == DType::kI64 ? "_i64" : "_i32");
  HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
  auto check = std::make_unique<RangeCheck>();
  check->what = node.Describe();
  check->failure = pow ? "integer 0 raised to a negative power" : "integer division by zero";
  cl_int err = CL_SUCCESS;
  cl_mem flag = clCreateBuffer(ctx.cp.device->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                               sizeof(check->flag), check->flag, &err);
  if (err != CL_SUCCESS) return ClStatus(err, "allocating " + name + "'s flag");
  Status s = SetArgs(k, a.mem, b.mem, y.mem, g, flag);
  if (s.ok()) s = Run1D(ctx, k, name, g.n);
  if (s.ok()) {
    err = clEnqueueReadBuffer(ctx.queue, flag, CL_FALSE, 0, sizeof(check->flag), check->flag, 0,
                              nullptr, nullptr);
    if (err != CL_SUCCESS) s = ClStatus(err, "reading " + name + "'s flag");
  }
  clReleaseMemObject(flag);  // freed once the commands using it are done
  if (s.ok()) ctx.checks->push_back(std::move(check));
  return s;
}

}  // namespace

Status LaunchElementwise(LaunchContext& ctx, const cpu::ProgramNode& node,
                         const std::vector<const DeviceValue*>& ins,
                         std::vector<DeviceValue*>& outs, bool* handled) {
  const std::string& op = node.schema->name;
  DeviceValue& y = *outs[0];
  *handled = true;
  if (const int code = BinaryCode(op); code >= 0) {
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, BroadcastStrides(ins[0]->dims, y.dims),
                                           BroadcastStrides(ins[1]->dims, y.dims)));
    if (code >= 3 && (y.dtype == DType::kI64 || y.dtype == DType::kI32)) {
      return LaunchCheckedInteger(ctx, node, *ins[0], *ins[1], y, g, code == 4);
    }
    const std::string name = y.dtype == DType::kI64   ? "binary_i64"
                             : y.dtype == DType::kI32 ? "binary_i32"
                                                      : Typed("binary", y.dtype);
    return Launch(ctx, name, g.n, [&](cl_kernel k) {
      return SetArgs(k, ins[0]->mem, ins[1]->mem, y.mem, g, cl_int(code));
    });
  }
  int unary = UnaryCode(op);
  if (op == "Gelu") unary = node.attrs.GetString("approximate", "none") == "tanh" ? 14 : 13;
  if (unary >= 0) {
    HETERO_RETURN_IF_ERROR(CheckInt32(y.elements(), op + " output"));
    const cl_int n = static_cast<cl_int>(y.elements());
    const std::string name = y.dtype == DType::kI64   ? "unary_i64"
                             : y.dtype == DType::kI32 ? "unary_i32"
                                                      : Typed("unary", y.dtype);
    return Launch(ctx, name, n,
                  [&](cl_kernel k) { return SetArgs(k, ins[0]->mem, y.mem, n, cl_int(unary)); });
  }
  if (op == "Equal" || op == "Less" || op == "Greater" || op == "And" || op == "Or" ||
      op == "Not") {
    const bool logic = op == "And" || op == "Or" || op == "Not";
    const DeviceValue& b = op == "Not" ? *ins[0] : *ins[1];
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, BroadcastStrides(ins[0]->dims, y.dims),
                                           BroadcastStrides(b.dims, y.dims)));
    const cl_int code = op == "Equal" || op == "And" ? 0 : op == "Less" || op == "Or" ? 1 : 2;
    if (logic) {
      return Launch(ctx, "logic_bool", g.n,
                    [&](cl_kernel k) { return SetArgs(k, ins[0]->mem, b.mem, y.mem, g, code); });
    }
    const cl_int dtype = CastCode(ins[0]->dtype);
    return Launch(ctx, "compare_any", g.n, [&](cl_kernel k) {
      return SetArgs(k, ins[0]->mem, b.mem, y.mem, g, code, dtype);
    });
  }
  if (op == "Where") {
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, BroadcastStrides(ins[0]->dims, y.dims),
                                           BroadcastStrides(ins[1]->dims, y.dims),
                                           BroadcastStrides(ins[2]->dims, y.dims)));
    return Launch(ctx, "where_" + std::to_string(DTypeSize(y.dtype)), g.n, [&](cl_kernel k) {
      return SetArgs(k, ins[0]->mem, ins[1]->mem, ins[2]->mem, y.mem, g);
    });
  }
  if (op == "SwiGLU") {
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, BroadcastStrides(ins[0]->dims, y.dims),
                                           BroadcastStrides(ins[1]->dims, y.dims)));
    return Launch(ctx, Typed("swiglu", y.dtype), g.n,
                  [&](cl_kernel k) { return SetArgs(k, ins[0]->mem, ins[1]->mem, y.mem, g); });
  }
  if (op == "Rope") {
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, BroadcastStrides(ins[1]->dims, y.dims),
                                           BroadcastStrides(ins[2]->dims, y.dims)));
    const cl_int d = y.dims.empty() ? 1 : static_cast<cl_int>(y.dims.back());
    return Launch(ctx, Typed("rope", y.dtype), g.n, [&](cl_kernel k) {
      return SetArgs(k, ins[0]->mem, ins[1]->mem, ins[2]->mem, y.mem, g, d);
    });
  }
  if (op == "Cast") {
    HETERO_RETURN_IF_ERROR(CheckInt32(y.elements(), "Cast output"));
    const cl_int n = static_cast<cl_int>(y.elements());
    const cl_int from = CastCode(ins[0]->dtype), to = CastCode(y.dtype);
    return Launch(ctx, "cast_any", n,
                  [&](cl_kernel k) { return SetArgs(k, ins[0]->mem, y.mem, n, from, to); });
  }
  *handled = false;
  return OkStatus();
}

}  // namespace hetero::opencl
