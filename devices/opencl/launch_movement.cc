// Launching data movement: Reshape-like copies, and strided copies for Transpose,
// Concat, Split, Slice and Expand; Gather with constant indices.
#include <algorithm>
#include <string>
#include <vector>

#include "devices/opencl/launch.h"

namespace hetero::opencl {
namespace {

std::string CopyKernel(DType dtype) { return "copy_" + std::to_string(DTypeSize(dtype)); }

Status StridedCopy(LaunchContext& ctx, cl_mem src, cl_mem dst, DType dtype, Geo g) {
  const std::string name = CopyKernel(dtype);
  HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
  HETERO_RETURN_IF_ERROR(SetArgs(k, src, dst, g));
  return Run1D(ctx, k, name, g.n);
}

Status Copy(LaunchContext& ctx, const DeviceValue& src, const DeviceValue& dst) {
  const size_t bytes = size_t(dst.elements()) * DTypeSize(dst.dtype);
  if (bytes == 0 || src.mem == dst.mem) return OkStatus();
  cl_event event = nullptr;
  const cl_int err = clEnqueueCopyBuffer(ctx.queue, src.mem, dst.mem, 0, 0, bytes, 0, nullptr,
                                         ctx.profiling ? &event : nullptr);
  if (err != CL_SUCCESS) return ClStatus(err, "clEnqueueCopyBuffer");
  if (ctx.profiling) {
    ctx.events->push_back(event);
    ctx.names.emplace_back(ctx.node_name, ctx.node_op);
  }
  return OkStatus();
}

std::vector<int64_t> Ints(const Tensor* t) {
  std::vector<int64_t> out;
  if (t == nullptr) return out;
  for (int64_t i = 0; i < t->num_elements(); ++i) {
    out.push_back(t->dtype() == DType::kI32 ? t->data<int32_t>()[i] : t->data<int64_t>()[i]);
  }
  return out;
}

size_t NormAxis(int64_t axis, size_t rank) {
  return static_cast<size_t>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis);
}

Status Slice(LaunchContext& ctx, const std::vector<const DeviceValue*>& ins,
             const std::vector<const Tensor*>& consts, DeviceValue& y) {
  const auto& xd = ins[0]->dims;
  const auto strides = DenseStrides(xd);
  const auto starts = Ints(consts[1]), ends = Ints(consts[2]);
  std::vector<int64_t> axes = Ints(consts.size() > 3 ? consts[3] : nullptr);
  std::vector<int64_t> steps = Ints(consts.size() > 4 ? consts[4] : nullptr);
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  std::vector<int64_t> s0 = strides;
  int64_t offset = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t a = NormAxis(axes[i], xd.size());
    const int64_t d = xd[a], step = steps[i];
    int64_t s = starts[i];
    if (s < 0) s += d;
    s = d == 0 ? 0 : step > 0 ? std::clamp<int64_t>(s, 0, d) : std::clamp<int64_t>(s, 0, d - 1);
    if (y.dims[a] > 0) offset += s * strides[a];
    s0[a] = strides[a] * step;
  }
  HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, s0, DenseStrides(y.dims)));
  g.off0 = static_cast<cl_int>(offset);
  return StridedCopy(ctx, ins[0]->mem, y.mem, y.dtype, g);
}

Status Gather(LaunchContext& ctx, const cpu::ProgramNode& node,
              const std::vector<const DeviceValue*>& ins, DeviceValue& y) {
  const auto& xd = ins[0]->dims;
  const size_t axis = NormAxis(node.attrs.GetInt("axis", 0), xd.size());
  int64_t inner = 1;
  for (size_t d = axis + 1; d < xd.size(); ++d) inner *= xd[d];
  HETERO_RETURN_IF_ERROR(CheckInt32(ins[0]->elements(), "Gather data"));
  HETERO_RETURN_IF_ERROR(CheckInt32(y.elements(), "Gather output"));
  const std::string name = "gather_" + std::to_string(DTypeSize(y.dtype)) +
                           (ins[1]->dtype == DType::kI32 ? "_i32" : "_i64");
  HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
  auto check = std::make_unique<RangeCheck>();
  check->what = node.Describe();
  check->dim = xd[axis];
  cl_int err = CL_SUCCESS;
  cl_mem flag = clCreateBuffer(ctx.cp.device->context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                               sizeof(check->flag), check->flag, &err);
  if (err != CL_SUCCESS) return ClStatus(err, "allocating Gather's range flag");
  Status s = SetArgs(k, ins[0]->mem, ins[1]->mem, y.mem, flag, cl_int(y.elements()),
                     cl_int(ins[1]->elements()), cl_int(xd[axis]), cl_int(inner));
  if (s.ok()) s = Run1D(ctx, k, name, y.elements());
  if (s.ok()) {
    err = clEnqueueReadBuffer(ctx.queue, flag, CL_FALSE, 0, sizeof(check->flag), check->flag, 0,
                              nullptr, nullptr);
    if (err != CL_SUCCESS) s = ClStatus(err, "reading Gather's range flag");
  }
  clReleaseMemObject(flag);  // freed once the commands using it are done
  if (s.ok()) ctx.checks->push_back(std::move(check));
  return s;
}

}  // namespace

