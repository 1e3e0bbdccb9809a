// Row-wise and elementwise f32 ops on the path's vector kernels: LayerNorm, RMSNorm,
// Softmax over the last axis, Rope, Gelu, Silu, Relu, SwiGLU, and Add / Mul of equal
// shapes or of a vector along the last dim (a bias).
#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "devices/cpu/kernels/fast_ops.h"
#include "ops/broadcast.h"

namespace hetero::cpu {
namespace {

constexpr int64_t kParallelElements = 1 << 16;  // below this, one thread
constexpr int64_t kChunkElements = 1 << 14;     // work per task

bool AllF32(const ops::KernelContext& ctx) {
  for (const Tensor* t : ctx.inputs) {
    if (t != nullptr && t->dtype() != DType::kF32) return false;
  }
  for (const Tensor* t : ctx.outputs) {
    if (t->dtype() != DType::kF32) return false;
  }
  return true;
}

// Runs fn(row_begin, row_end) over rows of `width` elements, in parallel when big.
void ForRows(const FastContext& fast, int64_t rows, int64_t width,
             const std::function<void(uint64_t, uint64_t)>& fn) {
  const int64_t total = rows * std::max<int64_t>(width, 1);
  if (!fast.parallel_for || total < kParallelElements || rows < 2) {
    fn(0, static_cast<uint64_t>(rows));
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kChunkElements / std::max<int64_t>(width, 1));
  fast.parallel_for(static_cast<uint64_t>(rows), static_cast<uint64_t>(grain), fn);
}

// Elements from `axis` to the end, or -1 when the axis is out of range.
int64_t InnerSize(const Tensor& x, int64_t axis) {
  const auto rank = static_cast<int64_t>(x.rank());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return -1;
  int64_t n = 1;
  for (int64_t d = axis; d < rank; ++d) n *= x.dim(static_cast<size_t>(d));
  return n;
}

StatusOr<bool> Norm(const ops::KernelContext& ctx, bool rms, const FastContext& fast) {
  if (ctx.outputs.size() != 1 || ctx.inputs.size() < 2 || ctx.inputs[1] == nullptr) return false;
  const Tensor& x = *ctx.inputs[0];
  const Tensor* scale = ctx.inputs[1];
  const Tensor* bias = !rms && ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  const int64_t n = InnerSize(x, ctx.attrs.GetInt("axis", -1));
  if (n <= 0 || scale->num_elements() != n) return false;
  if (bias != nullptr && bias->num_elements() != n) return false;
  if (ctx.outputs[0]->num_elements() != x.num_elements()) return false;
  const auto eps = static_cast<float>(ctx.attrs.GetFloat("epsilon", 1e-5));
  const KernelTable& kt = *fast.kernels;
  const float* xs = x.data<float>();
  float* ys = ctx.outputs[0]->mutable_data<float>();
  const float* sc = scale->data<float>();
  const float* bi = bias != nullptr ? bias->data<float>() : nullptr;
  ForRows(fast, x.num_elements() / n, n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      if (rms) {
        kt.rms_norm_row(xs + r * n, ys + r * n, n, sc, eps);
      } else {
        kt.layer_norm_row(xs + r * n, ys + r * n, n, sc, bi, eps);
      }
    }
  });
  return true;
}

