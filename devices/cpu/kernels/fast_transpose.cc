// Transpose that keeps its innermost dims in place (attention's head split and merge,
// [b, s, h, d] <-> [b, h, s, d]): one memcpy per contiguous run of at least 16 bytes.
#include <cstring>
#include <vector>

#include "devices/cpu/kernels/fast_ops.h"
#include "ops/reference/movement.h"

namespace hetero::cpu {
namespace {

constexpr size_t kMinRunBytes = 16;
constexpr int64_t kRunsPerTask = 256;

}  // namespace

StatusOr<bool> TryFastTranspose(const ops::KernelContext& ctx, const FastContext& fast) {
  if (ctx.inputs.size() != 1 || ctx.inputs[0] == nullptr || ctx.outputs.size() != 1) return false;
  const Tensor& x = *ctx.inputs[0];
  Tensor& y = *ctx.outputs[0];
  const auto rank = static_cast<int64_t>(x.rank());
  auto perm = ops::reference::NormalizePerm(ctx.attrs.GetInts("perm"), rank);
  if (!perm.ok()) return false;  // the reference says what is wrong
  // Dims past `outer` stay in place: each output run of `run` elements is contiguous in x.
  int64_t outer = rank;
  while (outer > 0 && (*perm)[outer - 1] == outer - 1) --outer;
  int64_t run = 1;
  for (int64_t d = outer; d < rank; ++d) run *= x.dim(d);
  const size_t elem = DTypeSize(x.dtype());
  const size_t run_bytes = static_cast<size_t>(run) * elem;
  if (outer == 0 || run_bytes < kMinRunBytes || y.dtype() != x.dtype() ||
      y.num_elements() != x.num_elements() || static_cast<int64_t>(y.rank()) != rank) {
    return false;
  }
  for (int64_t i = 0; i < rank; ++i) {
    if (y.dim(i) != x.dim((*perm)[i])) return false;
  }
  // Input strides of the output's outer dims, in elements.
  std::vector<int64_t> in_stride(static_cast<size_t>(rank), 1);
  for (int64_t d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * x.dim(d + 1);
  std::vector<int64_t> dims(static_cast<size_t>(outer)), strides(static_cast<size_t>(outer));
  for (int64_t i = 0; i < outer; ++i) {
    dims[i] = y.dim(i);
    strides[i] = in_stride[(*perm)[i]];
  }
  const int64_t runs = run == 0 ? 0 : y.num_elements() / run;
  const auto* src = static_cast<const char*>(x.raw());
  auto* dst = static_cast<char*>(y.mutable_raw());
  auto copy = [&](uint64_t begin, uint64_t end) {
    // The input offset of run `begin`, then an odometer over the outer dims.
    std::vector<int64_t> index(static_cast<size_t>(outer), 0);
    int64_t offset = 0;
    auto rest = static_cast<int64_t>(begin);
    for (int64_t i = outer - 1; i >= 0; --i) {
      index[i] = rest % dims[i];
      rest /= dims[i];
      offset += index[i] * strides[i];
    }
    for (uint64_t r = begin; r < end; ++r) {
      std::memcpy(dst + r * run_bytes, src + static_cast<size_t>(offset) * elem, run_bytes);
      for (int64_t i = outer - 1; i >= 0; --i) {
        offset += strides[i];
        if (++index[i] < dims[i]) break;
        offset -= strides[i] * dims[i];
        index[i] = 0;
      }
    }
  };
  if (fast.parallel_for && runs > kRunsPerTask) {
    fast.parallel_for(static_cast<uint64_t>(runs), kRunsPerTask, copy);
  } else {
    copy(0, static_cast<uint64_t>(runs));
  }
  return true;
}

}  // namespace hetero::cpu
