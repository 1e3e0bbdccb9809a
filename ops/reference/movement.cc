// Reference kernels of the data-movement family: byte copies, strided walks, gathers.
#include "ops/reference/movement.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <string>

#include "ops/broadcast.h"

namespace hetero::ops::reference {

namespace {

std::string IntsText(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + std::to_string(values[i]);
  return s + "]";
}

// The symbols, static product and unknowns of a list of dims (skipping one position).
struct DimFactors {
  std::vector<std::string> symbols;  // sorted, with repeats
  int64_t product = 1;
  bool unknown = false;
  bool overflow = false;
};

DimFactors Factor(const std::vector<Dim>& dims, int64_t skip) {
  DimFactors f;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (static_cast<int64_t>(i) == skip) continue;
    if (dims[i].is_static()) {
      f.overflow |= __builtin_mul_overflow(f.product, dims[i].value(), &f.product);
    } else if (dims[i].is_symbol()) {
      f.symbols.push_back(dims[i].symbol());
    } else {
      f.unknown = true;
    }
  }
  std::sort(f.symbols.begin(), f.symbols.end());
  return f;
}

std::vector<std::string> Minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Status CheckOut(std::string_view op, const Tensor& out, const std::vector<int64_t>& dims,
                DType dtype) {
  if (out.dims() == dims && out.dtype() == dtype) return OkStatus();
  return InvalidArgument(std::string(op) + ": output was allocated as " + out.type().ToString() +
                         ", expected " + TensorType{dtype, Shape::FromStatic(dims)}.ToString());
}

// Copies every byte of `in` into `out` (same element count and dtype).
Status CopyAll(std::string_view op, const Tensor& in, Tensor& out) {
  if (out.dtype() != in.dtype() || out.num_elements() != in.num_elements()) {
    return InvalidArgument(std::string(op) + ": output " + out.type().ToString() +
                           " does not hold the input " + in.type().ToString());
  }
  if (in.byte_size() > 0) std::memcpy(out.mutable_raw(), in.raw(), in.byte_size());
  return OkStatus();
}

// out[i] = in[base + sum_d index_d * strides_d] over every index of `dims`, row by row.
template <typename E>
void StridedCopyAs(const E* in, int64_t base, const std::vector<int64_t>& strides,
                   const std::vector<int64_t>& dims, E* out) {
  if (dims.empty()) {
    out[0] = in[base];
    return;
  }
  const int64_t length = dims.back();
  const int64_t step = strides.back();
  if (length == 0) return;
  std::vector<int64_t> outer(dims.begin(), dims.end() - 1);
  std::vector<int64_t> outer_strides(strides.begin(), strides.end() - 1);
  for (BroadcastIter it(outer, {outer_strides}); !it.done(); it.Next(), out += length) {
    const E* row = in + base + it.offset(0);
    if (step == 1) {
      std::memcpy(out, row, static_cast<size_t>(length) * sizeof(E));
    } else {
      for (int64_t j = 0; j < length; ++j) out[j] = row[j * step];
    }
  }
}

void StridedCopy(const Tensor& in, int64_t base, const std::vector<int64_t>& strides, Tensor& out) {
  const std::vector<int64_t>& dims = out.dims();
  if (out.num_elements() == 0) return;
  switch (DTypeSize(in.dtype())) {
    case 1:
      return StridedCopyAs(in.data<uint8_t>(), base, strides, dims, out.mutable_data<uint8_t>());
    case 2:
      return StridedCopyAs(in.data<uint16_t>(), base, strides, dims, out.mutable_data<uint16_t>());
    case 4:
      return StridedCopyAs(in.data<uint32_t>(), base, strides, dims, out.mutable_data<uint32_t>());
    default:
      return StridedCopyAs(in.data<uint64_t>(), base, strides, dims, out.mutable_data<uint64_t>());
  }
}

int64_t Product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i) n *= dims[i];
  return n;
}

}  // namespace

