// Row kernels, per storage type: Softmax/LogSoftmax over any axis, LayerNorm, RMSNorm,
// reductions over any axes. Statistics accumulate in acc_t (double where available).

// Row r covers x[base + j * inner] for j < len, base = (r / inner) * len * inner + r % inner.
__kernel void TYPED(softmax)(__global const real* x, __global real* y, int rows, int len,
                             int inner, int log_softmax) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  const int base = (r / inner) * len * inner + r % inner;
  float m = -INFINITY;
  for (int j = 0; j < len; ++j) m = fmax(m, LD(base + j * inner, x));
  acc_t sum = 0.0f;
  for (int j = 0; j < len; ++j) sum += exp(LD(base + j * inner, x) - m);
  for (int j = 0; j < len; ++j) {
    const float v = LD(base + j * inner, x) - m;
    ST(log_softmax ? v - (float)log(sum) : (float)(exp((acc_t)v) / sum), base + j * inner, y);
  }
}

// Normalizes rows of d elements; scale/bias repeat every scale_n / bias_n elements. The
// mean and inv_std_dev outputs are f32 whatever the storage type.
__kernel void TYPED(layernorm)(__global const real* x, __global const real* scale,
                               __global const real* bias, __global real* y,
                               __global float* mean_out, __global float* inv_out, int rows, int d,
                               int scale_n, int bias_n, float eps, int flags) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const real* xr = x + r * d;
  acc_t mean = 0.0f;
  for (int j = 0; j < d; ++j) mean += LD(j, xr);
  mean /= d;
  acc_t var = 0.0f;
  for (int j = 0; j < d; ++j) var += (LD(j, xr) - mean) * (LD(j, xr) - mean);
  var /= d;
  const acc_t inv = 1.0 / sqrt(var + eps);
  for (int j = 0; j < d; ++j) {
    float v = (float)((LD(j, xr) - mean) * inv) * LD(j % scale_n, scale);
    if (flags & 1) v += LD(j % bias_n, bias);
    ST(v, r * d + j, y);
  }
  if (flags & 2) mean_out[r] = (float)mean;
  if (flags & 4) inv_out[r] = (float)inv;
}

__kernel void TYPED(rmsnorm)(__global const real* x, __global const real* scale,
                             __global real* y, int rows, int d, int scale_n, float eps) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const real* xr = x + r * d;
  acc_t ss = 0.0f;
  for (int j = 0; j < d; ++j) ss += (acc_t)LD(j, xr) * LD(j, xr);
  const acc_t inv = 1.0 / sqrt(ss / d + eps);
  for (int j = 0; j < d; ++j) ST((float)(LD(j, xr) * inv) * LD(j % scale_n, scale), r * d + j, y);
}

// op: 0 sum, 1 mean, 2 max (NaN wins). Output element r starts at the offset `kept`
// gives it (s0 = the input's strides of the kept dims); `red` walks the reduced dims.
__kernel void TYPED(reduce)(__global const real* x, __global real* y, Geo kept, Geo red, int op) {
  const int r = get_global_id(0);
  if (r >= kept.n) return;
  int base, unused1, unused2;
  GeoOffsets(&kept, r, &base, &unused1, &unused2);
  acc_t acc = op == 2 ? -INFINITY : 0.0f;
  for (int j = 0; j < red.n; ++j) {
    int off;
    GeoOffsets(&red, j, &off, &unused1, &unused2);
    const float v = LD(base + off, x);
    if (op == 2) {
      acc = (isnan(v) || isnan(acc)) ? NAN : fmax(acc, (acc_t)v);
    } else {
      acc += v;
    }
  }
  ST((float)(op == 1 ? acc / red.n : acc), r, y);
}
