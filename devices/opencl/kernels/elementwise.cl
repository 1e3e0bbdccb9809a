// Elementwise kernels: binary with broadcasting, unary, Where, SwiGLU, Rope, Cast.

// op: 0 Add, 1 Sub, 2 Mul, 3 Div, 4 Pow. Operands by geometry: s0 = a, s1 = b, s2 = y.
__kernel void binary_f32(__global const float* a, __global const float* b, __global float* y,
                         Geo g, int op) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oa, ob, oy;
  GeoOffsets(&g, i, &oa, &ob, &oy);
  const float x = a[oa], z = b[ob];
  float r;
  switch (op) {
    case 0: r = x + z; break;
    case 1: r = x - z; break;
    case 2: r = x * z; break;
    case 3: r = x / z; break;
    default: r = pow(x, z); break;
  }
  y[i] = r;
}

// Integer Add (0), Sub (1), Mul (2), wrapping like the dtype (unsigned arithmetic).
#define BINARY_INT(NAME, T, U)                                                             \
  __kernel void NAME(__global const T* a, __global const T* b, __global T* y, Geo g, int op) { \
    const int i = get_global_id(0);                                                        \
    if (i >= g.n) return;                                                                  \
    int oa, ob, oy;                                                                        \
    GeoOffsets(&g, i, &oa, &ob, &oy);                                                      \
    const U x = (U)a[oa], z = (U)b[ob];                                                    \
    y[i] = (T)(op == 0 ? x + z : op == 1 ? x - z : x * z);                                 \
  }
BINARY_INT(binary_i64, long, ulong)
BINARY_INT(binary_i32, int, uint)

// Integer Div truncating toward zero; MIN / -1 wraps. A zero divisor sets bad[0] and
// bad[1] = its element (read back and reported as an error).
#define DIV_INT(NAME, T, U)                                                                \
  __kernel void NAME(__global const T* a, __global const T* b, __global T* y, Geo g,        \
                     __global int* bad) {                                                  \
    const int i = get_global_id(0);                                                        \
    if (i >= g.n) return;                                                                  \
    int oa, ob, oy;                                                                        \
    GeoOffsets(&g, i, &oa, &ob, &oy);                                                      \
    const T x = a[oa], z = b[ob];                                                          \
    if (z == 0) {                                                                          \
      bad[0] = 1;                                                                          \
      bad[1] = i;                                                                          \
      y[i] = 0;                                                                            \
      return;                                                                              \
    }                                                                                      \
    y[i] = z == -1 ? (T)((U)0 - (U)x) : x / z;                                             \
  }
DIV_INT(div_i64, long, ulong)
DIV_INT(div_i32, int, uint)

// Integer Neg (0, wrapping) and Relu (9).
#define UNARY_INT(NAME, T, U)                                                              \
  __kernel void NAME(__global const T* x, __global T* y, int n, int op) {                  \
    const int i = get_global_id(0);                                                        \
    if (i >= n) return;                                                                    \
    y[i] = op == 0 ? (T)((U)0 - (U)x[i]) : (x[i] < 0 ? (T)0 : x[i]);                        \
  }
UNARY_INT(unary_i64, long, ulong)
UNARY_INT(unary_i32, int, uint)

// op: 0 Neg 1 Exp 2 Log 3 Sqrt 4 Rsqrt 5 Reciprocal 6 Erf 7 Tanh 8 Sigmoid 9 Relu 10 Silu
// 11 Cos 12 Sin 13 Gelu 14 Gelu(tanh).
__kernel void unary_f32(__global const float* x, __global float* y, int n, int op) {
  const int i = get_global_id(0);
  if (i >= n) return;
  const float v = x[i];
  float r;
  switch (op) {
    case 0: r = -v; break;
    case 1: r = exp(v); break;
    case 2: r = log(v); break;
    case 3: r = sqrt(v); break;
    case 4: r = 1.0f / sqrt(v); break;
    case 5: r = 1.0f / v; break;
    case 6: r = erf(v); break;
    case 7: r = tanh(v); break;
    case 8: r = Sigmoid(v); break;
    case 9: r = v < 0.0f ? 0.0f : v; break;
    case 10: r = Activate(v, 4); break;
    case 11: r = cos(v); break;
    case 12: r = sin(v); break;
    case 13: r = Activate(v, 2); break;
    default: r = Activate(v, 3); break;
  }
  y[i] = r;
}

