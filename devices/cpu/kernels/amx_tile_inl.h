// The AMX GEMM tiles (bf16 and int8) and the bf16 left-operand packing, written once over
// a tile-operations type `Ops`: included by kernels_amx.cc (Ops on the AMX instructions)
// and by amx_tile_test.cc (Ops on an emulation of them), inside their own namespace,
// under a target pragma with AVX-512 BF16, after gemm.h and int8_gemm.h. No include
// guard: it is meant to be included once per user.
//
// Ops gives, on the eight tile registers configured as by kTileConfig (16 rows of 64
// bytes each): Configure(); ZeroC() (the four accumulators); LoadA(half, p, stride) and
// LoadB(half, p, stride) (one of the two left / right operand tiles, rows `stride` bytes
// apart); Dot(a, b) (accumulator 2a + b += left tile a times right tile b, as tdpbf16ps:
// bf16 pairs, f32 sums); DotU8S8(a, b) (the same as tdpbusd: u8 x s8 quads, int32 sums);
// StoreC(a, b, p, stride).

// Rows of a packed left tile: two AMX tiles of 16 rows.
constexpr int kAmxMr = 32;
// Slots (bf16 pairs) per tile step: one tile row of 64 bytes.
constexpr int kAmxKStep = 16;

// Palette 1, all eight tiles 16 rows of 64 bytes (tmm0-3 accumulators [16 x 16 f32],
// tmm4-5 left operand [16 rows x 16 pairs], tmm6-7 right operand [16 pairs x 16 columns]).
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};
static_assert(sizeof(TileConfig) == 64);
inline constexpr TileConfig kTileConfig{};

inline __mmask16 AmxFloatsMask(int64_t n) {
  if (n <= 0) return 0;
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

// Packs `rows` (1..32) rows of a (inner floats each, lda apart) for GemmTileAmx: for each
// step of 16 slots, 32 rows of 16 bf16 pairs, 64 bytes per row (slot kk of row r at
// dst[(kk / 16) * 512 + r * 16 + kk % 16]); zero rows past `rows`, zero pairs past the
// inner dim. ceil(inner / 2) must be a multiple of 16.
inline void PackLeftAmx(const float* a, int64_t lda, int64_t rows, int64_t inner, float* dst) {
  const int64_t k = (inner + 1) / 2;
  for (int64_t k0 = 0; k0 < k; k0 += kAmxKStep) {
    float* step = dst + k0 * kAmxMr;
    const int64_t col = 2 * k0;
    const __mmask16 lo = AmxFloatsMask(inner - col);
    const __mmask16 hi = AmxFloatsMask(inner - col - 16);
    for (int64_t r = 0; r < kAmxMr; ++r) {
      __m512 pairs = _mm512_setzero_ps();
      if (r < rows) {
        const float* src = a + r * lda + col;
        pairs = reinterpret_cast<__m512>(_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, src + 16),
                                                             _mm512_maskz_loadu_ps(lo, src)));
      }
      _mm512_storeu_ps(step + r * kAmxKStep, pairs);
    }
  }
}

// The block product both tiles share: a (packed in steps of 16 slots, 32 rows of 64
// bytes each) times b (a panel, 128 bytes per slot row) over `slots` (a multiple of 16),
// each step's four products by kDot (Ops::Dot for bf16 pairs, Ops::DotU8S8 for u8 x s8
// quads); the 32 x 32 result (4-byte elements, f32 or int32) into `block`, 128 bytes a
// row. With `both_halves` false only the first 16 rows are computed and stored.
template <void (*kDot)(int, int)>
inline void BlockProduct(const void* a_packed, const void* b_panel, int64_t slots, bool both_halves,
                         void* block) {
  Ops::Configure();
  Ops::ZeroC();
  const auto* a = static_cast<const char*>(a_packed);
  const auto* b = static_cast<const char*>(b_panel);
  constexpr int64_t kARow = kAmxKStep * 4;  // bytes per packed left row
  constexpr int64_t kBRow = kGemmNr * 4;    // bytes per panel row
  for (int64_t k0 = 0; k0 < slots; k0 += kAmxKStep) {
    const char* ak = a + k0 * kAmxMr * 4;
    const char* bk = b + k0 * kBRow;
    Ops::LoadB(0, bk, kBRow);
    Ops::LoadB(1, bk + 64, kBRow);
    Ops::LoadA(0, ak, kARow);
    kDot(0, 0);
    kDot(0, 1);
    if (both_halves) {
      Ops::LoadA(1, ak + 16 * kARow, kARow);
      kDot(1, 0);
      kDot(1, 1);
    }
  }
  auto* out = static_cast<char*>(block);
  constexpr int64_t kBlockRow = kGemmNr * 4;
  Ops::StoreC(0, 0, out, kBlockRow);
  Ops::StoreC(0, 1, out + 64, kBlockRow);
  if (both_halves) {
    Ops::StoreC(1, 0, out + 16 * kBlockRow, kBlockRow);
    Ops::StoreC(1, 1, out + 16 * kBlockRow + 64, kBlockRow);
  }
}