Status LaunchMovement(LaunchContext& ctx, const cpu::ProgramNode& node,
                      const std::vector<const DeviceValue*>& ins,
                      const std::vector<const Tensor*>& consts, std::vector<DeviceValue*>& outs,
                      bool* handled) {
  const std::string& op = node.schema->name;
  *handled = true;
  DeviceValue& y = *outs[0];
  if (op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Flatten" ||
      op == "Identity") {
    return Copy(ctx, *ins[0], y);
  }
  const auto& xd = ins[0]->dims;
  if (op == "Transpose") {
    std::vector<int64_t> perm = node.attrs.GetInts("perm");
    if (perm.empty()) {
      for (size_t i = xd.size(); i-- > 0;) perm.push_back(int64_t(i));
    }
    const auto in_strides = DenseStrides(xd);
    std::vector<int64_t> s0;
    for (int64_t p : perm) s0.push_back(in_strides[size_t(p)]);
    HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(y.dims, s0, DenseStrides(y.dims)));
    return StridedCopy(ctx, ins[0]->mem, y.mem, y.dtype, g);
  }
  if (op == "Expand") {
    HETERO_ASSIGN_OR_RETURN(Geo g,
                            MakeGeo(y.dims, BroadcastStrides(xd, y.dims), DenseStrides(y.dims)));
    return StridedCopy(ctx, ins[0]->mem, y.mem, y.dtype, g);
  }
  if (op == "Concat") {
    const size_t axis = NormAxis(node.attrs.GetInt("axis", 0), y.dims.size());
    const auto out_strides = DenseStrides(y.dims);
    int64_t at = 0;
    for (const DeviceValue* in : ins) {
      HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(in->dims, DenseStrides(in->dims), out_strides));
      g.off1 = static_cast<cl_int>(at * out_strides[axis]);
      at += in->dims[axis];
      HETERO_RETURN_IF_ERROR(StridedCopy(ctx, in->mem, y.mem, y.dtype, g));
    }
    return OkStatus();
  }
  if (op == "Split") {
    const size_t axis = NormAxis(node.attrs.GetInt("axis", 0), xd.size());
    const auto in_strides = DenseStrides(xd);
    int64_t at = 0;
    for (DeviceValue* out : outs) {
      HETERO_ASSIGN_OR_RETURN(Geo g, MakeGeo(out->dims, in_strides, DenseStrides(out->dims)));
      g.off0 = static_cast<cl_int>(at * in_strides[axis]);
      at += out->dims[axis];
      HETERO_RETURN_IF_ERROR(StridedCopy(ctx, ins[0]->mem, out->mem, out->dtype, g));
    }
    return OkStatus();
  }
  if (op == "Slice") return Slice(ctx, ins, consts, y);
  if (op == "Trilu") {
    HETERO_RETURN_IF_ERROR(CheckInt32(y.elements(), "Trilu output"));
    const std::vector<int64_t> k = Ints(consts.size() > 1 ? consts[1] : nullptr);
    const std::string name = "trilu_" + std::to_string(DTypeSize(y.dtype));
    HETERO_ASSIGN_OR_RETURN(cl_kernel kernel, ctx.cp.Kernel(name));
    HETERO_RETURN_IF_ERROR(SetArgs(kernel, ins[0]->mem, y.mem, cl_int(y.elements()),
                                   cl_int(xd[xd.size() - 2]), cl_int(xd.back()),
                                   cl_long(k.empty() ? 0 : k[0]),
                                   cl_int(node.attrs.GetInt("upper", 1) != 0)));
    return Run1D(ctx, kernel, name, y.elements());
  }
  if (op == "Gather") return Gather(ctx, node, ins, y);
  *handled = false;
  return OkStatus();
}

Status LaunchNode(LaunchContext& ctx, const cpu::ProgramNode& node,
                  const std::vector<const DeviceValue*>& ins,
                  const std::vector<const Tensor*>& consts, std::vector<DeviceValue*>& outs) {
  bool handled = false;
  HETERO_RETURN_IF_ERROR(LaunchElementwise(ctx, node, ins, outs, &handled));
  if (!handled) HETERO_RETURN_IF_ERROR(LaunchCompute(ctx, node, ins, outs, &handled));
  if (!handled) HETERO_RETURN_IF_ERROR(LaunchMovement(ctx, node, ins, consts, outs, &handled));
  if (!handled) return Unimplemented("opencl: no kernel for " + node.schema->name);
  return OkStatus();
}

}  // namespace hetero::opencl
