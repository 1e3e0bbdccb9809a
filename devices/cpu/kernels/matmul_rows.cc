// MatMul split by rows: row blocks of the left operand are independent matrix products.
#include "devices/cpu/kernels/matmul_rows.h"

#include <algorithm>
#include <mutex>

namespace hetero::cpu {
namespace {

constexpr double kMinFlops = 1 << 22;       // below this, one thread is as fast
constexpr double kFlopsPerChunk = 1 << 19;  // enough work per task to hide its cost

}  // namespace

StatusOr<bool> TryMatMulByRows(const Plugin& plugin, const ops::OpSchema& schema,
                               const ops::KernelContext& ctx) {
  if (schema.name != "MatMul" && schema.name != "FusedMatMul") return false;
  if (ctx.attrs.GetInt("transpose_a", 0) != 0 || ctx.inputs.size() < 2) return false;
  const Tensor* a = ctx.inputs[0];
  const Tensor* b = ctx.inputs[1];
  const Tensor* bias = ctx.inputs.size() > 2 ? ctx.inputs[2] : nullptr;
  Tensor* out = ctx.outputs[0];
  if (a == nullptr || b == nullptr || a->rank() < 2 || b->rank() != 2) return false;
  if (bias != nullptr && bias->rank() > 1) return false;
  const int64_t k = a->dims().back();
  const int64_t n = out->rank() >= 1 ? out->dims().back() : 0;
  if (k <= 0 || n <= 0 || out->num_elements() == 0) return false;
  const int64_t rows = a->num_elements() / k;
  if (rows < 2 || out->num_elements() != rows * n) return false;
  const double flops = 2.0 * static_cast<double>(rows) * n * k;
  if (flops < kMinFlops) return false;

  const auto grain = static_cast<uint64_t>(std::max(1.0, kFlopsPerChunk / (2.0 * n * k)));
  const size_t a_elem = DTypeSize(a->dtype());
  const size_t out_elem = DTypeSize(out->dtype());
  std::mutex mu;
  Status first_error;
  plugin.ParallelFor(static_cast<uint64_t>(rows), grain, [&](uint64_t begin, uint64_t end) {
    const auto count = static_cast<int64_t>(end - begin);
    const Tensor a_rows = Tensor::Borrow(
        a->dtype(), {count, k}, static_cast<const char*>(a->raw()) + begin * k * a_elem, nullptr);
    Tensor out_rows =
        Tensor::Borrow(out->dtype(), {count, n},
                       static_cast<char*>(out->mutable_raw()) + begin * n * out_elem, nullptr);
    const Tensor* inputs[3] = {&a_rows, b, bias};
    Tensor* outputs[1] = {&out_rows};
    ops::KernelContext part{std::span<const Tensor* const>(inputs, ctx.inputs.size()),
                            std::span<Tensor* const>(outputs, 1), ctx.attrs};
    Status s;
    try {
      s = schema.reference(part);
    } catch (...) {
      s = Internal("MatMul row block threw an exception");
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = std::move(s);
    }
  });
  HETERO_RETURN_IF_ERROR(first_error);
  return true;
}

}  // namespace hetero::cpu
