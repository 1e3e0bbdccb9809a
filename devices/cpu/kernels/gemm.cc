// GEMM driver: the left operand packed once per call into row tiles (in parallel, into a
// buffer the calling thread keeps), then blocks of the output (row blocks x panel groups)
// as tasks, each running the path's micro-kernel over k blocks.
#include "devices/cpu/kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace hetero::cpu {
namespace {

// Most k steps per block: the output tile is read back and written once per block, and
// the products are bound by FMAs, not by the 2 panel loads per step, wherever the slice
// sits (L1 or L2): 1024 beat 256 by 1-5% at transformer shapes on Zen 4
// (docs/benchmarks.md).
constexpr int64_t kMaxKc = 1024;
constexpr int64_t kMaxTilesPerBlock = 16;  // row tiles per task, at most
constexpr int64_t kMaxPanelsPerTask = 4;   // 128 output columns per task, at most
constexpr int64_t kMinTasks = 8;           // enough tasks to balance a few threads
constexpr int64_t kPackTilesPerTask = 8;
constexpr double kSerialFlops = 1 << 19;
// Packed left operands up to this many floats reuse a per-thread buffer (8 MiB).
constexpr size_t kKeptPackFloats = size_t{1} << 21;

// Steps per k block: k split into equal blocks of at most kMaxKc, rounded up to a
// multiple of 16 (3072 gives 3 x 1024, 1536 gives 2 x 768, 384 one block).
int64_t KBlock(int64_t k) {
  const int64_t blocks = std::max<int64_t>(1, (k + kMaxKc - 1) / kMaxKc);
  return std::min(k, ((k + blocks - 1) / blocks + 15) / 16 * 16);
}

// Row tiles are packed mr rows apart but hold m split evenly: `extra` tiles of base + 1
// rows, then tiles of base rows (128 rows on 14-row tiles: 8 x 13 and 2 x 12, not 9 x 14
// and a 2-row tile that runs at half the FMA rate).
struct Blocking {
  int64_t mr = 0;
  int64_t tiles = 0;            // ceil(m / mr) row tiles
  int64_t base = 0;             // rows of a tile, at least
  int64_t extra = 0;            // tiles with one row more
  int64_t tiles_per_block = 0;  // row tiles per task
  int64_t row_blocks = 0;
  int64_t panel_groups = 0;
  int64_t panels_per_task = 0;
  int64_t kc = 0;  // k steps per block
  int64_t Row0(int64_t t) const { return t * base + std::min(t, extra); }
  int64_t Rows(int64_t t) const { return base + (t < extra ? 1 : 0); }
};

// The calling thread's buffer for packed left operands, kept between GEMMs so that each
// call does not allocate and fault in fresh pages.
struct ThreadScratch {
  std::unique_ptr<float[]> data;
  size_t floats = 0;
  bool busy = false;  // a GEMM on this thread holds it
};
thread_local ThreadScratch tls_scratch;

// Room for one GEMM's packed left operand: the thread's scratch, or its own allocation
// when the operand is large or the scratch is held (a task that started another GEMM on
// this thread while waiting for its own).
class PackBuffer {
 public:
  explicit PackBuffer(size_t floats) {
    ThreadScratch& s = tls_scratch;
    if (!s.busy && floats <= kKeptPackFloats) {
      if (s.floats < floats) {
        s.data.reset(new (std::nothrow) float[floats]);
        s.floats = s.data != nullptr ? floats : 0;
      }
      if (s.data != nullptr) {
        s.busy = true;
        scratch_ = &s;
        data_ = s.data.get();
        return;
      }
    }
    own_.reset(new (std::nothrow) float[floats]);
    data_ = own_.get();
  }
  ~PackBuffer() {
    if (scratch_ != nullptr) scratch_->busy = false;
  }
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  float* data() const { return data_; }  // NULL when memory ran out

