// f32 kernels written once over a SIMD traits type `V`: included by each code path's file
// (kernels_*.cc) inside its own namespace, after it defines V, under its target pragma.
// V gives: T, kLanes, Zero, Set, Load, LoadN, Store, StoreN, Add, Sub, Mul, Div, Min, Max,
// Fma (a*b+c), Sqrt, Round (to nearest), MulPow2 (x * 2^n, n whole-valued), Abs, CopySign,
// ReduceSum, ReduceMax. No include guard: it is meant to be included once per path.

// ---- math on vectors (errors near 1e-7, well inside the f32 comparison tolerance) ----

// e^x, Cephes' polynomial; saturates beyond the f32 range, NaN stays NaN.
inline V::T Exp(V::T x) {
  x = V::Max(V::Set(-87.3365f), V::Min(V::Set(88.3762f), x));
  const V::T n = V::Round(V::Mul(x, V::Set(1.44269504088896341f)));
  V::T r = V::Fma(n, V::Set(-0.693359375f), x);
  r = V::Fma(n, V::Set(2.12194440e-4f), r);
  V::T p = V::Set(1.9875691500e-4f);
  p = V::Fma(p, r, V::Set(1.3981999507e-3f));
  p = V::Fma(p, r, V::Set(8.3334519073e-3f));
  p = V::Fma(p, r, V::Set(4.1665795894e-2f));
  p = V::Fma(p, r, V::Set(1.6666665459e-1f));
  p = V::Fma(p, r, V::Set(5.0000001201e-1f));
  p = V::Fma(V::Mul(p, r), r, V::Add(r, V::Set(1.0f)));
  return V::MulPow2(p, n);
}

// erf(x), Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7).
inline V::T Erf(V::T x) {
  const V::T ax = V::Abs(x);
  const V::T t = V::Div(V::Set(1.0f), V::Fma(ax, V::Set(0.3275911f), V::Set(1.0f)));
  V::T p = V::Set(1.061405429f);
  p = V::Fma(p, t, V::Set(-1.453152027f));
  p = V::Fma(p, t, V::Set(1.421413741f));
  p = V::Fma(p, t, V::Set(-0.284496736f));
  p = V::Fma(p, t, V::Set(0.254829592f));
  p = V::Mul(p, t);
  const V::T e = Exp(V::Sub(V::Zero(), V::Mul(ax, ax)));
  return V::CopySign(V::Sub(V::Set(1.0f), V::Mul(p, e)), x);
}

inline V::T Tanh(V::T x) {
  const V::T t = Exp(V::Mul(V::Abs(x), V::Set(-2.0f)));
  return V::CopySign(V::Div(V::Sub(V::Set(1.0f), t), V::Add(V::Set(1.0f), t)), x);
}

inline V::T Silu(V::T x) { return V::Div(x, V::Add(V::Set(1.0f), Exp(V::Sub(V::Zero(), x)))); }

template <Activation kAct>
inline V::T Activate(V::T x) {
  if constexpr (kAct == Activation::kRelu) return V::Max(V::Zero(), x);  // NaN stays NaN
  if constexpr (kAct == Activation::kGelu) {
    const V::T e = Erf(V::Mul(x, V::Set(0.70710678118654752f)));
    return V::Mul(V::Mul(x, V::Set(0.5f)), V::Add(V::Set(1.0f), e));
  }
  if constexpr (kAct == Activation::kGeluTanh) {
    const V::T x3 = V::Mul(V::Mul(x, x), x);
    const V::T inner = V::Mul(V::Fma(x3, V::Set(0.044715f), x), V::Set(0.79788456080286536f));
    return V::Mul(V::Mul(x, V::Set(0.5f)), V::Add(V::Set(1.0f), Tanh(inner)));
  }
  if constexpr (kAct == Activation::kSilu) return Silu(x);
  return x;
}

// ---- row kernels ----

template <Activation kAct>
void ActivationLoop(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) V::Store(y + i, Activate<kAct>(V::Load(x + i)));
  if (i < n) V::StoreN(y + i, Activate<kAct>(V::LoadN(x + i, n - i)), n - i);
}

void ActivationRow(const float* x, float* y, int64_t n, Activation act) {
  switch (act) {
    case Activation::kNone:
      if (x != y) ActivationLoop<Activation::kNone>(x, y, n);
      return;
    case Activation::kRelu: return ActivationLoop<Activation::kRelu>(x, y, n);
    case Activation::kGelu: return ActivationLoop<Activation::kGelu>(x, y, n);
    case Activation::kGeluTanh: return ActivationLoop<Activation::kGeluTanh>(x, y, n);
    case Activation::kSilu: return ActivationLoop<Activation::kSilu>(x, y, n);
  }
}

