// int8 GEMM driver: weights packed once; per call the rows of a quantized to u8 and
// packed in row tiles (in parallel), then blocks of the output (row blocks x panel
// groups) as tasks, each running the path's int8 tile over the whole k and applying the
// bias and activation to its block.
#include "devices/cpu/kernels/int8_gemm.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace hetero::cpu {
namespace {

using ops::reference::RowQuantization;

constexpr int64_t kMaxTilesPerBlock = 16;  // row tiles per task, at most
constexpr int64_t kMaxPanelsPerTask = 4;   // 128 output columns per task, at most
constexpr int64_t kMinTasks = 8;           // enough tasks to balance a few threads
constexpr int64_t kPackTilesPerTask = 4;
constexpr double kSerialOps = 1 << 19;

struct Blocking {
  int64_t mr = 0;
  int64_t tiles = 0;
  int64_t tiles_per_block = 0;
  int64_t row_blocks = 0;
  int64_t panel_groups = 0;
  int64_t panels_per_task = 0;
};

// Scratch of one call: packed activations and each row's quantization parameters.
struct PackedRows {
  std::unique_ptr<uint32_t[]> slots;
  std::unique_ptr<int32_t[]> zero_point;
  std::unique_ptr<float[]> scale;
};

// Row r's k4 slots (4 bytes each from q; zeros when q is NULL) into a row tile laid out
// as Int8Kernels::step_slots says.
void PlaceRow(const uint8_t* q, int64_t k4, int64_t mr, int64_t step, int64_t r, uint32_t* tile) {
  if (step > 0) {  // runs of `step` slots, contiguous per row
    for (int64_t k0 = 0; k0 < k4; k0 += step) {
      uint32_t* dst = tile + k0 * mr + r * step;
      const auto bytes = static_cast<size_t>(std::min(step, k4 - k0) * kInt8SlotK);
      if (q != nullptr)
        std::memcpy(dst, q + k0 * kInt8SlotK, bytes);
      else
        std::memset(dst, 0, bytes);
    }
    return;
  }
  for (int64_t kk = 0; kk < k4; ++kk) {
    uint32_t slot = 0;
    if (q != nullptr) std::memcpy(&slot, q + kk * kInt8SlotK, sizeof(slot));
    tile[kk * mr + r] = slot;
  }
}

// Quantizes and packs the rows of row tile t at slots[t * mr * k4 ...]; rows past m are
// zero.
void PackRowTile(const Int8Kernels& ik, const QuantGemmArgs& g, int64_t mr, int64_t t,
                 PackedRows& out) {
  const int64_t k = g.b->k, k4 = g.b->k4;
  uint32_t* tile = out.slots.get() + t * mr * k4;
  std::vector<uint8_t> q(static_cast<size_t>(k4 * kInt8SlotK), 0);
  for (int64_t r = 0; r < mr; ++r) {
    const int64_t row = t * mr + r;
    if (row >= g.m) {
      PlaceRow(nullptr, k4, mr, ik.step_slots, r, tile);
      continue;
    }
    const float* x = g.a + row * g.lda;
    RowQuantization p = g.activation_quant;
    if (!g.static_activation) {
      float lo, hi;
      bool finite;
      ik.row_range(x, k, &lo, &hi, &finite);
      p = ops::reference::QuantizationFromRange(lo, hi, finite);
    }
    ik.quantize_row(x, k, p, q.data());
    out.zero_point[row] = p.zero_point;
    out.scale[row] = p.scale;
    PlaceRow(q.data(), k4, mr, ik.step_slots, r, tile);
  }
}

void RunBlock(const KernelTable& kt, const Int8Kernels& ik, const QuantGemmArgs& g,
              const Blocking& bl, const PackedRows& rows_packed, int64_t rb, int64_t pg) {
  const PackedInt8Weights& b = *g.b;
  const int64_t t0 = rb * bl.tiles_per_block;
  const int64_t t1 = std::min(bl.tiles, t0 + bl.tiles_per_block);
  const int64_t row0 = t0 * bl.mr;
  const int64_t rows = std::min(t1 * bl.mr, g.m) - row0;
  const int64_t p0 = pg * bl.panels_per_task;
  const int64_t p1 = std::min(b.panels, p0 + bl.panels_per_task);
  const int64_t col0 = p0 * kGemmNr;
  const int64_t cols = std::min(b.n, p1 * kGemmNr) - col0;
  Int8Tile tile;
  tile.k4 = b.k4;
  tile.ldc = g.ldc;
  for (int64_t p = p0; p < p1; ++p) {
    tile.b_panel = b.Panel(p);
    tile.col_sum = b.col_sum.data() + p * kGemmNr;
    tile.col_scale = b.col_scale.data() + p * kGemmNr;
    tile.cols = std::min(kGemmNr, b.n - p * kGemmNr);
    for (int64_t t = t0; t < t1; ++t) {
      tile.a_packed = rows_packed.slots.get() + t * bl.mr * b.k4;
      tile.row_zero_point = rows_packed.zero_point.get() + t * bl.mr;
      tile.row_scale = rows_packed.scale.get() + t * bl.mr;
      tile.c = g.c + t * bl.mr * g.ldc + p * kGemmNr;
      tile.rows = std::min(bl.mr, g.m - t * bl.mr);
      ik.tile(tile);
    }
  }
  if (g.bias == nullptr && g.activation == Activation::kNone) return;
  const float* bias = g.bias != nullptr ? g.bias + col0 : nullptr;
  kt.bias_activation(g.c + row0 * g.ldc + col0, g.ldc, rows, cols, bias, g.activation);
}

Blocking PlanBlocks(const QuantGemmArgs& g, int64_t mr) {
  Blocking bl;
  bl.mr = mr;
  bl.tiles = (g.m + mr - 1) / mr;
  bl.row_blocks = (bl.tiles + kMaxTilesPerBlock - 1) / kMaxTilesPerBlock;
  bl.tiles_per_block = (bl.tiles + bl.row_blocks - 1) / bl.row_blocks;
  const int64_t wanted_groups = (kMinTasks + bl.row_blocks - 1) / bl.row_blocks;
  bl.panels_per_task =
      std::clamp<int64_t>((g.b->panels + wanted_groups - 1) / wanted_groups, 1, kMaxPanelsPerTask);
  bl.panel_groups = (g.b->panels + bl.panels_per_task - 1) / bl.panels_per_task;
  return bl;
}

}  // namespace