StatusOr<Shape> ReshapeShape(const Shape& in, const std::vector<int64_t>& shape, bool allowzero) {
  std::vector<Dim> out;
  int64_t infer_at = -1;
  bool has_zero = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t s = shape[i];
    if (s == 0 && !allowzero) {
      if (i >= in.rank()) {
        return InvalidArgument("Reshape: shape entry " + std::to_string(i) +
                               " is 0 (copy the input dim), but the input " + in.ToString() +
                               " has rank " + std::to_string(in.rank()));
      }
      out.push_back(in[i]);
    } else if (s == -1) {
      if (infer_at >= 0) {
        return InvalidArgument("Reshape: shape " + IntsText(shape) + " has two -1");
      }
      infer_at = static_cast<int64_t>(i);
      out.emplace_back();
    } else if (s < 0) {
      return InvalidArgument("Reshape: shape " + IntsText(shape) + " has a negative entry " +
                             std::to_string(s));
    } else {
      has_zero |= s == 0;
      out.emplace_back(s);
    }
  }
  if (has_zero && infer_at >= 0) {
    return InvalidArgument("Reshape: shape " + IntsText(shape) +
                           " with allowzero has both 0 and -1");
  }
  const DimFactors fin = Factor(in.dims(), -1);
  const DimFactors fout = Factor(out, infer_at);
  const std::string what = "Reshape: cannot reshape " + in.ToString() + " into " + IntsText(shape);
  if (fin.overflow || fout.overflow) return InvalidArgument(what + ": element count overflows");
  if (fin.unknown || fout.unknown) return Shape(std::move(out));  // nothing can be checked
  const std::vector<std::string> rest_in = Minus(fin.symbols, fout.symbols);
  const std::vector<std::string> rest_out = Minus(fout.symbols, fin.symbols);
  if (infer_at < 0) {
    if (rest_in.empty() && rest_out.empty() && fin.product != fout.product) {
      return InvalidArgument(what + " (" + std::to_string(fin.product) + " vs " +
                             std::to_string(fout.product) + " elements)");
    }
    return Shape(std::move(out));
  }
  if (!rest_out.empty()) return Shape(std::move(out));  // -1 is a quotient of symbols
  if (rest_in.empty()) {
    if (fout.product == 0 || fin.product % fout.product != 0) {
      return InvalidArgument(what + ": " + std::to_string(fin.product) +
                             " elements are not a multiple of " + std::to_string(fout.product));
    }
    out[infer_at] = Dim(fin.product / fout.product);
  } else if (rest_in.size() == 1 && fin.product == fout.product && fout.product != 0) {
    out[infer_at] = Dim::Symbol(rest_in[0]);
  }
  return Shape(std::move(out));
}

StatusOr<std::vector<SliceRange>> SliceRanges(int64_t rank, const std::vector<int64_t>& starts,
                                              const std::vector<int64_t>& ends,
                                              const std::vector<int64_t>* axes,
                                              const std::vector<int64_t>* steps) {
  const size_t n = starts.size();
  if (ends.size() != n || (axes && axes->size() != n) || (steps && steps->size() != n)) {
    return InvalidArgument("Slice: starts " + IntsText(starts) + ", ends " + IntsText(ends) +
                           (axes ? ", axes " + IntsText(*axes) : "") +
                           (steps ? ", steps " + IntsText(*steps) : "") +
                           " need one entry per sliced axis");
  }
  std::vector<SliceRange> ranges;
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes ? (*axes)[i] : static_cast<int64_t>(i);
    if (axis < -rank || axis >= rank) {
      return InvalidArgument("Slice: axis " + std::to_string(axis) + " is out of range for rank " +
                             std::to_string(rank));
    }
    if (axis < 0) axis += rank;
    if (seen[axis]) return InvalidArgument("Slice: axis " + std::to_string(axis) + " repeats");
    seen[axis] = true;
    const int64_t step = steps ? (*steps)[i] : 1;
    if (step == 0) return InvalidArgument("Slice: step 0 on axis " + std::to_string(axis));
    ranges.push_back(SliceRange{axis, starts[i], ends[i], step});
  }
  return ranges;
}

int64_t ClampSlice(SliceRange& r, int64_t dim) {
  if (dim == 0) {
    r.start = 0;
    return 0;
  }
  // A step longer than the dim reads at most one element; clamping it avoids overflow.
  r.step = std::clamp(r.step, -dim, dim);
  int64_t start = r.start < 0 ? r.start + dim : r.start;
  int64_t end = r.end < 0 ? r.end + dim : r.end;
  if (r.step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    r.start = start;
    return end > start ? (end - start - 1) / r.step + 1 : 0;
  }
  start = std::clamp<int64_t>(start, 0, dim - 1);
  end = std::clamp<int64_t>(end, -1, dim - 1);
  r.start = start;
  return start > end ? (start - end - 1) / -r.step + 1 : 0;
}