 private:
  ThreadScratch* scratch_ = nullptr;
  std::unique_ptr<float[]> own_;
  float* data_ = nullptr;
};

uint32_t Bf16Pair(float lo, float hi) {
  return static_cast<uint32_t>(ToBf16(lo)) | (static_cast<uint32_t>(ToBf16(hi)) << 16);
}

float SlotOf(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// Packs row tile t of a for every k slot: slot kk's rows at dst[t * mr * k + kk * mr ...],
// zeros past the tile's rows (and, in bf16, past the inner dim); with the path's own
// pack_left (f32) or pack_left_bf16 when it has one.
void PackLeftTile(const KernelTable& kt, const GemmArgs& g, const Blocking& bl, int64_t t,
                  float* dst) {
  const int64_t k = g.b.k;
  const int64_t mr = bl.mr;
  float* tile = dst + t * mr * k;
  const int64_t rows = bl.Rows(t);
  const float* first = g.a + bl.Row0(t) * g.lda;
  if (!g.b.bf16 && kt.pack_left != nullptr) {
    kt.pack_left(first, g.lda, rows, k, tile);
    return;
  }
  if (g.b.bf16 && kt.pack_left_bf16 != nullptr) {
    kt.pack_left_bf16(first, g.lda, rows, g.b.inner_dim, tile);
    return;
  }
  const float* src[kGemmMaxMr];
  for (int64_t r = 0; r < mr; ++r) src[r] = r < rows ? first + r * g.lda : nullptr;
  if (!g.b.bf16) {
    // Step by step: contiguous writes, one read from each row (rows stream well).
    for (int64_t kk = 0; kk < k; ++kk) {
      float* out = tile + kk * mr;
      for (int64_t r = 0; r < rows; ++r) out[r] = src[r][kk];
      for (int64_t r = rows; r < mr; ++r) out[r] = 0.0f;
    }
    return;
  }
  const int64_t inner = g.b.inner_dim;
  for (int64_t kk = 0; kk < k; ++kk) {
    float* out = tile + kk * mr;
    for (int64_t r = 0; r < rows; ++r) {
      const float hi = 2 * kk + 1 < inner ? src[r][2 * kk + 1] : 0.0f;
      out[r] = SlotOf(Bf16Pair(src[r][2 * kk], hi));
    }
    for (int64_t r = rows; r < mr; ++r) out[r] = 0.0f;
  }
}

// One task: the row tiles of row block `rb`, the panels of group `pg`.
void RunBlock(const KernelTable& kt, const GemmArgs& g, const Blocking& bl, const float* a_pack,
              int64_t rb, int64_t pg) {
  const PackedMatrix& b = g.b;
  const auto tile_fn = b.bf16 ? kt.gemm_tile_bf16 : kt.gemm_tile;
  const int64_t t0 = rb * bl.tiles_per_block;
  const int64_t t1 = std::min(bl.tiles, t0 + bl.tiles_per_block);
  const int64_t row0 = bl.Row0(t0);
  const int64_t rows = bl.Row0(t1) - row0;
  const int64_t p0 = pg * bl.panels_per_task;
  const int64_t p1 = std::min(b.panels, p0 + bl.panels_per_task);
  const int64_t col0 = p0 * kGemmNr;
  const int64_t cols = std::min(b.n, p1 * kGemmNr) - col0;
  if (b.k == 0 && !g.accumulate) {
    for (int64_t r = 0; r < rows; ++r) std::fill_n(g.c + (row0 + r) * g.ldc + col0, cols, 0.0f);
  }
  for (int64_t k0 = 0; k0 < b.k; k0 += bl.kc) {
    GemmTile tile;
    tile.kc = std::min(bl.kc, b.k - k0);
    tile.ldc = g.ldc;
    tile.accumulate = k0 > 0 || g.accumulate;
    for (int64_t p = p0; p < p1; ++p) {
      tile.b_panel = b.Panel(p) + k0 * kGemmNr;
      tile.cols = std::min(kGemmNr, b.n - p * kGemmNr);
      for (int64_t t = t0; t < t1; ++t) {
        tile.a_packed = a_pack + t * bl.mr * b.k + k0 * bl.mr;
        tile.c = g.c + bl.Row0(t) * g.ldc + p * kGemmNr;
        tile.rows = bl.Rows(t);
        tile_fn(tile);
      }
    }
  }
  const float* bias = g.bias != nullptr ? g.bias + col0 : nullptr;
  kt.bias_activation(g.c + row0 * g.ldc + col0, g.ldc, rows, cols, bias, g.activation);
}

}  // namespace

uint16_t ToBf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

void PackWeightsInto(const float* src, int64_t k, int64_t n, int64_t ld, bool transposed,
                     PackedWeights* out) {
  out->k = k;
  out->n = n;
  out->inner_dim = k;
  out->bf16 = false;
  out->panels = (n + kGemmNr - 1) / kGemmNr;
  out->data.resize(static_cast<size_t>(out->panels * k * kGemmNr));
  for (int64_t p = 0; p < out->panels; ++p) {
    float* panel = out->data.data() + p * k * kGemmNr;
    const int64_t col0 = p * kGemmNr;
    const int64_t cols = std::min(kGemmNr, n - col0);
    if (!transposed) {  // a row of the panel is a run of a source row
      for (int64_t kk = 0; kk < k; ++kk) {
        float* row = panel + kk * kGemmNr;
        std::memcpy(row, src + kk * ld + col0, static_cast<size_t>(cols) * sizeof(float));
        std::fill(row + cols, row + kGemmNr, 0.0f);
      }
      continue;
    }
    // Transposed: column j of the panel is a run of source row col0 + j; written in
    // 16-step strips so that the panel's rows being filled stay in cache.
    for (int64_t k0 = 0; k0 < k; k0 += 16) {
      const int64_t steps = std::min<int64_t>(16, k - k0);
      for (int64_t j = 0; j < kGemmNr; ++j) {
        float* to = panel + k0 * kGemmNr + j;
        if (j >= cols) {
          for (int64_t s = 0; s < steps; ++s) to[s * kGemmNr] = 0.0f;
          continue;
        }
        const float* from = src + (col0 + j) * ld + k0;
        for (int64_t s = 0; s < steps; ++s) to[s * kGemmNr] = from[s];
      }
    }
  }
}

StatusOr<std::shared_ptr<const PackedWeights>> PackWeights(const Tensor& b, bool transposed,
                                                           bool bf16) {
  if (b.dtype() != DType::kF32 || b.rank() != 2) {
    return InvalidArgument("PackWeights: expected a rank-2 f32 tensor, got " + b.type().ToString());
  }
  auto packed = std::make_shared<PackedWeights>();
  const int64_t inner = transposed ? b.dim(1) : b.dim(0);
  const int64_t n = transposed ? b.dim(0) : b.dim(1);
  if (!bf16) {
    PackWeightsInto(b.data<float>(), inner, n, transposed ? inner : n, transposed, packed.get());
    return std::shared_ptr<const PackedWeights>(std::move(packed));
  }
  // bf16: slot (kk, j) holds rows 2 kk and 2 kk + 1 of column j.
  packed->inner_dim = inner;
  packed->bf16 = true;
  packed->k = (inner + 1) / 2;
  packed->n = n;
  packed->panels = (n + kGemmNr - 1) / kGemmNr;
  packed->data.assign(static_cast<size_t>(packed->panels * packed->k * kGemmNr), 0.0f);
  const float* src = b.data<float>();
  auto at = [&](int64_t row, int64_t col) {
    if (row >= inner) return 0.0f;
    return transposed ? src[col * inner + row] : src[row * n + col];
  };
  for (int64_t p = 0; p < packed->panels; ++p) {
    float* panel = packed->data.data() + p * packed->k * kGemmNr;
    const int64_t cols = std::min(kGemmNr, n - p * kGemmNr);
    for (int64_t kk = 0; kk < packed->k; ++kk) {
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t col = p * kGemmNr + j;
        panel[kk * kGemmNr + j] = SlotOf(Bf16Pair(at(2 * kk, col), at(2 * kk + 1, col)));
      }
    }
  }
  return std::shared_ptr<const PackedWeights>(std::move(packed));
}