StatusOr<std::shared_ptr<const PackedInt8Weights>> PackInt8Weights(const Tensor& b, bool transposed,
                                                                   const Tensor& scale) {
  if (b.dtype() != DType::kI8 || b.rank() != 2 || scale.dtype() != DType::kF32) {
    return InvalidArgument("PackInt8Weights: expected i8 rank-2 weights and f32 scales, got " +
                           b.type().ToString() + " and " + scale.type().ToString());
  }
  auto packed = std::make_shared<PackedInt8Weights>();
  const int64_t k = transposed ? b.dim(1) : b.dim(0);
  const int64_t n = transposed ? b.dim(0) : b.dim(1);
  if (scale.num_elements() != 1 && scale.num_elements() != n) {
    return InvalidArgument("PackInt8Weights: " + std::to_string(scale.num_elements()) +
                           " scales for " + std::to_string(n) + " columns");
  }
  packed->k = k;
  packed->k4 = (k + kInt8SlotK - 1) / kInt8SlotK;
  packed->n = n;
  packed->panels = (n + kGemmNr - 1) / kGemmNr;
  const auto padded = static_cast<size_t>(packed->panels * kGemmNr);
  packed->data.assign(padded * static_cast<size_t>(packed->k4 * kInt8SlotK), 0);
  packed->col_sum.assign(padded, 0);
  packed->col_scale.assign(padded, 0.0f);
  const int8_t* src = b.data<int8_t>();
  const float* scales = scale.data<float>();
  for (int64_t j = 0; j < n; ++j) {
    const int64_t p = j / kGemmNr, jj = j % kGemmNr;
    int8_t* panel = packed->data.data() + p * packed->k4 * kGemmNr * kInt8SlotK;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int8_t w = transposed ? src[j * k + kk] : src[kk * n + j];
      panel[((kk / kInt8SlotK) * kGemmNr + jj) * kInt8SlotK + kk % kInt8SlotK] = w;
      sum += w;
    }
    packed->col_sum[j] = sum;
    packed->col_scale[j] = scales[scale.num_elements() == 1 ? 0 : j];
  }
  return std::shared_ptr<const PackedInt8Weights>(std::move(packed));
}