StatusOr<std::vector<int64_t>> SplitSizes(int64_t dim, const std::vector<int64_t>* split,
                                          size_t num_outputs) {
  if (num_outputs == 0) return InvalidArgument("Split: needs at least one output");
  if (split != nullptr) {
    if (split->size() != num_outputs) {
      return InvalidArgument("Split: split " + IntsText(*split) + " has " +
                             std::to_string(split->size()) + " entries for " +
                             std::to_string(num_outputs) + " outputs");
    }
    int64_t sum = 0;
    for (int64_t s : *split) {
      if (s < 0 || s > dim - sum) {
        return InvalidArgument("Split: sizes " + IntsText(*split) + " do not fit dim " +
                               std::to_string(dim));
      }
      sum += s;
    }
    if (sum != dim) {
      return InvalidArgument("Split: sizes " + IntsText(*split) + " sum to " + std::to_string(sum) +
                             ", but the dim is " + std::to_string(dim));
    }
    return *split;
  }
  const auto n = static_cast<int64_t>(num_outputs);
  const int64_t chunk = dim / n + (dim % n != 0 ? 1 : 0);
  const int64_t last = dim - chunk * (n - 1);
  if (last < 0) {
    return InvalidArgument("Split: dim " + std::to_string(dim) + " does not split into " +
                           std::to_string(n) + " parts of " + std::to_string(chunk));
  }
  std::vector<int64_t> sizes(num_outputs, chunk);
  sizes.back() = last;
  return sizes;
}

StatusOr<int64_t> RangeLength(const Tensor& start, const Tensor& limit, const Tensor& delta) {
  if (start.num_elements() != 1 || limit.num_elements() != 1 || delta.num_elements() != 1) {
    return InvalidArgument("Range: start, limit and delta must be scalars");
  }
  if (IsFloat(start.dtype())) {
    const double s = start.GetDouble(0), l = limit.GetDouble(0), d = delta.GetDouble(0);
    if (d == 0) return InvalidArgument("Range: delta is 0");
    const double n = std::ceil((l - s) / d);
    if (std::isnan(n)) return InvalidArgument("Range: start, limit or delta is not finite");
    if (n > 1e15) return InvalidArgument("Range: " + std::to_string(n) + " elements is too many");
    return n > 0 ? static_cast<int64_t>(n) : 0;
  }
  const int64_t d = delta.GetInt64(0);
  if (d == 0) return InvalidArgument("Range: delta is 0");
  const __int128 diff = static_cast<__int128>(limit.GetInt64(0)) - start.GetInt64(0);
  __int128 n = diff / d;
  if (diff % d != 0 && (diff > 0) == (d > 0)) ++n;
  if (n > INT64_MAX) return InvalidArgument("Range: too many elements");
  return n > 0 ? static_cast<int64_t>(n) : 0;
}

StatusOr<std::vector<int64_t>> NormalizeIndices(const Tensor& indices, int64_t dim) {
  if (indices.dtype() != DType::kI64 && indices.dtype() != DType::kI32) {
    return InvalidArgument("indices are " + std::string(DTypeName(indices.dtype())) +
                           ", expected i64 or i32");
  }
  std::vector<int64_t> out(static_cast<size_t>(indices.num_elements()));
  for (int64_t i = 0; i < indices.num_elements(); ++i) {
    const int64_t v =
        indices.dtype() == DType::kI64 ? indices.data<int64_t>()[i] : indices.data<int32_t>()[i];
    if (v < -dim || v >= dim) {
      return OutOfRange("index " + std::to_string(v) + " out of range for dim " +
                        std::to_string(dim));
    }
    out[i] = v < 0 ? v + dim : v;
  }
  return out;
}

StatusOr<std::vector<int64_t>> NormalizePerm(const std::vector<int64_t>& perm, int64_t rank) {
  std::vector<int64_t> out(static_cast<size_t>(rank));
  if (perm.empty()) {
    for (int64_t i = 0; i < rank; ++i) out[i] = rank - 1 - i;
    return out;
  }
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (size_t i = 0; valid && i < perm.size(); ++i) {
    const int64_t p = perm[i] < 0 ? perm[i] + rank : perm[i];
    valid = p >= 0 && p < rank && !seen[p];
    if (valid) seen[p] = true, out[i] = p;
  }
  if (!valid) {
    return InvalidArgument("Transpose: perm " + IntsText(perm) + " is not a permutation of rank " +
                           std::to_string(rank));
  }
  return out;
}