template <Activation kAct>
void BiasActivationLoop(float* c, int64_t ldc, int64_t rows, int64_t cols, const float* bias) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    int64_t j = 0;
    for (; j + V::kLanes <= cols; j += V::kLanes) {
      V::T v = V::Load(row + j);
      if (bias != nullptr) v = V::Add(v, V::Load(bias + j));
      V::Store(row + j, Activate<kAct>(v));
    }
    if (j < cols) {
      V::T v = V::LoadN(row + j, cols - j);
      if (bias != nullptr) v = V::Add(v, V::LoadN(bias + j, cols - j));
      V::StoreN(row + j, Activate<kAct>(v), cols - j);
    }
  }
}

void BiasActivation(float* c, int64_t ldc, int64_t rows, int64_t cols, const float* bias,
                    Activation act) {
  switch (act) {
    case Activation::kNone:
      if (bias != nullptr) BiasActivationLoop<Activation::kNone>(c, ldc, rows, cols, bias);
      return;
    case Activation::kRelu: return BiasActivationLoop<Activation::kRelu>(c, ldc, rows, cols, bias);
    case Activation::kGelu: return BiasActivationLoop<Activation::kGelu>(c, ldc, rows, cols, bias);
    case Activation::kGeluTanh:
      return BiasActivationLoop<Activation::kGeluTanh>(c, ldc, rows, cols, bias);
    case Activation::kSilu: return BiasActivationLoop<Activation::kSilu>(c, ldc, rows, cols, bias);
  }
}

void SwigluRow(const float* gate, const float* up, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    V::Store(y + i, V::Mul(Silu(V::Load(gate + i)), V::Load(up + i)));
  }
  if (i < n) {
    const V::T g = V::LoadN(gate + i, n - i);
    V::StoreN(y + i, V::Mul(Silu(g), V::LoadN(up + i, n - i)), n - i);
  }
}

// Rotary embedding of one row of n (even) elements: y[c] = x[c] * cosines[c] + rot[c] *
// sines[c], rot the row's halves swapped with the first negated. Both halves of a step are
// loaded before either is stored, so y may alias x.
void RopeRow(const float* x, const float* cosines, const float* sines, float* y, int64_t n) {
  const int64_t half = n / 2;
  const auto step = [&](int64_t i, int64_t k) {
    const bool whole = k == V::kLanes;
    const V::T lo = whole ? V::Load(x + i) : V::LoadN(x + i, k);
    const V::T hi = whole ? V::Load(x + half + i) : V::LoadN(x + half + i, k);
    const V::T c_lo = whole ? V::Load(cosines + i) : V::LoadN(cosines + i, k);
    const V::T s_lo = whole ? V::Load(sines + i) : V::LoadN(sines + i, k);
    const V::T c_hi = whole ? V::Load(cosines + half + i) : V::LoadN(cosines + half + i, k);
    const V::T s_hi = whole ? V::Load(sines + half + i) : V::LoadN(sines + half + i, k);
    const V::T y_lo = V::Fma(lo, c_lo, V::Mul(V::Sub(V::Zero(), hi), s_lo));
    const V::T y_hi = V::Fma(hi, c_hi, V::Mul(lo, s_hi));
    if (whole) {
      V::Store(y + i, y_lo);
      V::Store(y + half + i, y_hi);
    } else {
      V::StoreN(y + i, y_lo, k);
      V::StoreN(y + half + i, y_hi, k);
    }
  };
  int64_t i = 0;
  for (; i + V::kLanes <= half; i += V::kLanes) step(i, V::kLanes);
  if (i < half) step(i, half - i);
}

// Sum over a row with two accumulators (latency hiding) of (x - shift), or its square.
template <bool kSquare>
float RowSum(const float* x, int64_t n, float shift) {
  const V::T s = V::Set(shift);
  V::T acc0 = V::Zero();
  V::T acc1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * V::kLanes <= n; i += 2 * V::kLanes) {
    const V::T a = V::Sub(V::Load(x + i), s);
    const V::T b = V::Sub(V::Load(x + i + V::kLanes), s);
    acc0 = kSquare ? V::Fma(a, a, acc0) : V::Add(acc0, a);
    acc1 = kSquare ? V::Fma(b, b, acc1) : V::Add(acc1, b);
  }
  for (; i + V::kLanes <= n; i += V::kLanes) {
    const V::T a = V::Sub(V::Load(x + i), s);
    acc0 = kSquare ? V::Fma(a, a, acc0) : V::Add(acc0, a);
  }
  float total = V::ReduceSum(V::Add(acc0, acc1));
  for (; i < n; ++i) {
    const float d = x[i] - shift;
    total += kSquare ? d * d : d;
  }
  return total;
}

