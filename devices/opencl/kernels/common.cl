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

// Storage of float tensors. Every file after this one is compiled once per storage type:
// STORAGE is f32 in the first pass and f16 in the second (built only for graphs with f16
// tensors), and ONCE is 1 in the first pass only: what does not depend on the storage
// type sits inside `#if ONCE`. An f16 tensor is IEEE half in memory, read into float by
// vload_half and written back rounded to nearest even by vstore_half_rte (OpenCL 1.2
// core, so every device, with or without cl_khr_fp16); all arithmetic is f32.
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
// `real` is the element type of a float tensor pointer; TYPED(binary) names binary_f32
// or binary_f16.
#define real CAT(real_, STORAGE)
#define TYPED(name) CAT(name, CAT(_, STORAGE))
// LD(i, p): element i of p as float; ST(v, i, p) stores float v; 4 and 16 lanes as the
// vload/vstore builtins (offset in vectors).
#define LD(i, p) CAT(LD_, STORAGE)(i, p)
#define ST(v, i, p) CAT(ST_, STORAGE)(v, i, p)
#define LD4(i, p) CAT(LD4_, STORAGE)(i, p)
#define ST4(v, i, p) CAT(ST4_, STORAGE)(v, i, p)
#define LD16(i, p) CAT(LD16_, STORAGE)(i, p)
#define ST16(v, i, p) CAT(ST16_, STORAGE)(v, i, p)
#define real_f32 float
#define LD_f32(i, p) ((p)[i])
#define ST_f32(v, i, p) ((p)[i] = (v))
#define LD4_f32(i, p) vload4(i, p)
#define ST4_f32(v, i, p) vstore4(v, i, p)
#define LD16_f32(i, p) vload16(i, p)
#define ST16_f32(v, i, p) vstore16(v, i, p)
#define real_f16 half
#define LD_f16(i, p) vload_half(i, p)
#define ST_f16(v, i, p) vstore_half_rte(v, i, p)
#define LD4_f16(i, p) vload_half4(i, p)
#define ST4_f16(v, i, p) vstore_half4_rte(v, i, p)
#define LD16_f16(i, p) vload_half16(i, p)
#define ST16_f16(v, i, p) vstore_half16_rte(v, i, p)

// Lets tests check how a failed build is reported (compile option cl_options=-D...).
#ifdef HETERO_TEST_BROKEN_BUILD
#error "hetero test: this build is meant to fail"
#endif
