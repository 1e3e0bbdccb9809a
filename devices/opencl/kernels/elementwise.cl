// Float elementwise kernels, per storage type: binary with broadcasting, unary, SwiGLU,
// Rope.

// op: 0 Add, 1 Sub, 2 Mul, 3 Div, 4 Pow. Operands by geometry: s0 = a, s1 = b, s2 = y.
__kernel void TYPED(binary)(__global const real* a, __global const real* b, __global real* y,
                            Geo g, int op) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oa, ob, oy;
  GeoOffsets(&g, i, &oa, &ob, &oy);
  const float x = LD(oa, a), z = LD(ob, b);
  float r;
  switch (op) {
    case 0: r = x + z; break;
    case 1: r = x - z; break;
    case 2: r = x * z; break;
    case 3: r = x / z; break;
    default: r = pow(x, z); break;
  }
  ST(r, i, y);
}

// op: 0 Neg 1 Exp 2 Log 3 Sqrt 4 Rsqrt 5 Reciprocal 6 Erf 7 Tanh 8 Sigmoid 9 Relu 10 Silu
// 11 Cos 12 Sin 13 Gelu 14 Gelu(tanh).
__kernel void TYPED(unary)(__global const real* x, __global real* y, int n, int op) {
  const int i = get_global_id(0);
  if (i >= n) return;
  const float v = LD(i, x);
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
  ST(r, i, y);
}

// silu(gate) * up; s0 = gate, s1 = up.
__kernel void TYPED(swiglu)(__global const real* gate, __global const real* up,
                            __global real* y, Geo g) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int og, ou, unused;
  GeoOffsets(&g, i, &og, &ou, &unused);
  ST(Activate(LD(og, gate), 4) * LD(ou, up), i, y);
}

// x * cos + rotate_half(x) * sin over the last dim d; s0 = cos, s1 = sin (broadcast).
__kernel void TYPED(rope)(__global const real* x, __global const real* c,
                          __global const real* s, __global real* y, Geo g, int d) {
  const int i = get_global_id(0);
  if (i >= g.n) return;
  int oc, os, unused;
  GeoOffsets(&g, i, &oc, &os, &unused);
  const int j = i % d, hd = d / 2;
  const float rot = j < hd ? -LD(i + hd, x) : LD(i - hd, x);
  ST(LD(i, x) * LD(oc, c) + rot * LD(os, s), i, y);
}