std::vector<int64_t> ReadInts(const Tensor& t) { return t.ToInt64Vector(); }

Status Reshape(const KernelContext& ctx) {
  const Tensor& data = *ctx.inputs[0];
  HETERO_ASSIGN_OR_RETURN(Shape target, ReshapeShape(data.type().shape, ReadInts(*ctx.inputs[1]),
                                                     ctx.attrs.GetInt("allowzero", 0) != 0));
  if (!target.is_static()) return Internal("Reshape: target " + target.ToString() + " is open");
  HETERO_RETURN_IF_ERROR(CheckOut("Reshape", *ctx.outputs[0], *target.StaticDims(), data.dtype()));
  return CopyAll("Reshape", data, *ctx.outputs[0]);
}

Status Squeeze(const KernelContext& ctx) {
  return CopyAll("Squeeze", *ctx.inputs[0], *ctx.outputs[0]);
}

Status Unsqueeze(const KernelContext& ctx) {
  return CopyAll("Unsqueeze", *ctx.inputs[0], *ctx.outputs[0]);
}

Status Transpose(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const auto rank = static_cast<int64_t>(x.rank());
  HETERO_ASSIGN_OR_RETURN(std::vector<int64_t> perm,
                          NormalizePerm(ctx.attrs.GetInts("perm"), rank));
  const std::vector<int64_t> in_strides = ContiguousStrides(x.dims());
  std::vector<int64_t> dims(perm.size()), strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    dims[i] = x.dim(perm[i]);
    strides[i] = in_strides[perm[i]];
  }
  HETERO_RETURN_IF_ERROR(CheckOut("Transpose", *ctx.outputs[0], dims, x.dtype()));
  StridedCopy(x, 0, strides, *ctx.outputs[0]);
  return OkStatus();
}

Status Concat(const KernelContext& ctx) {
  const Tensor& first = *ctx.inputs[0];
  if (first.rank() == 0) return InvalidArgument("Concat: inputs are scalars");
  HETERO_ASSIGN_OR_RETURN(
      int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", 0), static_cast<int64_t>(first.rank())));
  std::vector<int64_t> dims = first.dims();
  dims[axis] = 0;
  for (const Tensor* t : ctx.inputs) {
    std::vector<int64_t> d = t->dims();
    if (d.size() != dims.size() || t->dtype() != first.dtype()) {
      return InvalidArgument("Concat: input " + t->type().ToString() + " does not match " +
                             first.type().ToString());
    }
    const int64_t along = d[axis];
    d[axis] = dims[axis];
    if (d != dims) {
      return InvalidArgument("Concat: input " + t->type().ToString() + " differs from " +
                             first.type().ToString() + " off axis " + std::to_string(axis));
    }
    dims[axis] += along;
  }
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOut("Concat", out, dims, first.dtype()));
  const int64_t outer = Product(dims, 0, static_cast<size_t>(axis));
  auto* dst = static_cast<uint8_t*>(out.mutable_raw());
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor* t : ctx.inputs) {
      const size_t chunk = t->byte_size() / static_cast<size_t>(std::max<int64_t>(outer, 1));
      std::memcpy(dst, static_cast<const uint8_t*>(t->raw()) + o * chunk, chunk);
      dst += chunk;
    }
  }
  return OkStatus();
}

Status Split(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const Tensor* split = ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr;
  if (x.rank() == 0) return InvalidArgument("Split: input is a scalar");
  HETERO_ASSIGN_OR_RETURN(
      int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", 0), static_cast<int64_t>(x.rank())));
  std::vector<int64_t> split_values;
  if (split != nullptr) split_values = ReadInts(*split);
  HETERO_ASSIGN_OR_RETURN(
      std::vector<int64_t> sizes,
      SplitSizes(x.dim(axis), split ? &split_values : nullptr, ctx.outputs.size()));
  const int64_t outer = Product(x.dims(), 0, static_cast<size_t>(axis));
  const size_t row =
      static_cast<size_t>(Product(x.dims(), axis + 1, x.rank())) * DTypeSize(x.dtype());
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::vector<int64_t> dims = x.dims();
    dims[axis] = sizes[i];
    HETERO_RETURN_IF_ERROR(CheckOut("Split", *ctx.outputs[i], dims, x.dtype()));
  }
  const auto* src = static_cast<const uint8_t*>(x.raw());
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < sizes.size(); ++i) {
      const size_t chunk = static_cast<size_t>(sizes[i]) * row;
      std::memcpy(static_cast<uint8_t*>(ctx.outputs[i]->mutable_raw()) + o * chunk, src, chunk);
      src += chunk;
    }
  }
  return OkStatus();
}