StatusOr<bool> Softmax(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                       const FastContext& fast) {
  const Tensor& x = *ctx.inputs[0];
  const auto rank = static_cast<int64_t>(x.rank());
  const int64_t axis = ctx.attrs.GetInt("axis", -1);
  if (rank == 0 || (axis != -1 && axis != rank - 1)) return false;
  const int64_t n = x.dims().back();
  if (n <= 0 || x.num_elements() == 0) return false;
  const float* xs = x.data<float>();
  float* ys = ctx.outputs[0]->mutable_data<float>();
  std::vector<int64_t> row_dims(x.rank(), 1);
  row_dims.back() = n;
  std::atomic<bool> failed{false};
  ForRows(fast, x.num_elements() / n, n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      if (fast.kernels->softmax_row(xs + r * n, ys + r * n, n)) continue;
      // NaN or infinities: the reference decides what the row becomes.
      const Tensor in = Tensor::Borrow(DType::kF32, row_dims, xs + r * n, nullptr);
      Tensor out = Tensor::Borrow(DType::kF32, row_dims, ys + r * n, nullptr);
      const Tensor* ins[1] = {&in};
      Tensor* outs[1] = {&out};
      if (!schema.reference({ins, outs, ctx.attrs}).ok()) failed = true;
    }
  });
  if (failed) return Internal("Softmax: the reference failed on a row with NaN or infinity");
  return true;
}

// Strides over x's row dims (all but the last) of a Rope table that broadcasts to x with
// its own last axis whole (contiguous); false for any other table.
bool RopeTableStrides(const Tensor& table, const Tensor& x, std::vector<int64_t>* strides) {
  auto dims = ops::BroadcastDims(table.dims(), x.dims());
  if (!dims.ok() || *dims != x.dims() || table.rank() == 0) return false;
  if (table.dims().back() != x.dims().back()) return false;
  *strides = ops::BroadcastStrides(table.dims(), x.dims());
  strides->pop_back();
  return true;
}

// Rope: x of any rank with an even last dim; cos and sin broadcast to x, read a row at a
// time at the offset their strides give each of x's rows.
StatusOr<bool> Rope(const ops::KernelContext& ctx, const FastContext& fast) {
  if (ctx.inputs.size() != 3 || ctx.inputs[1] == nullptr || ctx.inputs[2] == nullptr) {
    return false;
  }
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  if (x.rank() == 0 || y.dims() != x.dims() || x.num_elements() == 0) return false;
  const int64_t n = x.dims().back();
  std::vector<int64_t> cos_strides, sin_strides;
  if (n % 2 != 0 || !RopeTableStrides(*ctx.inputs[1], x, &cos_strides) ||
      !RopeTableStrides(*ctx.inputs[2], x, &sin_strides)) {
    return false;
  }
  const std::vector<int64_t> row_dims(x.dims().begin(), x.dims().end() - 1);
  const float* xs = x.data<float>();
  const float* cs = ctx.inputs[1]->data<float>();
  const float* ss = ctx.inputs[2]->data<float>();
  float* ys = y.mutable_data<float>();
  ForRows(fast, x.num_elements() / n, n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      int64_t cos_off = 0, sin_off = 0;
      auto rest = static_cast<int64_t>(r);
      for (size_t d = row_dims.size(); d-- > 0;) {
        const int64_t index = rest % row_dims[d];
        rest /= row_dims[d];
        cos_off += index * cos_strides[d];
        sin_off += index * sin_strides[d];
      }
      const int64_t off = static_cast<int64_t>(r) * n;
      fast.kernels->rope_row(xs + off, cs + cos_off, ss + sin_off, ys + off, n);
    }
  });
  return true;
}

// Add or Mul: equal shapes, or one operand a vector along the other's last dim.
StatusOr<bool> Binary(const ops::KernelContext& ctx, bool mul, const FastContext& fast) {
  const Tensor& a = *ctx.inputs[0];
  const Tensor& b = *ctx.inputs[1];
  Tensor& y = *ctx.outputs[0];
  const auto fn = mul ? fast.kernels->mul : fast.kernels->add;
  if (a.dims() == b.dims() && y.dims() == a.dims()) {
    const int64_t n = a.num_elements();
    const int64_t width = std::min<int64_t>(n, kChunkElements);
    if (width == 0) return true;
    ForRows(fast, (n + width - 1) / width, width, [&](uint64_t begin, uint64_t end) {
      for (uint64_t c = begin; c < end; ++c) {
        const int64_t off = static_cast<int64_t>(c) * width;
        fn(a.data<float>() + off, b.data<float>() + off, y.mutable_data<float>() + off,
           std::min(width, n - off));
      }
    });
    return true;
  }
  const bool b_is_row = y.dims() == a.dims();
  const Tensor& full = b_is_row ? a : b;
  const Tensor& row = b_is_row ? b : a;
  if (y.dims() != full.dims() || full.rank() == 0 || row.rank() == 0 || row.rank() > full.rank()) {
    return false;
  }
  const int64_t n = full.dims().back();
  if (n == 0 || row.num_elements() != n || row.dims().back() != n) return false;
  ForRows(fast, full.num_elements() / n, n, [&](uint64_t begin, uint64_t end) {
    for (uint64_t r = begin; r < end; ++r) {
      fn(full.data<float>() + r * n, row.data<float>(), y.mutable_data<float>() + r * n, n);
    }
  });
  return true;
}

