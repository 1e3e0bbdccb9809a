// Schemas of the fused op family: Attention, Rope, SwiGLU and KvCacheAppend.
#include "ops/reference/fused.h"

#include <algorithm>
#include <iterator>

#include "ops/broadcast.h"
#include "ops/cost.h"
#include "ops/infer_helpers.h"
#include "ops/schema.h"

namespace hetero::ops {

namespace {

using Types = std::vector<TensorType>;

// FLOPs of softmax per score: scale, mask, max, subtract, sum, and one exp.
constexpr double kSoftmaxFlops = 5 + kTranscendentalFlops;
constexpr double kSiluFlops = kTranscendentalFlops + kDivideFlops + 2;  // x·sigmoid(x)

Status NeedInputs(const InferContext& ctx, std::string_view op, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!ctx.has_input(i)) {
      return InvalidArgument(std::string(op) + " needs input " + std::to_string(i));
    }
  }
  return OkStatus();
}

Status CheckFloat(std::string_view op, const TensorType& t) {
  if (IsFloat(t.dtype)) return OkStatus();
  return InvalidArgument(std::string(op) + ": " + t.ToString() + " is not a float tensor");
}

Status CheckSameDType(std::string_view op, const TensorType& a, const TensorType& b) {
  if (a.dtype == b.dtype) return OkStatus();
  return InvalidArgument(std::string(op) + ": " + a.ToString() + " and " + b.ToString() +
                         " differ in dtype");
}

// Two dims that must be equal: the more specific one, or an error naming both.
StatusOr<Dim> Unify(std::string_view op, std::string_view what, const Dim& a, const Dim& b) {
  if (a.is_static() && b.is_static() && a.value() != b.value()) {
    return InvalidArgument(std::string(op) + ": " + std::string(what) + " " + a.ToString() +
                           " and " + b.ToString() + " differ");
  }
  if (a.is_static() || b.is_unknown()) return a;
  if (b.is_static() || a.is_unknown()) return b;
  return a == b ? a : Dim::Unknown();
}

// Fails unless `small` broadcasts to `target` without growing it.
Status CheckBroadcastsTo(std::string_view op, const TensorType& small, const Shape& target) {
  auto joined = BroadcastShapes(target, small.shape);
  bool fits = joined.ok() && joined->rank() == target.rank();
  for (size_t i = 0; fits && i < target.rank(); ++i) {
    fits = !(*joined)[i].is_static() || !target[i].is_static() ||
           (*joined)[i].value() == target[i].value();
  }
  if (fits) return OkStatus();
  return InvalidArgument(std::string(op) + ": " + small.ToString() + " does not broadcast to " +
                         target.ToString());
}

StatusOr<Types> InferAttention(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Attention", 3));
  const TensorType& q = ctx.input(0);
  const TensorType& k = ctx.input(1);
  const TensorType& v = ctx.input(2);
  HETERO_RETURN_IF_ERROR(CheckFloat("Attention", q));
  HETERO_RETURN_IF_ERROR(CheckSameDType("Attention", q, k));
  HETERO_RETURN_IF_ERROR(CheckSameDType("Attention", q, v));
  if (q.shape.rank() != 4 || k.shape.rank() != 4 || v.shape.rank() != 4) {
    return InvalidArgument("Attention: q " + q.ToString() + ", k " + k.ToString() + ", v " +
                           v.ToString() + " must have rank 4");
  }
  HETERO_ASSIGN_OR_RETURN(Dim batch, Unify("Attention", "batch dims", q.shape[0], k.shape[0]));
  HETERO_ASSIGN_OR_RETURN(batch, Unify("Attention", "batch dims", batch, v.shape[0]));
  HETERO_ASSIGN_OR_RETURN(Dim kv_heads,
                          Unify("Attention", "k and v heads", k.shape[1], v.shape[1]));
  HETERO_ASSIGN_OR_RETURN(Dim kv_len,
                          Unify("Attention", "k and v lengths", k.shape[2], v.shape[2]));
  HETERO_RETURN_IF_ERROR(Unify("Attention", "q and k head dims", q.shape[3], k.shape[3]).status());
  const Dim& q_heads = q.shape[1];
  if (q_heads.is_static() && kv_heads.is_static() &&
      (kv_heads.value() == 0 || q_heads.value() % kv_heads.value() != 0)) {
    return InvalidArgument("Attention: " + q_heads.ToString() +
                           " query heads are not a multiple of " + kv_heads.ToString() +
                           " KV heads");
  }
  const Shape scores{batch, q_heads, q.shape[2], kv_len};
  if (ctx.has_input(3)) {
    const TensorType& mask = ctx.input(3);
    if (mask.dtype != DType::kBool && !IsFloat(mask.dtype)) {
      return InvalidArgument("Attention: mask is " + mask.ToString() + ", expected bool or float");
    }
    HETERO_RETURN_IF_ERROR(CheckBroadcastsTo("Attention mask", mask, scores));
  }
  return Types{{q.dtype, Shape{batch, q_heads, q.shape[2], v.shape[3]}}};
}