Status Slice(const KernelContext& ctx) {
  const Tensor& data = *ctx.inputs[0];
  auto optional = [&](size_t i) { return ctx.inputs.size() > i && ctx.inputs[i] != nullptr; };
  std::vector<int64_t> axes, steps;
  if (optional(3)) axes = ReadInts(*ctx.inputs[3]);
  if (optional(4)) steps = ReadInts(*ctx.inputs[4]);
  HETERO_ASSIGN_OR_RETURN(std::vector<SliceRange> ranges,
                          SliceRanges(static_cast<int64_t>(data.rank()), ReadInts(*ctx.inputs[1]),
                                      ReadInts(*ctx.inputs[2]), optional(3) ? &axes : nullptr,
                                      optional(4) ? &steps : nullptr));
  std::vector<int64_t> dims = data.dims();
  std::vector<int64_t> strides = ContiguousStrides(data.dims());
  int64_t base = 0;
  for (SliceRange& r : ranges) {
    dims[r.axis] = ClampSlice(r, data.dim(r.axis));
    base += r.start * strides[r.axis];
    strides[r.axis] *= r.step;
  }
  HETERO_RETURN_IF_ERROR(CheckOut("Slice", *ctx.outputs[0], dims, data.dtype()));
  StridedCopy(data, base, strides, *ctx.outputs[0]);
  return OkStatus();
}

Status Gather(const KernelContext& ctx) {
  const Tensor& data = *ctx.inputs[0];
  const Tensor& indices = *ctx.inputs[1];
  if (data.rank() == 0) return InvalidArgument("Gather: data is a scalar");
  HETERO_ASSIGN_OR_RETURN(
      int64_t axis, NormalizeAxis(ctx.attrs.GetInt("axis", 0), static_cast<int64_t>(data.rank())));
  auto index = NormalizeIndices(indices, data.dim(axis));
  if (!index.ok()) return index.status().WithContext("Gather along axis " + std::to_string(axis));
  std::vector<int64_t> dims(data.dims().begin(), data.dims().begin() + axis);
  dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
  dims.insert(dims.end(), data.dims().begin() + axis + 1, data.dims().end());
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOut("Gather", out, dims, data.dtype()));
  const int64_t outer = Product(data.dims(), 0, static_cast<size_t>(axis));
  const size_t row =
      static_cast<size_t>(Product(data.dims(), axis + 1, data.rank())) * DTypeSize(data.dtype());
  const auto* src = static_cast<const uint8_t*>(data.raw());
  auto* dst = static_cast<uint8_t*>(out.mutable_raw());
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* block = src + static_cast<size_t>(o * data.dim(axis)) * row;
    for (int64_t i : *index) {
      std::memcpy(dst, block + static_cast<size_t>(i) * row, row);
      dst += row;
    }
  }
  return OkStatus();
}

Status Expand(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  const std::vector<int64_t> shape = ReadInts(*ctx.inputs[1]);
  for (int64_t d : shape) {
    if (d < 0) return InvalidArgument("Expand: shape " + IntsText(shape) + " has a negative dim");
  }
  auto dims = BroadcastDims(x.dims(), shape);
  if (!dims.ok()) return dims.status().WithContext("Expand");
  HETERO_RETURN_IF_ERROR(CheckOut("Expand", *ctx.outputs[0], *dims, x.dtype()));
  StridedCopy(x, 0, BroadcastStrides(x.dims(), *dims), *ctx.outputs[0]);
  return OkStatus();
}

