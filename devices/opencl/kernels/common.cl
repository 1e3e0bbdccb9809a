// Shared definitions of the OpenCL kernels: index geometry and activations (OpenCL C 1.2).
#ifndef TILE
#define TILE 16
#endif

// Sums accumulate in double where the device has it, as the reference kernels do.
#if defined(cl_khr_fp64)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

// Up to three operands over one iteration space of `rank` dims (row-major, n elements):
// operand k of element i sits at off[k] + sum(index_d * s_k[d]).
typedef struct {
  int rank;
  int n;
  int dims[8];
  int s0[8];
  int s1[8];
  int s2[8];
  int off0;
  int off1;
  int off2;
  int pad;
} Geo;

inline void GeoOffsets(const Geo* g, int i, int* o0, int* o1, int* o2) {
  int a = g->off0, b = g->off1, c = g->off2;
  for (int d = g->rank - 1; d >= 0; --d) {
    const int idx = i % g->dims[d];
    i /= g->dims[d];
    a += idx * g->s0[d];
    b += idx * g->s1[d];
    c += idx * g->s2[d];
  }
  *o0 = a;
  *o1 = b;
  *o2 = c;
}

inline float Sigmoid(float x) { return 1.0f / (1.0f + exp(-x)); }

// 0 none, 1 relu, 2 gelu (erf), 3 gelu (tanh), 4 silu.
inline float Activate(float x, int act) {
  switch (act) {
    case 1: return x < 0.0f ? 0.0f : x;
    case 2: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    case 3: return 0.5f * x * (1.0f + tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case 4: return x * Sigmoid(x);
    default: return x;
  }
}

// Lets tests check how a failed build is reported (compile option cl_options=-D...).
#ifdef HETERO_TEST_BROKEN_BUILD
#error "hetero test: this build is meant to fail"
#endif