StatusOr<bool> Unary(const ops::KernelContext& ctx, Activation act, const FastContext& fast) {
  const Tensor& x = *ctx.inputs[0];
  const int64_t n = x.num_elements();
  if (ctx.outputs[0]->num_elements() != n || n == 0) return n == 0;
  const int64_t width = std::min<int64_t>(n, kChunkElements / 4);
  ForRows(fast, (n + width - 1) / width, width * 4, [&](uint64_t begin, uint64_t end) {
    for (uint64_t c = begin; c < end; ++c) {
      const int64_t off = static_cast<int64_t>(c) * width;
      fast.kernels->activation(x.data<float>() + off, ctx.outputs[0]->mutable_data<float>() + off,
                               std::min(width, n - off), act);
    }
  });
  return true;
}

StatusOr<bool> Swiglu(const ops::KernelContext& ctx, const FastContext& fast) {
  const Tensor& g = *ctx.inputs[0];
  const Tensor& u = *ctx.inputs[1];
  const int64_t n = g.num_elements();
  if (g.dims() != u.dims() || ctx.outputs[0]->dims() != g.dims() || n == 0) return false;
  const int64_t width = std::min<int64_t>(n, kChunkElements / 4);
  ForRows(fast, (n + width - 1) / width, width * 4, [&](uint64_t begin, uint64_t end) {
    for (uint64_t c = begin; c < end; ++c) {
      const int64_t off = static_cast<int64_t>(c) * width;
      fast.kernels->swiglu(g.data<float>() + off, u.data<float>() + off,
                           ctx.outputs[0]->mutable_data<float>() + off, std::min(width, n - off));
    }
  });
  return true;
}

}  // namespace

StatusOr<bool> TryFastRowOp(const ops::OpSchema& schema, const ops::KernelContext& ctx,
                            const FastContext& fast) {
  const std::string& op = schema.name;
  if (ctx.inputs.empty() || ctx.inputs[0] == nullptr || ctx.outputs.empty() || !AllF32(ctx)) {
    return false;
  }
  if (op == "LayerNorm") return Norm(ctx, false, fast);
  if (op == "RMSNorm") return Norm(ctx, true, fast);
  if (op == "Softmax") return Softmax(schema, ctx, fast);
  if (op == "Rope") return Rope(ctx, fast);
  if (op == "Relu") return Unary(ctx, Activation::kRelu, fast);
  if (op == "Silu") return Unary(ctx, Activation::kSilu, fast);
  if (op == "Gelu") {
    const std::string approx = ctx.attrs.GetString("approximate", "none");
    if (approx != "none" && approx != "tanh") return false;
    return Unary(ctx, approx == "none" ? Activation::kGelu : Activation::kGeluTanh, fast);
  }
  const bool two_inputs = ctx.inputs.size() == 2 && ctx.inputs[1] != nullptr;
  if (op == "SwiGLU" && two_inputs) return Swiglu(ctx, fast);
  if ((op == "Add" || op == "Mul") && two_inputs) return Binary(ctx, op == "Mul", fast);
  return false;
}

}  // namespace hetero::cpu