Status Trilu(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  Tensor& out = *ctx.outputs[0];
  if (x.rank() < 2) return InvalidArgument("Trilu: input " + x.type().ToString() + " has rank < 2");
  HETERO_RETURN_IF_ERROR(CheckOut("Trilu", out, x.dims(), x.dtype()));
  const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
  const Tensor* k_input = ctx.inputs.size() > 1 ? ctx.inputs[1] : nullptr;
  if (k_input != nullptr && k_input->num_elements() != 1) {
    return InvalidArgument("Trilu: k must be a scalar, got " + k_input->type().ToString());
  }
  const int64_t limit = rows + cols + 1;  // any |k| beyond keeps or drops everything
  const int64_t k = std::clamp<int64_t>(k_input ? k_input->GetInt64(0) : 0, -limit, limit);
  const bool upper = ctx.attrs.GetInt("upper", 1) != 0;
  const size_t esize = DTypeSize(x.dtype());
  const int64_t num_rows = rows == 0 || cols == 0 ? 0 : x.num_elements() / cols;
  for (int64_t r = 0; r < num_rows; ++r) {
    const int64_t i = r % rows;
    // Columns [lo, hi) are kept: j - i >= k (upper) or j - i <= k (lower).
    const int64_t lo = upper ? std::clamp<int64_t>(i + k, 0, cols) : 0;
    const int64_t hi = upper ? cols : std::clamp<int64_t>(i + k + 1, 0, cols);
    auto* dst = static_cast<uint8_t*>(out.mutable_raw()) + r * cols * esize;
    const auto* src = static_cast<const uint8_t*>(x.raw()) + r * cols * esize;
    std::memset(dst, 0, static_cast<size_t>(cols) * esize);
    if (hi > lo) {
      std::memcpy(dst + lo * esize, src + lo * esize, static_cast<size_t>(hi - lo) * esize);
    }
  }
  return OkStatus();
}

Status Range(const KernelContext& ctx) {
  const Tensor& start = *ctx.inputs[0];
  const Tensor& delta = *ctx.inputs[2];
  HETERO_ASSIGN_OR_RETURN(int64_t n, RangeLength(start, *ctx.inputs[1], delta));
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOut("Range", out, {n}, start.dtype()));
  if (IsFloat(start.dtype())) {
    const double s = start.GetDouble(0), d = delta.GetDouble(0);
    for (int64_t i = 0; i < n; ++i) out.SetDouble(i, s + static_cast<double>(i) * d);
    return OkStatus();
  }
  const int64_t s = start.GetInt64(0), d = delta.GetInt64(0);
  for (int64_t i = 0; i < n; ++i) {
    out.SetInt64(i, static_cast<int64_t>(s + static_cast<__int128>(i) * d));
  }
  return OkStatus();
}

Status ConstantOfShape(const KernelContext& ctx) {
  const std::vector<int64_t> dims = ReadInts(*ctx.inputs[0]);
  Tensor& out = *ctx.outputs[0];
  const auto dtype = ParseDType(ctx.attrs.GetString("dtype", "f32"));
  if (!dtype) return InvalidArgument("ConstantOfShape: unknown dtype");
  HETERO_RETURN_IF_ERROR(CheckOut("ConstantOfShape", out, dims, *dtype));
  if (out.num_elements() == 0) return OkStatus();
  const AttrValue* value = ctx.attrs.Find("value");
  if (value != nullptr && std::holds_alternative<int64_t>(*value)) {
    out.SetInt64(0, std::get<int64_t>(*value));  // exact for large integers
  } else {
    out.SetDouble(0, ctx.attrs.GetFloat("value", 0.0));
  }
  const size_t esize = DTypeSize(*dtype);
  auto* bytes = static_cast<uint8_t*>(out.mutable_raw());
  for (int64_t i = 1; i < out.num_elements(); ++i) std::memcpy(bytes + i * esize, bytes, esize);
  return OkStatus();
}

Status ShapeOf(const KernelContext& ctx) {
  const Tensor& x = *ctx.inputs[0];
  SliceRange range{0, ctx.attrs.GetInt("start", 0),
                   ctx.attrs.GetInt("end", static_cast<int64_t>(x.rank())), 1};
  const int64_t n = ClampSlice(range, static_cast<int64_t>(x.rank()));
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOut("Shape", out, {n}, DType::kI64));
  for (int64_t i = 0; i < n; ++i) out.mutable_data<int64_t>()[i] = x.dim(range.start + i);
  return OkStatus();
}

Status Size(const KernelContext& ctx) {
  Tensor& out = *ctx.outputs[0];
  HETERO_RETURN_IF_ERROR(CheckOut("Size", out, {}, DType::kI64));
  out.mutable_data<int64_t>()[0] = ctx.inputs[0]->num_elements();
  return OkStatus();
}

}  // namespace hetero::ops::reference
