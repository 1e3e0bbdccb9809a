// Data movement: a strided copy by element size (Transpose, Concat, Split, Slice, Expand)
// and Gather with an out-of-range flag.

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