// s0 = cond (bytes), s1 = a, s2 = b; y is dense.
__kernel void where_f32(__global const uchar* cond, __global const float* a,
                        __global const float* b, __global float* y, Geo g) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oc, oa, ob;
  GeoOffsets(&g, i, &oc, &oa, &ob);
  y[i] = cond[oc] != 0 ? a[oa] : b[ob];
}

// silu(gate) * up; s0 = gate, s1 = up.
__kernel void swiglu_f32(__global const float* gate, __global const float* up, __global float* y,
                         Geo g) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int og, ou, unused;
  GeoOffsets(&g, i, &og, &ou, &unused);
  y[i] = Activate(gate[og], 4) * up[ou];
}

// x * cos + rotate_half(x) * sin over the last dim d; s0 = cos, s1 = sin (broadcast).
__kernel void rope_f32(__global const float* x, __global const float* c, __global const float* s,
                       __global float* y, Geo g, int d) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oc, os, unused;
  GeoOffsets(&g, i, &oc, &os, &unused);
  const int j = i % d, hd = d / 2;
  const float rot = j < hd ? -x[i + hd] : x[i - hd];
  y[i] = x[i] * c[oc] + rot * s[os];
}

// Casts between f32 (0), i64 (1), i32 (2), bool (3).
__kernel void cast_any(__global const void* x, __global void* y, int n, int from, int to) {
  const int i = get_global_id(0);
  if (i >= n) return;
  float f = 0.0f;
  long l = 0;
  int is_float = from == 0;
  switch (from) {
    case 0: f = ((__global const float*)x)[i]; break;
    case 1: l = ((__global const long*)x)[i]; break;
    case 2: l = ((__global const int*)x)[i]; break;
    default: l = ((__global const uchar*)x)[i] != 0; break;
  }
  switch (to) {
    case 0: ((__global float*)y)[i] = is_float ? f : (float)l; break;
    case 1: ((__global long*)y)[i] = is_float ? convert_long_sat_rtz(f) : l; break;
    case 2: ((__global int*)y)[i] = (int)(is_float ? convert_long_sat_rtz(f) : l); break;
    default: ((__global uchar*)y)[i] = is_float ? (f != 0.0f || isnan(f)) : (l != 0); break;
  }
}

// op: 0 Equal, 1 Less, 2 Greater over f32 (0), i64 (1), i32 (2) or bool (3); bool out.
__kernel void compare_any(__global const void* a, __global const void* b, __global uchar* y,
                          Geo g, int op, int dtype) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oa, ob, unused;
  GeoOffsets(&g, i, &oa, &ob, &unused);
  int lt, eq, gt;
  if (dtype == 0) {
    const float x = ((__global const float*)a)[oa], z = ((__global const float*)b)[ob];
    lt = x < z;
    eq = x == z;
    gt = x > z;
  } else {
    long x, z;
    if (dtype == 1) {
      x = ((__global const long*)a)[oa];
      z = ((__global const long*)b)[ob];
    } else if (dtype == 2) {
      x = ((__global const int*)a)[oa];
      z = ((__global const int*)b)[ob];
    } else {
      x = ((__global const uchar*)a)[oa] != 0;
      z = ((__global const uchar*)b)[ob] != 0;
    }
    lt = x < z;
    eq = x == z;
    gt = x > z;
  }
  y[i] = op == 0 ? eq : op == 1 ? lt : gt;
}

// op: 0 And, 1 Or, 2 Not (b unused) over bools.
__kernel void logic_bool(__global const uchar* a, __global const uchar* b, __global uchar* y, Geo g,
                         int op) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oa, ob, unused;
  GeoOffsets(&g, i, &oa, &ob, &unused);
  const int x = a[oa] != 0, z = b[ob] != 0;
  y[i] = op == 0 ? (x && z) : op == 1 ? (x || z) : !x;
}