double StaticDim(const TensorType& t, size_t i) {
  return t.shape.rank() > i && t.shape[i].is_static() ? static_cast<double>(t.shape[i].value()) : 0;
}

// Per score (B·Hq·Sq·Skv of them): 2·D for q·k, 2·Dv for p·v, and the softmax.
OpCost AttentionCost(const CostContext& ctx) {
  if (ctx.inputs.size() < 3 || ctx.inputs[0] == nullptr || ctx.inputs[1] == nullptr ||
      ctx.outputs.empty()) {
    return {};
  }
  const TensorType& q = *ctx.inputs[0];
  const double scores =
      StaticDim(q, 0) * StaticDim(q, 1) * StaticDim(q, 2) * StaticDim(*ctx.inputs[1], 2);
  const double per_score = 2 * StaticDim(q, 3) + 2 * StaticDim(ctx.outputs[0], 3) + kSoftmaxFlops;
  return OpCost{scores * per_score, InputOutputBytes(ctx)};
}

StatusOr<Types> InferRope(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Rope", 3));
  const TensorType& x = ctx.input(0);
  HETERO_RETURN_IF_ERROR(CheckFloat("Rope", x));
  if (x.shape.rank() == 0) return InvalidArgument("Rope: x is a scalar");
  const Dim& dim = x.shape[x.shape.rank() - 1];
  if (dim.is_static() && dim.value() % 2 != 0) {
    return InvalidArgument("Rope: x " + x.ToString() + " has an odd last dim");
  }
  for (size_t i = 1; i < 3; ++i) {
    HETERO_RETURN_IF_ERROR(CheckSameDType("Rope", x, ctx.input(i)));
    HETERO_RETURN_IF_ERROR(CheckBroadcastsTo("Rope", ctx.input(i), x.shape));
  }
  return Types{x};
}

StatusOr<Types> InferSwiGLU(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "SwiGLU", 2));
  HETERO_RETURN_IF_ERROR(CheckFloat("SwiGLU", ctx.input(0)));
  HETERO_RETURN_IF_ERROR(CheckSameDType("SwiGLU", ctx.input(0), ctx.input(1)));
  auto shape = BroadcastShapes(ctx.input(0).shape, ctx.input(1).shape);
  if (!shape.ok()) return shape.status().WithContext("SwiGLU");
  return Types{{ctx.input(0).dtype, *shape}};
}

StatusOr<Types> InferKvCacheAppend(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "KvCacheAppend", 3));
  const TensorType& cache = ctx.input(0);
  const TensorType& update = ctx.input(1);
  const TensorType& position = ctx.input(2);
  HETERO_RETURN_IF_ERROR(CheckSameDType("KvCacheAppend", cache, update));
  if (cache.shape.rank() != 4 || update.shape.rank() != 4) {
    return InvalidArgument("KvCacheAppend: cache " + cache.ToString() + " and update " +
                           update.ToString() + " must have rank 4");
  }
  for (size_t i : {0, 1, 3}) {
    HETERO_RETURN_IF_ERROR(
        Unify("KvCacheAppend", "cache and update dims", cache.shape[i], update.shape[i]).status());
  }
  if ((position.dtype != DType::kI64 && position.dtype != DType::kI32) ||
      position.shape.rank() > 1) {
    return InvalidArgument("KvCacheAppend: position is " + position.ToString() +
                           ", expected an i64 scalar");
  }
  const Dim& capacity = cache.shape[2];
  const Dim& rows = update.shape[2];
  const Tensor* pos = ctx.value(2);
  if (capacity.is_static() && rows.is_static() && pos != nullptr && pos->num_elements() == 1) {
    const int64_t p = pos->GetInt64(0);
    if (p < 0 || rows.value() > capacity.value() || p > capacity.value() - rows.value()) {
      return OutOfRange("KvCacheAppend: rows [" + std::to_string(p) + ", " +
                        std::to_string(p + rows.value()) + ") do not fit a cache of " +
                        capacity.ToString() + " positions");
    }
  } else if (capacity.is_static() && rows.is_static() && rows.value() > capacity.value()) {
    return OutOfRange("KvCacheAppend: " + rows.ToString() + " new rows exceed a cache of " +
                      capacity.ToString() + " positions");
  }
  return Types{cache};
}

