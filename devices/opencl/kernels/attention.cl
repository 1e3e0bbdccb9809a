// Attention, per storage type: one work item per query row, online softmax over the
// keys in f32; float4 loads and keys four at a time where D and Dv are multiples of 4.
#if ONCE
#define MAX_DV 256

// An additive mask element: f32 (mask_kind 2) or f16 (3).
inline float MaskTerm(__global const void* mask, int mask_kind, int at) {
  if (mask_kind == 2) return ((__global const float*)mask)[at];
  if (mask_kind == 3) return vload_half(at, (__global const half*)mask);
  return 0.0f;
}
#endif  // ONCE

// q [B,Hq,Sq,D], k [B,Hkv,Skv,D], v [B,Hkv,Skv,Dv]; mask (mask_kind 0 none, 1 bool,
// 2 f32, 3 f16) at mstr . (b, h, i, j). Rows that see no key give zeros.
__kernel void TYPED(attention)(__global const real* q, __global const real* k,
                               __global const real* v, __global const void* mask,
                               __global real* y, int B, int Hq, int Hkv, int Sq, int Skv, int D,
                               int Dv, float scale, int causal, int mask_kind, int4 mstr) {
  const int row = get_global_id(0);
  if (row >= B * Hq * Sq) return;
  const int i = row % Sq, h = (row / Sq) % Hq, b = row / Sq / Hq;
  const int hk = h / (Hq / Hkv);
  __global const real* qr = q + (long)row * D;
  __global const real* kb = k + ((long)b * Hkv + hk) * Skv * D;
  __global const real* vb = v + ((long)b * Hkv + hk) * Skv * Dv;
  float m = -INFINITY, l = 0.0f;
  if ((D & 3) == 0 && (Dv & 3) == 0) {
    // float4 dot products and accumulators, keys four at a time so exp runs on vectors
    // (scalar exp dominates on CPU drivers).
    float4 acc[MAX_DV / 4];
    const int d4 = D / 4, dv4 = Dv / 4;
    for (int c = 0; c < dv4; ++c) acc[c] = (float4)(0.0f);
    const int last = causal ? min(Skv, i + Skv - Sq + 1) : Skv;
    for (int j0 = 0; j0 < last; j0 += 4) {
      float s[4];
      for (int t = 0; t < 4; ++t) {
        const int j = j0 + t;
        s[t] = -INFINITY;
        if (j >= last) continue;
        const int mo = b * mstr.x + h * mstr.y + i * mstr.z + j * mstr.w;
        if (mask_kind == 1 && ((__global const uchar*)mask)[mo] == 0) continue;
        float4 s4 = (float4)(0.0f);
        for (int c = 0; c < d4; ++c) s4 = mad(LD4(c, qr), LD4(c, kb + j * D), s4);
        s[t] = (s4.x + s4.y + s4.z + s4.w) * scale + MaskTerm(mask, mask_kind, mo);
      }
      const float4 sv = vload4(0, s);
      const float nm = fmax(m, fmax(fmax(sv.x, sv.y), fmax(sv.z, sv.w)));
      if (nm == -INFINITY) continue;  // every key so far masked out
      const float corr = exp(m - nm);
      const float4 p = exp(sv - nm);
      l = l * corr + (p.x + p.y + p.z + p.w);
      for (int c = 0; c < dv4; ++c) {
        float4 a = acc[c] * corr;
        for (int t = 0; t < 4 && j0 + t < last; ++t) {
          a = mad((float4)(t == 0 ? p.x : t == 1 ? p.y : t == 2 ? p.z : p.w),
                  LD4(c, vb + (j0 + t) * Dv), a);
        }
        acc[c] = a;
      }
      m = nm;
    }
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    for (int c = 0; c < dv4; ++c) ST4(acc[c] * inv, c, y + (long)row * Dv);
    return;
  }
  float acc[MAX_DV];
  for (int c = 0; c < Dv; ++c) acc[c] = 0.0f;
  for (int j = 0; j < Skv; ++j) {
    if (causal && j > i + Skv - Sq) break;
    const int mo = b * mstr.x + h * mstr.y + i * mstr.z + j * mstr.w;
    if (mask_kind == 1 && ((__global const uchar*)mask)[mo] == 0) continue;
    float s = 0.0f;
    for (int c = 0; c < D; ++c) s += LD(c, qr) * LD(j * D + c, kb);
    s = s * scale + MaskTerm(mask, mask_kind, mo);
    if (s == -INFINITY) continue;
    const float nm = fmax(m, s);
    const float corr = exp(m - nm), p = exp(s - nm);
    l = l * corr + p;
    for (int c = 0; c < Dv; ++c) acc[c] = acc[c] * corr + p * LD(j * Dv + c, vb);
    m = nm;
  }
  for (int c = 0; c < Dv; ++c) ST(l > 0.0f ? acc[c] / l : 0.0f, (long)row * Dv + c, y);
}
