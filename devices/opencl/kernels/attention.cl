// Naive attention: one work item per query row, online softmax over the keys.
#define MAX_DV 256

// q [B,Hq,Sq,D], k [B,Hkv,Skv,D], v [B,Hkv,Skv,Dv]; mask (mask_kind 0 none, 1 bool,
// 2 f32) at mstr . (b, h, i, j). Rows that see no key give zeros.
__kernel void attention_f32(__global const float* q, __global const float* k,
                            __global const float* v, __global const void* mask, __global float* y,
                            int B, int Hq, int Hkv, int Sq, int Skv, int D, int Dv, float scale,
                            int causal, int mask_kind, int4 mstr) {
  const int row = get_global_id(0);
  if (row >= B * Hq * Sq) return;
  const int i = row % Sq, h = (row / Sq) % Hq, b = row / Sq / Hq;
  const int hk = h / (Hq / Hkv);
  __global const float* qr = q + (long)row * D;
  __global const float* kb = k + ((long)b * Hkv + hk) * Skv * D;
  __global const float* vb = v + ((long)b * Hkv + hk) * Skv * Dv;
  float acc[MAX_DV];
  for (int c = 0; c < Dv; ++c) acc[c] = 0.0f;
  float m = -INFINITY, l = 0.0f;
  for (int j = 0; j < Skv; ++j) {
    if (causal && j > i + Skv - Sq) break;
    const int mo = b * mstr.x + h * mstr.y + i * mstr.z + j * mstr.w;
    if (mask_kind == 1 && ((__global const uchar*)mask)[mo] == 0) continue;
    float s = 0.0f;
    for (int c = 0; c < D; ++c) s += qr[c] * kb[j * D + c];
    s *= scale;
    if (mask_kind == 2) s += ((__global const float*)mask)[mo];
    if (s == -INFINITY) continue;
    const float nm = fmax(m, s);
    const float corr = exp(m - nm), p = exp(s - nm);
    l = l * corr + p;
    for (int c = 0; c < Dv; ++c) acc[c] = acc[c] * corr + p * vb[j * Dv + c];
    m = nm;
  }
  for (int c = 0; c < Dv; ++c) y[(long)row * Dv + c] = l > 0.0f ? acc[c] / l : 0.0f;
}
