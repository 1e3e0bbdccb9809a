// Matrix multiplication, per storage type: a register-blocked kernel (CPU-like devices)
// and a tiled one through local memory (GPUs, transposed operands); batched with
// broadcast batch dims, transpose flags, and FusedMatMul's bias and activation. Both
// accumulate in f32 (f16 operands too) and round once on store.
#if ONCE

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

// Register blocking: one work item computes RB_ROWS rows x 16 columns of C.
#define RB_ROWS 8

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
#endif  // ONCE

// A is [M,K] (or [K,M] with ta), B is [K,N] (or [N,K] with tb), C is [batch,M,N].
// bias (if has_bias) is read at bias[(row * N + col) % bias_rows_cols] via strides.
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1))) void TYPED(matmul)(
    __global const real* A, __global const real* B, __global real* C, int M, int N, int K,
    int ta, int tb, Batch bt, __global const real* bias, int has_bias, int bias_sr, int bias_sc,
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
    as[lr][lc] = (row < M && ak < K) ? LD(aoff + (ta ? ak * M + row : row * K + ak), A) : 0.0f;
    bs[lr][lc] = (bk < K && col < N) ? LD(boff + (tb ? col * K + bk : bk * N + col), B) : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TILE; ++k) acc += as[lr][k] * bs[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < M && col < N) {
    if (has_bias) acc += LD(row * bias_sr + col * bias_sc, bias);
    ST(Activate(acc, act), (batch * M + row) * N + col, C);
  }
}

// Columns c..c+15 of B's row k: element j at p[j * stride], `valid` of them.
inline float16 TYPED(LoadCols16)(__global const real* p, int stride, int valid) {
  if (valid >= 16 && stride == 1) return LD16(0, p);
  float v[16];
  for (int j = 0; j < 16; ++j) v[j] = j < valid ? LD(j * stride, p) : 0.0f;
  return vload16(0, v);
}

// The register-blocked kernel: RB_ROWS rows x 16 columns of C per work item in float16
// accumulators, four k steps at a time (A as float4; B rows as float16, or with tb B's
// columns as float4 gathered into float16). The right edge, and the last K % 4 steps,
// take the scalar path. A is [M,K] (ta must be 0); same arguments as the tiled kernel.
__kernel void TYPED(matmul_rb)(__global const real* A, __global const real* B, __global real* C,
                               int M, int N, int K, int ta, int tb, Batch bt,
                               __global const real* bias, int has_bias, int bias_sr, int bias_sc,
                               int act) {
  const int c0 = get_global_id(0) * 16, r0 = get_global_id(1) * RB_ROWS, batch = get_global_id(2);
  if (r0 >= M || c0 >= N) return;
  int aoff, boff;
  BatchOffsets(&bt, batch, &aoff, &boff);
  __global const real* a = A + aoff + r0 * K;
  __global const real* b = B + boff + (tb ? c0 * K : c0);
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
      const float16 b0 = LD16(0, b + k * N), b1 = LD16(0, b + (k + 1) * N),
                    b2 = LD16(0, b + (k + 2) * N), b3 = LD16(0, b + (k + 3) * N);
      for (int i = 0; i < RB_ROWS; ++i) Mad4(&acc[i], LD4(0, a + arow[i] + k), b0, b1, b2, b3);
    }
  } else if (cols == 16) {
    for (; k + 4 <= K; k += 4) {
      float t[4][16];
      for (int j = 0; j < 16; ++j) {
        const float4 v = LD4(0, b + j * K + k);
        t[0][j] = v.s0;
        t[1][j] = v.s1;
        t[2][j] = v.s2;
        t[3][j] = v.s3;
      }
      const float16 b0 = vload16(0, t[0]), b1 = vload16(0, t[1]), b2 = vload16(0, t[2]),
                    b3 = vload16(0, t[3]);
      for (int i = 0; i < RB_ROWS; ++i) Mad4(&acc[i], LD4(0, a + arow[i] + k), b0, b1, b2, b3);
    }
  }
  for (; k < K; ++k) {
    const float16 bk = TYPED(LoadCols16)(b + k * k_stride, col_stride, cols);
    for (int i = 0; i < rows; ++i) acc[i] = mad((float16)(LD(i * K + k, a)), bk, acc[i]);
  }
  const float16 bias16 =
      has_bias ? TYPED(LoadCols16)(bias + c0 * bias_sc, bias_sc, cols) : (float16)(0.0f);
  for (int i = 0; i < rows; ++i) {
    const int row = r0 + i;
    float16 x = acc[i];
    if (has_bias) {
      x += bias_sr == 0 ? bias16
                        : TYPED(LoadCols16)(bias + row * bias_sr + c0 * bias_sc, bias_sc, cols);
    }
    x = Activate16(x, act);
    __global real* c = C + (batch * M + row) * N + c0;
    if (cols == 16) {
      ST16(x, 0, c);
    } else {
      float v[16];
      vstore16(x, 0, v);
      for (int j = 0; j < cols; ++j) ST(v[j], j, c);
    }
  }
}