OpCost RopeCost(const CostContext& ctx) { return ElementwiseCost(ctx, 3); }
OpCost SwiGLUCost(const CostContext& ctx) { return ElementwiseCost(ctx, kSiluFlops + 1); }

// The cache is updated in place: the update rows are read and written once.
OpCost KvCacheAppendCost(const CostContext& ctx) {
  double bytes = 0;
  if (ctx.inputs.size() > 2 && ctx.inputs[1] != nullptr) bytes += 2 * TensorBytes(*ctx.inputs[1]);
  if (ctx.inputs.size() > 2 && ctx.inputs[2] != nullptr) bytes += TensorBytes(*ctx.inputs[2]);
  return OpCost{0, bytes};
}

}  // namespace

void RegisterFusedOps(OpRegistry& registry) {
  const std::vector<DType> floats(std::begin(kFloatDTypes), std::end(kFloatDTypes));
  registry.Add(OpSchema{
      .name = "Attention",
      .family = "fused",
      .doc = "softmax(q·kᵀ·scale + mask)·v per head. Query head h uses KV head h / (Hq/Hkv). "
             "A bool mask keeps true entries, a float mask is added; causal lets query i see "
             "keys j <= i + Skv - Sq. A query row that sees no key yields zeros.",
      .min_inputs = 3,
      .max_inputs = 4,
      .input_names = {"q", "k", "v", "mask"},
      .attrs = {{"causal", AttrKind::kInt, false, "1: causal masking; default 0"},
                {"scale", AttrKind::kFloat, false, "score scale; default 0 = 1/sqrt(D)"}},
      .dtypes = floats,
      .infer = InferAttention,
      .cost = AttentionCost,
      .reference = reference::Attention,
  });
  registry.Add(OpSchema{
      .name = "Rope",
      .family = "fused",
      .doc = "Rotary position embedding, rotate-half form: x·cos + rotate_half(x)·sin with "
             "rotate_half(x) = concat(-x[D/2:], x[:D/2]) over the last dim; cos and sin "
             "broadcast to x.",
      .min_inputs = 3,
      .max_inputs = 3,
      .input_names = {"x", "cos", "sin"},
      .attrs = {},
      .dtypes = floats,
      .infer = InferRope,
      .cost = RopeCost,
      .reference = reference::Rope,
  });
  registry.Add(OpSchema{
      .name = "SwiGLU",
      .family = "fused",
      .doc = "silu(gate)·up with numpy broadcasting.",
      .min_inputs = 2,
      .max_inputs = 2,
      .input_names = {"gate", "up"},
      .attrs = {},
      .dtypes = floats,
      .infer = InferSwiGLU,
      .cost = SwiGLUCost,
      .reference = reference::SwiGLU,
  });
  registry.Add(OpSchema{
      .name = "KvCacheAppend",
      .family = "fused",
      .doc = "The cache with rows [position, position+N) of dim 2 replaced by the update; "
             "rows outside the cache are an OutOfRange error.",
      .min_inputs = 3,
      .max_inputs = 3,
      .input_names = {"cache", "update", "position"},
      .attrs = {},
      .dtypes = {std::begin(kAllDTypes), std::end(kAllDTypes)},
      .infer = InferKvCacheAppend,
      .cost = KvCacheAppendCost,
      .reference = reference::KvCacheAppend,
  });
}

}  // namespace hetero::ops