// Seconds for `rounds` rounds of the four accumulator products (kDot) on operand tiles
// loaded once (zeros): four independent chains, so the tile unit's issue rate, not its
// latency. The rate of the instruction the tiles' GEMMs are made of.
template <void (*kDot)(int, int)>
inline double TimeTileDots(int64_t rounds) {
  alignas(64) static const uint8_t kZeros[16 * 64] = {};
  Ops::Configure();
  Ops::ZeroC();
  for (int half = 0; half < 2; ++half) {
    Ops::LoadA(half, kZeros, 64);
    Ops::LoadB(half, kZeros, 64);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < rounds; ++r) {
    kDot(0, 0);
    kDot(0, 1);
    kDot(1, 0);
    kDot(1, 1);
  }
  alignas(64) float out[16][16];
  Ops::StoreC(1, 1, out, 64);  // the last chain's result: the products must be done
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count();
}

// c[rows, cols] (+)= a · b over t.kc slots (a multiple of 16), a packed by PackLeftAmx,
// b a bf16 panel. The accumulators hold the 32 x 32 block for the whole k block; a tile
// of up to 16 rows uses half of them.
inline void GemmTileAmx(const GemmTile& t) {
  alignas(64) float block[kAmxMr][kGemmNr];
  BlockProduct<Ops::Dot>(t.a_packed, t.b_panel, t.kc, t.rows > 16, block);
  for (int64_t r = 0; r < t.rows; ++r) {
    for (int64_t col = 0; col < t.cols; col += 16) {
      float* out = t.c + r * t.ldc + col;
      const __mmask16 m = AmxFloatsMask(t.cols - col);
      __m512 x = _mm512_load_ps(&block[r][col]);
      if (t.accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, out));
      _mm512_mask_storeu_ps(out, m, x);
    }
  }
}

// The int8 tile on AMX: c[r, j] = f32(sum a_r . b_j - zero_point[r] * col_sum[j]) *
// (row_scale[r] * col_scale[j]) over t.k4 slots (a multiple of 16), the epilogue of the
// AVX-512 VNNI tile step for step, so results are the same bits. a is packed in steps of
// 16 slots, 32 rows of 64 bytes each (Int8Kernels::step_slots); b is an int8 panel (128
// bytes per slot row). Whole k in one call, as every int8 tile.
inline void Int8TileAmx(const Int8Tile& t) {
  alignas(64) int32_t block[kAmxMr][kGemmNr];
  BlockProduct<Ops::DotU8S8>(t.a_packed, t.b_panel, t.k4, t.rows > 16, block);
  for (int64_t r = 0; r < t.rows; ++r) {
    const __m512i zp = _mm512_set1_epi32(t.row_zero_point[r]);
    const __m512 rs = _mm512_set1_ps(t.row_scale[r]);
    for (int64_t col = 0; col < t.cols; col += 16) {
      const __m512i fixed =
          _mm512_sub_epi32(_mm512_load_si512(&block[r][col]),
                           _mm512_mullo_epi32(zp, _mm512_loadu_si512(t.col_sum + col)));
      const __m512 scale = _mm512_mul_ps(rs, _mm512_loadu_ps(t.col_scale + col));
      const __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(fixed), scale);
      _mm512_mask_storeu_ps(t.c + r * t.ldc + col, AmxFloatsMask(t.cols - col), y);
    }
  }
}

// The AVX-512 VNNI int8 kernels `base` with the tile on AMX (activations quantized the
// same way, packed in tile steps); products the tile does not take stay on base.
inline Int8Kernels AmxInt8Over(const Int8Kernels* base) {
  Int8Kernels k = *base;
  k.name = "amx-int8";
  k.mr = kAmxMr;
  k.tile = Int8TileAmx;
  k.step_slots = kAmxKStep;
  k.k4_multiple = kAmxKStep;
  k.min_rows = 16;
  k.fallback = base;
  return k;
}

// The AVX-512 BF16 table `base` with its bf16 products on this tile: products the tile
// does not take (slots not a multiple of a tile step, fewer rows than one tile would
// fill enough to pay) stay on base.
inline KernelTable AmxTableOver(const KernelTable* base) {
  KernelTable t = *base;
  t.gemm_mr_bf16 = kAmxMr;
  t.gemm_tile_bf16 = GemmTileAmx;
  t.pack_left_bf16 = PackLeftAmx;
  t.bf16_k_multiple = kAmxKStep;
  t.bf16_min_rows = 16;
  t.bf16_fallback = base;
  return t;
}
