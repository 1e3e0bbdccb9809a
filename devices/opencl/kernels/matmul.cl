// Tiled matrix multiplication through local memory: batched with broadcast batch dims,
// transpose flags, and FusedMatMul's bias and activation.

// Batch geometry: the output's batch dims and each operand's element stride per dim
// (0 where it broadcasts).
typedef struct {
  int rank;
  int dims[6];
  int sa[6];
  int sb[6];
} Batch;

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
  int aoff = 0, boff = 0, rest = batch;
  for (int d = bt.rank - 1; d >= 0; --d) {
    const int idx = rest % bt.dims[d];
    rest /= bt.dims[d];
    aoff += idx * bt.sa[d];
    boff += idx * bt.sb[d];
  }
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
