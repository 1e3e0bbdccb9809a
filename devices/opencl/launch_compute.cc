// Launching the compute families: MatMul and FusedMatMul (register-blocked or tiled), Softmax,
// LayerNorm, RMSNorm, reductions and Attention; f32 or f16 storage (the kernel's suffix).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "devices/opencl/launch.h"

namespace hetero::opencl {
namespace {

// Mirrors `Batch` in kernels/matmul.cl.
struct Batch {
  cl_int rank = 0;
  cl_int dims[6] = {};
  cl_int sa[6] = {};
  cl_int sb[6] = {};
};

int64_t Product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t d = begin; d < end; ++d) n *= dims[d];
  return n;
}

int Activation(const std::string& name) {
  if (name == "relu") return 1;
  if (name == "gelu") return 2;
  if (name == "gelu_tanh") return 3;
  if (name == "silu") return 4;
  return 0;
}

// The register-blocked kernel: one work item per 8 x 16 block of C, groups of 8 along
// the columns; the tiled one: one work item per element, tile x tile groups.
Status EnqueueMatMul(LaunchContext& ctx, cl_kernel kernel, const std::string& name, bool blocked,
                     int64_t m, int64_t n, int64_t nb) {
  if (blocked) {
    const size_t cols = size_t((n + 15) / 16), rows = size_t((m + 7) / 8);
    const size_t global[3] = {cols, rows, size_t(nb)};
    const size_t local[3] = {std::min<size_t>({cols, 8, ctx.cp.device->info->max_work_group}), 1,
                             1};
    return ctx.Run(kernel, name, 3, global, local);
  }
  const size_t tile = static_cast<size_t>(ctx.cp.tile);
  const size_t global[3] = {size_t(n), size_t(m), size_t(nb)};
  const size_t local[3] = {tile, tile, 1};
  return ctx.Run(kernel, name, 3, global, local);
}

Status LaunchMatMul(LaunchContext& ctx, const cpu::ProgramNode& node,
                    const std::vector<const DeviceValue*>& ins, DeviceValue& y) {
  const auto& ad = ins[0]->dims;
  const auto& bd = ins[1]->dims;
  cl_int ta = ad.size() >= 2 && node.attrs.GetInt("transpose_a", 0) != 0;
  cl_int tb = bd.size() >= 2 && node.attrs.GetInt("transpose_b", 0) != 0;
  const int64_t ar = ad.size() >= 2 ? ad[ad.size() - 2] : 1, ac = ad.back();
  const int64_t br = bd.size() >= 2 ? bd[bd.size() - 2] : bd[0],
                bc = bd.size() >= 2 ? bd.back() : 1;
  const int64_t m = ta ? ac : ar, k = ta ? ar : ac, n = tb ? br : bc;
  const std::vector<int64_t> a_batch(ad.begin(), ad.end() - std::min<size_t>(ad.size(), 2));
  const std::vector<int64_t> b_batch(bd.begin(), bd.end() - std::min<size_t>(bd.size(), 2));
  std::vector<int64_t> out_batch(std::max(a_batch.size(), b_batch.size()), 1);
  for (size_t i = 0; i < out_batch.size(); ++i) {
    const size_t ia = i + a_batch.size() - out_batch.size(),
                 ib = i + b_batch.size() - out_batch.size();
    if (i + a_batch.size() >= out_batch.size()) out_batch[i] = std::max(out_batch[i], a_batch[ia]);
    if (i + b_batch.size() >= out_batch.size()) out_batch[i] = std::max(out_batch[i], b_batch[ib]);
  }
  if (out_batch.size() > 6) return Unimplemented("opencl: MatMul with more than 6 batch dims");
  Batch bt;
  bt.rank = static_cast<cl_int>(out_batch.size());
  const auto sa = BroadcastStrides(a_batch, out_batch), sb = BroadcastStrides(b_batch, out_batch);
  for (size_t i = 0; i < out_batch.size(); ++i) {
    bt.dims[i] = static_cast<cl_int>(out_batch[i]);
    bt.sa[i] = static_cast<cl_int>(sa[i] * m * k);
    bt.sb[i] = static_cast<cl_int>(sb[i] * k * n);
  }
  const int64_t nb = Product(out_batch, 0, out_batch.size());
  HETERO_RETURN_IF_ERROR(CheckInt32(nb * m * n, "MatMul output"));
  HETERO_RETURN_IF_ERROR(CheckInt32(ins[0]->elements(), "MatMul a"));
  HETERO_RETURN_IF_ERROR(CheckInt32(ins[1]->elements(), "MatMul b"));
  cl_int has_bias = 0, bias_sr = 0, bias_sc = 0;
  cl_mem bias = y.mem;
  if (ins.size() > 2 && ins[2] != nullptr) {
    const auto& bias_dims = ins[2]->dims;
    for (size_t d = 0; d + 2 < bias_dims.size(); ++d) {
      if (bias_dims[d] != 1) return Unimplemented("opencl: FusedMatMul bias with batch dims");
    }
    has_bias = 1;
    bias = ins[2]->mem;
    const size_t r = bias_dims.size();
    bias_sc = r >= 1 && bias_dims[r - 1] != 1 ? 1 : 0;
    bias_sr = r >= 2 && bias_dims[r - 2] != 1 ? static_cast<cl_int>(bias_dims[r - 1]) : 0;
  }
  const cl_int act = Activation(node.attrs.GetString("activation", "none"));
  const bool blocked = ctx.cp.register_blocked && !ta;
  const std::string name = Typed(blocked ? "matmul_rb" : "matmul", y.dtype);
  HETERO_ASSIGN_OR_RETURN(cl_kernel kernel, ctx.cp.Kernel(name));
  HETERO_RETURN_IF_ERROR(SetArgs(kernel, ins[0]->mem, ins[1]->mem, y.mem, cl_int(m), cl_int(n),
                                 cl_int(k), ta, tb, bt, bias, has_bias, bias_sr, bias_sc, act));
  return EnqueueMatMul(ctx, kernel, name, blocked, m, n, nb);
}

