// Reference kernels of the fused op family: Attention, Rope, SwiGLU and KvCacheAppend.
// Float kernels compute in f32 or double and round once on store.
#pragma once

#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::ops::reference {

// q [B,Hq,Sq,D], k [B,Hkv,Skv,D], v [B,Hkv,Skv,Dv], mask (optional, broadcast to
// [B,Hq,Sq,Skv]: bool true = attend, or float added); attrs causal, scale. Scores and
// softmax are computed in double. A query row that can see no key (every key masked by
// a false, by causality or by an additive -inf) yields zeros, not NaN.
Status Attention(const KernelContext& ctx);
// x [..., D], cos, sin broadcast to x: x*cos + rotate_half(x)*sin.
Status Rope(const KernelContext& ctx);
// silu(gate) * up, broadcast.
Status SwiGLU(const KernelContext& ctx);
// cache [B,H,Smax,D], update [B,H,N,D], position: a copy of cache with rows
// [position, position+N) of dim 2 replaced; a range outside [0, Smax) is OutOfRange.
Status KvCacheAppend(const KernelContext& ctx);

}  // namespace hetero::ops::reference