const KernelTable& TableFor(const KernelTable& kernels, const GemmArgs& g) {
  const bool fall_back = g.b.bf16 && kernels.bf16_fallback != nullptr &&
                         (g.b.k % kernels.bf16_k_multiple != 0 || g.m < kernels.bf16_min_rows);
  return fall_back ? *kernels.bf16_fallback : kernels;
}

Status Gemm(const KernelTable& table, const GemmArgs& g, const ParallelForFn& parallel_for) {
  if (g.m <= 0 || g.b.n <= 0) return OkStatus();
  const KernelTable& kt = TableFor(table, g);
  if (g.b.bf16 && kt.gemm_tile_bf16 == nullptr) {
    return FailedPrecondition(std::string("GEMM: bf16 weights on the ") + IsaName(kt.isa) +
                              " path, which has no bf16 tile");
  }
  Blocking bl;
  bl.mr = g.b.bf16 ? kt.gemm_mr_bf16 : kt.gemm_mr;
  bl.kc = std::max<int64_t>(1, KBlock(g.b.k));
  bl.tiles = (g.m + bl.mr - 1) / bl.mr;
  bl.base = g.m / bl.tiles;
  bl.extra = g.m % bl.tiles;
  // Tiles split evenly into row blocks: each block reads all of b once, so fewer, fuller
  // blocks read it less.
  bl.row_blocks = (bl.tiles + kMaxTilesPerBlock - 1) / kMaxTilesPerBlock;
  bl.tiles_per_block = (bl.tiles + bl.row_blocks - 1) / bl.row_blocks;
  // Narrower column groups when there would be few tasks (a short or narrow product), so
  // that the threads get about equal shares.
  const int64_t wanted_groups = (kMinTasks + bl.row_blocks - 1) / bl.row_blocks;
  bl.panels_per_task =
      std::clamp<int64_t>((g.b.panels + wanted_groups - 1) / wanted_groups, 1, kMaxPanelsPerTask);
  bl.panel_groups = (g.b.panels + bl.panels_per_task - 1) / bl.panels_per_task;
  const PackBuffer a_pack(static_cast<size_t>(bl.tiles * bl.mr * g.b.k + 1));
  float* packed = a_pack.data();
  if (packed == nullptr) return ResourceExhausted("GEMM: out of memory packing the left operand");
  auto pack = [&](uint64_t begin, uint64_t end) {
    for (uint64_t t = begin; t < end; ++t) {
      PackLeftTile(kt, g, bl, static_cast<int64_t>(t), packed);
    }
  };
  auto compute = [&](uint64_t begin, uint64_t end) {
    for (uint64_t task = begin; task < end; ++task) {
      const auto rb = static_cast<int64_t>(task) / bl.panel_groups;
      RunBlock(kt, g, bl, packed, rb, static_cast<int64_t>(task) % bl.panel_groups);
    }
  };
  const auto tasks = static_cast<uint64_t>(bl.row_blocks * bl.panel_groups);
  const double flops = 2.0 * static_cast<double>(g.m) * g.b.n * g.b.k;
  PackThenCompute(parallel_for, static_cast<uint64_t>(bl.tiles), kPackTilesPerTask, tasks,
                  flops < kSerialFlops, pack, compute);
  return OkStatus();
}

}  // namespace hetero::cpu