size_t Axis(const cpu::ProgramNode& node, size_t rank) {
  int64_t axis = node.attrs.GetInt("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(rank);
  return static_cast<size_t>(axis);
}

Status LaunchRows(LaunchContext& ctx, const cpu::ProgramNode& node,
                  const std::vector<const DeviceValue*>& ins, std::vector<DeviceValue*>& outs) {
  const std::string& op = node.schema->name;
  const auto& xd = ins[0]->dims;
  DeviceValue& y = *outs[0];
  HETERO_RETURN_IF_ERROR(CheckInt32(ins[0]->elements(), op + " input"));
  if (op == "Softmax" || op == "LogSoftmax") {
    const size_t axis = xd.empty() ? 0 : Axis(node, xd.size());
    const cl_int len = xd.empty() ? 1 : cl_int(xd[axis]);
    const cl_int inner = cl_int(Product(xd, axis + 1, xd.size()));
    const cl_int rows = cl_int(Product(xd, 0, axis) * inner);
    const std::string name = Typed("softmax", y.dtype);
    HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
    HETERO_RETURN_IF_ERROR(
        SetArgs(k, ins[0]->mem, y.mem, rows, len, inner, cl_int(op != "Softmax")));
    return Run1D(ctx, k, name, rows);
  }
  if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax") {
    std::vector<bool> reduced(xd.size(), false);
    const std::vector<int64_t> axes = node.attrs.GetInts("axes");
    for (int64_t a : axes) reduced[size_t(a < 0 ? a + int64_t(xd.size()) : a)] = true;
    if (axes.empty()) reduced.assign(xd.size(), true);
    const auto strides = DenseStrides(xd);
    std::vector<int64_t> kd, ks, rd, rs;
    for (size_t d = 0; d < xd.size(); ++d) {
      (reduced[d] ? rd : kd).push_back(xd[d]);
      (reduced[d] ? rs : ks).push_back(strides[d]);
    }
    HETERO_ASSIGN_OR_RETURN(Geo kept, MakeGeo(kd, ks));
    HETERO_ASSIGN_OR_RETURN(Geo red, MakeGeo(rd, rs));
    const cl_int code = op == "ReduceSum" ? 0 : op == "ReduceMean" ? 1 : 2;
    const bool integer = y.dtype == DType::kI64 || y.dtype == DType::kI32;
    if (integer && code == 1 && red.n == 0 && kept.n > 0) {
      return InvalidArgument("ReduceMean of integers over an empty set");
    }
    const std::string name = y.dtype == DType::kI64   ? "reduce_i64"
                             : y.dtype == DType::kI32 ? "reduce_i32"
                                                      : Typed("reduce", y.dtype);
    HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
    HETERO_RETURN_IF_ERROR(SetArgs(k, ins[0]->mem, y.mem, kept, red, code));
    return Run1D(ctx, k, name, kept.n);
  }
  const size_t axis = Axis(node, xd.size());
  const cl_int rows = cl_int(Product(xd, 0, axis)), d = cl_int(Product(xd, axis, xd.size()));
  const cl_float eps = static_cast<cl_float>(node.attrs.GetFloat("epsilon", 1e-5));
  const cl_int scale_n = cl_int(std::max<int64_t>(ins[1]->elements(), 1));
  if (op == "RMSNorm") {
    const std::string name = Typed("rmsnorm", y.dtype);
    HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
    HETERO_RETURN_IF_ERROR(SetArgs(k, ins[0]->mem, ins[1]->mem, y.mem, rows, d, scale_n, eps));
    return Run1D(ctx, k, name, rows);
  }
  const bool has_bias = ins.size() > 2 && ins[2] != nullptr;
  const cl_int bias_n = has_bias ? cl_int(std::max<int64_t>(ins[2]->elements(), 1)) : 1;
  const bool has_mean = outs.size() > 1 && outs[1] != nullptr;
  const bool has_inv = outs.size() > 2 && outs[2] != nullptr;
  const cl_int flags = (has_bias ? 1 : 0) | (has_mean ? 2 : 0) | (has_inv ? 4 : 0);
  const std::string name = Typed("layernorm", y.dtype);
  HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
  HETERO_RETURN_IF_ERROR(SetArgs(k, ins[0]->mem, ins[1]->mem, has_bias ? ins[2]->mem : y.mem, y.mem,
                                 has_mean ? outs[1]->mem : y.mem, has_inv ? outs[2]->mem : y.mem,
                                 rows, d, scale_n, bias_n, eps, flags));
  return Run1D(ctx, k, name, rows);
}