const Int8Kernels& Int8KernelsFor(Isa isa) {
  const Int8Kernels* kernels = nullptr;
  if (isa == Isa::kAvx512 && DetectedIsa() >= Isa::kAvx512 && CpuHasAvx512Vnni()) {
    kernels = AmxInt8Usable() ? AmxInt8Kernels() : Avx512VnniInt8Kernels();
  }
  if (isa == Isa::kAvx2 && DetectedIsa() >= Isa::kAvx2) kernels = Avx2Int8Kernels();
  return kernels != nullptr ? *kernels : *PortableInt8Kernels();
}

Status QuantGemm(const KernelTable& kt, const QuantGemmArgs& g, const ParallelForFn& parallel_for) {
  return QuantGemmOn(kt, Int8KernelsFor(kt.isa), g, parallel_for);
}

const Int8Kernels& Int8KernelsTaking(const Int8Kernels& chosen, const QuantGemmArgs& g) {
  const bool fall_back =
      chosen.fallback != nullptr && (g.b->k4 % chosen.k4_multiple != 0 || g.m < chosen.min_rows);
  return fall_back ? *chosen.fallback : chosen;
}

Status QuantGemmOn(const KernelTable& kt, const Int8Kernels& chosen, const QuantGemmArgs& g,
                   const ParallelForFn& parallel_for) {
  if (g.m <= 0 || g.b->n <= 0) return OkStatus();
  const Int8Kernels& ik = Int8KernelsTaking(chosen, g);
  const Blocking bl = PlanBlocks(g, ik.mr);
  PackedRows packed;
  const auto padded_rows = static_cast<size_t>(bl.tiles * bl.mr);
  packed.slots.reset(new (std::nothrow) uint32_t[padded_rows * g.b->k4 + 1]);
  packed.zero_point.reset(new (std::nothrow) int32_t[padded_rows]());
  packed.scale.reset(new (std::nothrow) float[padded_rows]());
  if (packed.slots == nullptr || packed.zero_point == nullptr || packed.scale == nullptr) {
    return ResourceExhausted("int8 GEMM: out of memory packing the left operand");
  }
  auto pack = [&](uint64_t begin, uint64_t end) {
    for (uint64_t t = begin; t < end; ++t) {
      PackRowTile(ik, g, bl.mr, static_cast<int64_t>(t), packed);
    }
  };
  auto compute = [&](uint64_t begin, uint64_t end) {
    for (uint64_t task = begin; task < end; ++task) {
      const auto rb = static_cast<int64_t>(task) / bl.panel_groups;
      RunBlock(kt, ik, g, bl, packed, rb, static_cast<int64_t>(task) % bl.panel_groups);
    }
  };
  const auto tasks = static_cast<uint64_t>(bl.row_blocks * bl.panel_groups);
  const double ops = 2.0 * static_cast<double>(g.m) * g.b->n * g.b->k;
  PackThenCompute(parallel_for, static_cast<uint64_t>(bl.tiles), kPackTilesPerTask, tasks,
                  ops < kSerialOps, pack, compute);
  return OkStatus();
}

}  // namespace hetero::cpu
