// Storage-independent kernels, compiled once: integer arithmetic (Add Sub Mul Div Pow Neg
// Relu) and reductions, Cast, comparisons and logic (f16 operands read and written
// through vload_half / vstore_half_rte).
#if ONCE

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

// Integer Pow by squaring, wrapping like repeated multiplication. A negative exponent
// gives 1 / base^n truncated toward zero; with a zero base it sets bad[0] and bad[1] =
// the element (reported as an error).
#define POW_INT(NAME, T, U)                                                                \
  __kernel void NAME(__global const T* a, __global const T* b, __global T* y, Geo g,        \
                     __global int* bad) {                                                  \
    const int i = get_global_id(0);                                                        \
    if (i >= g.n) return;                                                                  \
    int oa, ob, oy;                                                                        \
    GeoOffsets(&g, i, &oa, &ob, &oy);                                                      \
    const T x = a[oa], e = b[ob];                                                          \
    if (e < 0) {                                                                           \
      if (x == 0) {                                                                        \
        bad[0] = 1;                                                                        \
        bad[1] = i;                                                                        \
      }                                                                                    \
      y[i] = x == 1 ? 1 : x == -1 ? ((e & 1) ? -1 : 1) : 0;                                \
      return;                                                                              \
    }                                                                                      \
    U r = 1, base = (U)x;                                                                  \
    for (U k = (U)e; k != 0; k >>= 1) {                                                    \
      if (k & 1) r *= base;                                                                \
      base *= base;                                                                        \
    }                                                                                      \
    y[i] = (T)r;                                                                           \
  }
POW_INT(pow_i64, long, ulong)
POW_INT(pow_i32, int, uint)

// Integer ReduceSum (op 0, wrapping like the dtype), ReduceMean (1, the 64-bit sum
// divided truncating toward zero; the host refuses an empty reduction) and ReduceMax (2),
// walked as reduce_f32 walks them.
#define REDUCE_INT(NAME, T, MIN)                                                           \
  __kernel void NAME(__global const T* x, __global T* y, Geo kept, Geo red, int op) {      \
    const int r = get_global_id(0);                                                        \
    if (r >= kept.n) return;                                                               \
    int base, unused1, unused2;                                                            \
    GeoOffsets(&kept, r, &base, &unused1, &unused2);                                       \
    ulong sum = 0;                                                                         \
    T best = MIN;                                                                          \
    for (int j = 0; j < red.n; ++j) {                                                      \
      int off;                                                                             \
      GeoOffsets(&red, j, &off, &unused1, &unused2);                                       \
      const T v = x[base + off];                                                           \
      sum += (ulong)(long)v;                                                               \
      best = max(best, v);                                                                 \
    }                                                                                      \
    y[r] = op == 2 ? best : op == 1 ? (T)((long)sum / red.n) : (T)sum;                     \
  }
REDUCE_INT(reduce_i64, long, LONG_MIN)
REDUCE_INT(reduce_i32, int, INT_MIN)

// Integer Neg (0, wrapping) and Relu (9).
#define UNARY_INT(NAME, T, U)                                                              \
  __kernel void NAME(__global const T* x, __global T* y, int n, int op) {                  \
    const int i = get_global_id(0);                                                        \
    if (i >= n) return;                                                                    \
    y[i] = op == 0 ? (T)((U)0 - (U)x[i]) : (x[i] < 0 ? (T)0 : x[i]);                        \
  }
UNARY_INT(unary_i64, long, ulong)
UNARY_INT(unary_i32, int, uint)

// A float element of dtype code 0 (f32) or 4 (f16), as float.
inline float LoadFloat(__global const void* p, int i, int dtype) {
  return dtype == 4 ? vload_half(i, (__global const half*)p) : ((__global const float*)p)[i];
}

// Casts between f32 (0), i64 (1), i32 (2), bool (3) and f16 (4).
__kernel void cast_any(__global const void* x, __global void* y, int n, int from, int to) {
  const int i = get_global_id(0);
  if (i >= n) return;
  float f = 0.0f;
  long l = 0;
  const int is_float = from == 0 || from == 4;
  switch (from) {
    case 0:
    case 4: f = LoadFloat(x, i, from); break;
    case 1: l = ((__global const long*)x)[i]; break;
    case 2: l = ((__global const int*)x)[i]; break;
    default: l = ((__global const uchar*)x)[i] != 0; break;
  }
  switch (to) {
    case 0: ((__global float*)y)[i] = is_float ? f : (float)l; break;
    case 1: ((__global long*)y)[i] = is_float ? convert_long_sat_rtz(f) : l; break;
    case 2: ((__global int*)y)[i] = (int)(is_float ? convert_long_sat_rtz(f) : l); break;
    // Integers of f16 range are exact in float, so one rounding to f16.
    case 4: vstore_half_rte(is_float ? f : (float)l, i, (__global half*)y); break;
    default: ((__global uchar*)y)[i] = is_float ? (f != 0.0f || isnan(f)) : (l != 0); break;
  }
}

// op: 0 Equal, 1 Less, 2 Greater over f32 (0), i64 (1), i32 (2), bool (3) or f16 (4);
// bool out.
__kernel void compare_any(__global const void* a, __global const void* b, __global uchar* y,
                          Geo g, int op, int dtype) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oa, ob, unused;
  GeoOffsets(&g, i, &oa, &ob, &unused);
  int lt, eq, gt;
  if (dtype == 0 || dtype == 4) {
    const float x = LoadFloat(a, oa, dtype), z = LoadFloat(b, ob, dtype);
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

#endif  // ONCE