// y = (x - shift) * mul * scale (+ bias).
void NormalizeRow(const float* x, float* y, int64_t n, float shift, float mul, const float* scale,
                  const float* bias) {
  const V::T s = V::Set(shift);
  const V::T m = V::Set(mul);
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    V::T v = V::Mul(V::Mul(V::Sub(V::Load(x + i), s), m), V::Load(scale + i));
    if (bias != nullptr) v = V::Add(v, V::Load(bias + i));
    V::Store(y + i, v);
  }
  if (i < n) {
    const int64_t k = n - i;
    V::T v = V::Mul(V::Mul(V::Sub(V::LoadN(x + i, k), s), m), V::LoadN(scale + i, k));
    if (bias != nullptr) v = V::Add(v, V::LoadN(bias + i, k));
    V::StoreN(y + i, v, k);
  }
}

void LayerNormRow(const float* x, float* y, int64_t n, const float* scale, const float* bias,
                  float eps) {
  const float mean = RowSum<false>(x, n, 0.0f) / static_cast<float>(n);
  const float var = RowSum<true>(x, n, mean) / static_cast<float>(n);
  NormalizeRow(x, y, n, mean, 1.0f / std::sqrt(var + eps), scale, bias);
}

void RmsNormRow(const float* x, float* y, int64_t n, const float* scale, float eps) {
  const float ms = RowSum<true>(x, n, 0.0f) / static_cast<float>(n);
  NormalizeRow(x, y, n, 0.0f, 1.0f / std::sqrt(ms + eps), scale, nullptr);
}

float ExpSum(const float* x, float shift, float* y, int64_t n) {
  const V::T m = V::Set(shift);
  V::T acc = V::Zero();
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    const V::T e = Exp(V::Sub(V::Load(x + i), m));
    acc = V::Add(acc, e);
    V::Store(y + i, e);
  }
  float sum = V::ReduceSum(acc);
  if (i < n) {
    V::StoreN(y + i, Exp(V::Sub(V::LoadN(x + i, n - i), m)), n - i);
    for (; i < n; ++i) sum += y[i];
  }
  return sum;
}

bool SoftmaxRow(const float* x, float* y, int64_t n) {
  V::T vmax = V::Set(-std::numeric_limits<float>::infinity());
  V::T vsum = V::Zero();
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    const V::T v = V::Load(x + i);
    vmax = V::Max(vmax, v);
    vsum = V::Add(vsum, v);
  }
  float mx = V::ReduceMax(vmax);
  float total = V::ReduceSum(vsum);
  for (int64_t t = i; t < n; ++t) {
    mx = x[t] > mx ? x[t] : mx;
    total += x[t];
  }
  // NaN or infinities anywhere (or a sum past the f32 range): the caller's exact path.
  if (!std::isfinite(mx) || !std::isfinite(total)) return false;
  const float sum = ExpSum(x, mx, y, n);
  const V::T inv = V::Set(1.0f / sum);
  for (i = 0; i + V::kLanes <= n; i += V::kLanes) V::Store(y + i, V::Mul(V::Load(y + i), inv));
  if (i < n) V::StoreN(y + i, V::Mul(V::LoadN(y + i, n - i), inv), n - i);
  return true;
}

// Largest element of a row (-inf for an empty one); NaN is skipped.
float RowMax(const float* x, int64_t n) {
  V::T acc0 = V::Set(-std::numeric_limits<float>::infinity());
  V::T acc1 = acc0;
  int64_t i = 0;
  for (; i + 2 * V::kLanes <= n; i += 2 * V::kLanes) {
    acc0 = V::Max(acc0, V::Load(x + i));
    acc1 = V::Max(acc1, V::Load(x + i + V::kLanes));
  }
  float mx = V::ReduceMax(V::Max(acc0, acc1));
  for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  return mx;
}

