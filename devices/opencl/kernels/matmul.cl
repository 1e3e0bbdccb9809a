// Matrix multiplication: a register-blocked kernel (CPU-like devices) and a tiled one
// through local memory (GPUs, transposed operands); batched with broadcast batch dims,
// transpose flags, and FusedMatMul's bias and activation.

// Batch geometry: the output's batch dims and each operand's element stride per dim
// (0 where it broadcasts).
typedef struct {
  int rank;
  int dims[6];
  int sa[6];
  int sb[6];
} Batch;

inline void BatchOffsets(const Batch* bt, int batch, int* aoff, int* boff) {
  int a = 0, b = 0;
  for (int d = bt->rank - 1; d >= 0; --d) {
    const int idx = batch % bt->dims[d];
    batch /= bt->dims[d];
    a += idx * bt->sa[d];
    b += idx * bt->sb[d];
  }
  *aoff = a;
  *boff = b;
}

// A is [M,K] (or [K,M] with ta), B is [K,N] (or [N,K] with tb), C is [batch,M,N].
// bias (if has_bias) is read at bias[(row * N + col) % bias_rows_cols] via strides.
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1))) void matmul_f32(
    __global const float* A, __global const float* B, __global float* C, int M, int N, int K,
    int ta, int tb, Batch bt, __global const float* bias, int has_bias, int bias_sr, int bias_sc,
    int act) {
  __local float as[TILE][TILE];
  __local float bs[TILE][TILE + 1];
  const int col = get_global_id(0), row = get_global_id(1), batch = get_global_id(2);
  const int lc = get_local_id(0), lr = get_local_id(1);
  int aoff, boff;
  BatchOffsets(&bt, batch, &aoff, &boff);
  float acc = 0.0f;
  for (int t = 0; t < K; t += TILE) {
    const int ak = t + lc, bk = t + lr;
    as[lr][lc] = (row < M && ak < K) ? A[aoff + (ta ? ak * M + row : row * K + ak)] : 0.0f;
    bs[lr][lc] = (bk < K && col < N) ? B[boff + (tb ? col * K + bk : bk * N + col)] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TILE; ++k) acc += as[lr][k] * bs[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < M && col < N) {
    if (has_bias) acc += bias[row * bias_sr + col * bias_sc];
    C[(batch * M + row) * N + col] = Activate(acc, act);
  }
}

// Register blocking: one work item computes RB_ROWS rows x 16 columns of C in float16
// accumulators, four k steps at a time (A as float4; B rows as float16, or with tb B's
// columns as float4 gathered into float16). The right edge, and the last K % 4 steps,
// take the scalar path. A is [M,K] (ta must be 0); same arguments as matmul_f32.
#define RB_ROWS 8
// Columns c..c+15 of B's row k: element j at p[j * stride], `valid` of them.
inline float16 LoadCols16(__global const float* p, int stride, int valid) {
  if (valid >= 16 && stride == 1) return vload16(0, p);
  float v[16];
  for (int j = 0; j < 16; ++j) v[j] = j < valid ? p[j * stride] : 0.0f;
  return vload16(0, v);
}

inline void Mad4(float16* acc, float4 a, float16 b0, float16 b1, float16 b2, float16 b3) {
  *acc = mad((float16)(a.s0), b0, *acc);
  *acc = mad((float16)(a.s1), b1, *acc);
  *acc = mad((float16)(a.s2), b2, *acc);
  *acc = mad((float16)(a.s3), b3, *acc);
}

// Activate on 16 lanes at once: the vector erf/exp/tanh are far cheaper per element on
// CPU drivers than 16 scalar calls.
inline float16 Activate16(float16 x, int act) {
  switch (act) {
    case 1: return select(x, (float16)(0.0f), x < 0.0f);
    case 2: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    case 3: return 0.5f * x * (1.0f + tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case 4: return x / (1.0f + exp(-x));
    default: return x;
  }
}

__kernel void matmul_rb_f32(__global const float* A, __global const float* B, __global float* C,
                            int M, int N, int K, int ta, int tb, Batch bt,
                            __global const float* bias, int has_bias, int bias_sr, int bias_sc,
                            int act) {
  const int c0 = get_global_id(0) * 16, r0 = get_global_id(1) * RB_ROWS, batch = get_global_id(2);
  if (r0 >= M || c0 >= N) return;
  int aoff, boff;
  BatchOffsets(&bt, batch, &aoff, &boff);
  __global const float* a = A + aoff + r0 * K;
  __global const float* b = B + boff + (tb ? c0 * K : c0);
  const int col_stride = tb ? K : 1, k_stride = tb ? 1 : N;
  const int rows = min(RB_ROWS, M - r0), cols = min(16, N - c0);
  float16 acc[RB_ROWS];
  for (int i = 0; i < RB_ROWS; ++i) acc[i] = (float16)(0.0f);
  // Rows past M repeat the last row: computed, never stored, so the loop stays fixed.
  int arow[RB_ROWS];
  for (int i = 0; i < RB_ROWS; ++i) arow[i] = min(i, rows - 1) * K;
  int k = 0;
  if (cols == 16 && !tb) {
    for (; k + 4 <= K; k += 4) {
      const float16 b0 = vload16(0, b + k * N), b1 = vload16(0, b + (k + 1) * N),
                    b2 = vload16(0, b + (k + 2) * N), b3 = vload16(0, b + (k + 3) * N);
      for (int i = 0; i < RB_ROWS; ++i) Mad4(&acc[i], vload4(0, a + arow[i] + k), b0, b1, b2, b3);
    }
  } else if (cols == 16) {
    for (; k + 4 <= K; k += 4) {
      float t[4][16];
      for (int j = 0; j < 16; ++j) {
        const float4 v = vload4(0, b + j * K + k);
        t[0][j] = v.s0;
        t[1][j] = v.s1;
        t[2][j] = v.s2;
        t[3][j] = v.s3;
      }
      const float16 b0 = vload16(0, t[0]), b1 = vload16(0, t[1]), b2 = vload16(0, t[2]),
                    b3 = vload16(0, t[3]);
      for (int i = 0; i < RB_ROWS; ++i) Mad4(&acc[i], vload4(0, a + arow[i] + k), b0, b1, b2, b3);
    }
  }
  for (; k < K; ++k) {
    const float16 bk = LoadCols16(b + k * k_stride, col_stride, cols);
    for (int i = 0; i < rows; ++i) acc[i] = mad((float16)(a[i * K + k]), bk, acc[i]);
  }
  const float16 bias16 =
      has_bias ? LoadCols16(bias + c0 * bias_sc, bias_sc, cols) : (float16)(0.0f);
  for (int i = 0; i < rows; ++i) {
    const int row = r0 + i;
    float16 x = acc[i];
    if (has_bias) {
      x += bias_sr == 0 ? bias16
                        : LoadCols16(bias + row * bias_sr + c0 * bias_sc, bias_sc, cols);
    }
    x = Activate16(x, act);
    __global float* c = C + (batch * M + row) * N + c0;
    if (cols == 16) {
      vstore16(x, 0, c);
    } else {
      float v[16];
      vstore16(x, 0, v);
      for (int j = 0; j < cols; ++j) c[j] = v[j];
    }
  }
}