Status LaunchAttention(LaunchContext& ctx, const cpu::ProgramNode& node,
                       const std::vector<const DeviceValue*>& ins, DeviceValue& y) {
  const auto& qd = ins[0]->dims;
  const auto& kd = ins[1]->dims;
  const auto& vd = ins[2]->dims;
  const cl_int b = cl_int(qd[0]), hq = cl_int(qd[1]), sq = cl_int(qd[2]), d = cl_int(qd[3]);
  const cl_int hkv = cl_int(kd[1]), skv = cl_int(kd[2]), dv = cl_int(vd[3]);
  for (const DeviceValue* v : ins) {
    if (v != nullptr) HETERO_RETURN_IF_ERROR(CheckInt32(v->elements(), "Attention operand"));
  }
  double scale = node.attrs.GetFloat("scale", 0.0);
  if (scale == 0.0) scale = 1.0 / std::sqrt(double(d));
  const cl_int causal = node.attrs.GetInt("causal", 0) != 0;
  cl_int mask_kind = 0;
  cl_int4 mstr{};
  cl_mem mask = y.mem;
  if (ins.size() > 3 && ins[3] != nullptr) {
    mask_kind = ins[3]->dtype == DType::kBool ? 1 : ins[3]->dtype == DType::kF16 ? 3 : 2;
    mask = ins[3]->mem;
    const auto s = BroadcastStrides(ins[3]->dims, {qd[0], qd[1], qd[2], kd[2]});
    for (int i = 0; i < 4; ++i) mstr.s[i] = cl_int(s[i]);
  }
  const std::string name = Typed("attention", y.dtype);
  HETERO_ASSIGN_OR_RETURN(cl_kernel k, ctx.cp.Kernel(name));
  HETERO_RETURN_IF_ERROR(SetArgs(k, ins[0]->mem, ins[1]->mem, ins[2]->mem, mask, y.mem, b, hq, hkv,
                                 sq, skv, d, dv, cl_float(scale), causal, mask_kind, mstr));
  return Run1D(ctx, k, name, int64_t(b) * hq * sq);
}

}  // namespace

Status LaunchCompute(LaunchContext& ctx, const cpu::ProgramNode& node,
                     const std::vector<const DeviceValue*>& ins, std::vector<DeviceValue*>& outs,
                     bool* handled) {
  const std::string& op = node.schema->name;
  *handled = true;
  if (op == "MatMul" || op == "FusedMatMul") return LaunchMatMul(ctx, node, ins, *outs[0]);
  if (op == "Attention") return LaunchAttention(ctx, node, ins, *outs[0]);
  if (op == "Softmax" || op == "LogSoftmax" || op == "LayerNorm" || op == "RMSNorm" ||
      op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax") {
    return LaunchRows(ctx, node, ins, outs);
  }
  *handled = false;
  return OkStatus();
}

}  // namespace hetero::opencl