// y = x * scale (+ add where add is not NULL); returns the largest y (NaN skipped as in
// RowMax). y may alias x.
float ScaleAddMax(const float* x, float scale, const float* add, float* y, int64_t n) {
  const V::T s = V::Set(scale);
  V::T acc = V::Set(-std::numeric_limits<float>::infinity());
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    V::T v = V::Mul(V::Load(x + i), s);
    if (add != nullptr) v = V::Add(v, V::Load(add + i));
    V::Store(y + i, v);
    acc = V::Max(acc, v);
  }
  float mx = V::ReduceMax(acc);
  for (; i < n; ++i) {
    const float v = add != nullptr ? x[i] * scale + add[i] : x[i] * scale;
    y[i] = v;
    mx = v > mx ? v : mx;
  }
  return mx;
}

float Dot(const float* a, const float* b, int64_t n) {
  V::T acc0 = V::Zero();
  V::T acc1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * V::kLanes <= n; i += 2 * V::kLanes) {
    acc0 = V::Fma(V::Load(a + i), V::Load(b + i), acc0);
    acc1 = V::Fma(V::Load(a + i + V::kLanes), V::Load(b + i + V::kLanes), acc1);
  }
  for (; i + V::kLanes <= n; i += V::kLanes) acc0 = V::Fma(V::Load(a + i), V::Load(b + i), acc0);
  if (i < n) acc1 = V::Fma(V::LoadN(a + i, n - i), V::LoadN(b + i, n - i), acc1);
  return V::ReduceSum(V::Add(acc0, acc1));
}

void Axpy(float alpha, const float* x, float* y, int64_t n) {
  const V::T a = V::Set(alpha);
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    V::Store(y + i, V::Fma(a, V::Load(x + i), V::Load(y + i)));
  }
  if (i < n) V::StoreN(y + i, V::Fma(a, V::LoadN(x + i, n - i), V::LoadN(y + i, n - i)), n - i);
}

void Scale(const float* x, float alpha, float* y, int64_t n) {
  const V::T a = V::Set(alpha);
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) V::Store(y + i, V::Mul(a, V::Load(x + i)));
  if (i < n) V::StoreN(y + i, V::Mul(a, V::LoadN(x + i, n - i)), n - i);
}

template <bool kMul>
void BinaryRow(const float* a, const float* b, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + V::kLanes <= n; i += V::kLanes) {
    const V::T va = V::Load(a + i);
    const V::T vb = V::Load(b + i);
    V::Store(y + i, kMul ? V::Mul(va, vb) : V::Add(va, vb));
  }
  if (i < n) {
    const V::T va = V::LoadN(a + i, n - i);
    const V::T vb = V::LoadN(b + i, n - i);
    V::StoreN(y + i, kMul ? V::Mul(va, vb) : V::Add(va, vb), n - i);
  }
}

void AddRow(const float* a, const float* b, float* y, int64_t n) { BinaryRow<false>(a, b, y, n); }
void MulRow(const float* a, const float* b, float* y, int64_t n) { BinaryRow<true>(a, b, y, n); }

// ---- GEMM: kMr rows x (kNv * kLanes) columns of a tile, columns starting at b; the
// packed rows are kStride apart (the path's tile height) ----

template <int kMr, int kNv, int kStride>
inline void GemmBlock(const float* a, const float* b, int64_t kc, float* c, int64_t ldc,
                      int64_t rows, int64_t cols, bool accumulate) {
  V::T sum[kMr][kNv];
#pragma GCC unroll 16
  for (int r = 0; r < kMr; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) sum[r][v] = V::Zero();
  }
  for (int64_t k = 0; k < kc; ++k) {
    V::T bv[kNv];
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) bv[v] = V::Load(b + k * kGemmNr + v * V::kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < kMr; ++r) {
      const V::T av = V::Set(a[k * kStride + r]);
#pragma GCC unroll 4
      for (int v = 0; v < kNv; ++v) sum[r][v] = V::Fma(av, bv[v], sum[r][v]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < kMr; ++r) {
    if (r >= rows) break;
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) {
      const int64_t col = v * V::kLanes;
      if (col >= cols) break;
      float* out = c + r * ldc + col;
      const int64_t n = cols - col;
      if (n >= V::kLanes) {
        V::Store(out, accumulate ? V::Add(sum[r][v], V::Load(out)) : sum[r][v]);
      } else {
        V::StoreN(out, accumulate ? V::Add(sum[r][v], V::LoadN(out, n)) : sum[r][v], n);
      }
    }
  }
}
