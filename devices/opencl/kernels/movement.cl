// Data movement by element size, so any dtype, compiled once: a strided copy (Transpose,
// Concat, Split, Slice, Expand), Where, Gather with an out-of-range flag, Trilu.
#if ONCE

// Element i of the region: dst[off1 + sum(idx*s1)] = src[off0 + sum(idx*s0)].
#define STRIDED_COPY(NAME, T)                                                  \
  __kernel void NAME(__global const T* src, __global T* dst, Geo g) {          \
    const int i = get_global_id(0);                                            \
    if (i >= g.n) return;                                                      \
    int os, od, unused;                                                        \
    GeoOffsets(&g, i, &os, &od, &unused);                                      \
    dst[od] = src[os];                                                         \
  }
STRIDED_COPY(copy_1, uchar)
STRIDED_COPY(copy_2, ushort)
STRIDED_COPY(copy_4, uint)
STRIDED_COPY(copy_8, ulong)

// Where: s0 = cond (bytes), s1 = a, s2 = b; y is dense.
#define WHERE(NAME, T)                                                                   \
  __kernel void NAME(__global const uchar* cond, __global const T* a, __global const T* b, \
                     __global T* y, Geo g) {                                             \
    const int i = get_global_id(0);                                                     \
    if (i >= g.n) return;                                                                \
    int oc, oa, ob;                                                                      \
    GeoOffsets(&g, i, &oc, &oa, &ob);                                                    \
    y[i] = cond[oc] != 0 ? a[oa] : b[ob];                                                \
  }
WHERE(where_1, uchar)
WHERE(where_2, ushort)
WHERE(where_4, uint)
WHERE(where_8, ulong)

// y[outer, q, inner] = data[outer, idx[q], inner]; a bad index sets bad[0] = 1 and
// bad[1] to the index.
#define GATHER(NAME, T, I)                                                                  \
  __kernel void NAME(__global const T* data, __global const I* idx, __global T* y,          \
                     __global int* bad, int n, int nidx, int dim, int inner) {               \
    const int i = get_global_id(0);                                                         \
    if (i >= n) return;                                                                     \
    const int in = i % inner, q = (i / inner) % nidx, outer = i / inner / nidx;             \
    const long given = idx[q];                                                              \
    long k = given < 0 ? given + dim : given;                                               \
    if (k < 0 || k >= dim) {                                                                \
      bad[0] = 1;                                                                           \
      bad[1] = (int)given;                                                                  \
      y[i] = 0;                                                                             \
      return;                                                                               \
    }                                                                                       \
    y[i] = data[((long)outer * dim + k) * inner + in];                                      \
  }
GATHER(gather_1_i64, uchar, long)
GATHER(gather_1_i32, uchar, int)
GATHER(gather_2_i64, ushort, long)
GATHER(gather_2_i32, ushort, int)
GATHER(gather_4_i64, uint, long)
GATHER(gather_4_i32, uint, int)
GATHER(gather_8_i64, ulong, long)
GATHER(gather_8_i32, ulong, int)

// Trilu over the last two dims (rows x cols): keeps j - i >= k (upper) or <= k (lower).
#define TRILU(NAME, T)                                                                   \
  __kernel void NAME(__global const T* x, __global T* y, int n, int rows, int cols,      \
                     long k, int upper) {                                                \
    const int i = get_global_id(0);                                                      \
    if (i >= n) return;                                                                  \
    const long d = (long)(i % cols) - (long)((i / cols) % rows);                          \
    y[i] = (upper ? d >= k : d <= k) ? x[i] : (T)0;                                      \
  }
TRILU(trilu_1, uchar)
TRILU(trilu_2, ushort)
TRILU(trilu_4, uint)
TRILU(trilu_8, ulong)

#endif  // ONCE
