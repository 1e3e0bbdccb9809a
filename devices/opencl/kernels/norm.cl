// Row kernels: Softmax/LogSoftmax over any axis, LayerNorm, RMSNorm, last-axis reductions.

// Row r covers x[base + j * inner] for j < len, base = (r / inner) * len * inner + r % inner.
__kernel void softmax_f32(__global const float* x, __global float* y, int rows, int len,
                          int inner, int log_softmax) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  const int base = (r / inner) * len * inner + r % inner;
  float m = -INFINITY;
  for (int j = 0; j < len; ++j) m = fmax(m, x[base + j * inner]);
  acc_t sum = 0.0f;
  for (int j = 0; j < len; ++j) sum += exp(x[base + j * inner] - m);
  for (int j = 0; j < len; ++j) {
    const float v = x[base + j * inner] - m;
    y[base + j * inner] = log_softmax ? v - (float)log(sum) : (float)(exp((acc_t)v) / sum);
  }
}

// Normalizes rows of d elements; scale/bias repeat every scale_n / bias_n elements.
__kernel void layernorm_f32(__global const float* x, __global const float* scale,
                            __global const float* bias, __global float* y, __global float* mean_out,
                            __global float* inv_out, int rows, int d, int scale_n, int bias_n,
                            float eps, int flags) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const float* xr = x + r * d;
  acc_t mean = 0.0f;
  for (int j = 0; j < d; ++j) mean += xr[j];
  mean /= d;
  acc_t var = 0.0f;
  for (int j = 0; j < d; ++j) var += (xr[j] - mean) * (xr[j] - mean);
  var /= d;
  const acc_t inv = 1.0 / sqrt(var + eps);
  for (int j = 0; j < d; ++j) {
    float v = (float)((xr[j] - mean) * inv) * scale[j % scale_n];
    if (flags & 1) v += bias[j % bias_n];
    y[r * d + j] = v;
  }
  if (flags & 2) mean_out[r] = (float)mean;
  if (flags & 4) inv_out[r] = (float)inv;
}

__kernel void rmsnorm_f32(__global const float* x, __global const float* scale, __global float* y,
                          int rows, int d, int scale_n, float eps) {
  const int r = get_global_id(0);
  if (r >= rows) return;
  __global const float* xr = x + r * d;
  acc_t ss = 0.0f;
  for (int j = 0; j < d; ++j) ss += (acc_t)xr[j] * xr[j];
  const acc_t inv = 1.0 / sqrt(ss / d + eps);
  for (int j = 0; j < d; ++j) y[r * d + j] = (float)(xr[j] * inv) * scale[j % scale_n];
}

// op: 0 sum, 1 mean, 2 max (NaN wins). Output element r starts at the offset `kept`
// gives it (s0 = the input's strides of the kept dims); `red` walks the reduced dims.
__kernel void reduce_f32(__global const float* x, __global float* y, Geo kept, Geo red, int op) {
  const int r = get_global_id(0);
  if (r >= kept.n) return;
  int base, unused1, unused2;
  GeoOffsets(&kept, r, &base, &unused1, &unused2);
  acc_t acc = op == 2 ? -INFINITY : 0.0f;
  for (int j = 0; j < red.n; ++j) {
    int off;
    GeoOffsets(&red, j, &off, &unused1, &unused2);
    const float v = x[base + off];
    if (op == 2) {
      acc = (isnan(v) || isnan(acc)) ? NAN : fmax(acc, (acc_t)v);
    } else {
      acc += v;
    }
  }
  y[r] = (float)(op == 1 ? acc / red.n : acc);
}
