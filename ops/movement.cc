// Schemas of the data-movement op family: shape inference over symbolic dims, using an
// input's value (a shape, starts, indices) whenever it is known.
#include "ops/reference/movement.h"

#include <algorithm>
#include <iterator>

#include "ops/broadcast.h"
#include "ops/cost.h"
#include "ops/schema.h"

namespace hetero::ops {

namespace {

using Types = std::vector<TensorType>;
using reference::ReadInts;

constexpr int64_t kToEnd = 2147483647;  // a Slice end at or past this means "to the end"

std::vector<DType> AllTypes() { return {std::begin(kAllDTypes), std::end(kAllDTypes)}; }

Status NeedInputs(const InferContext& ctx, std::string_view op, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!ctx.has_input(i)) {
      return InvalidArgument(std::string(op) + " needs input " + std::to_string(i));
    }
  }
  return OkStatus();
}

// An axis in [-rank, rank), made non-negative.
StatusOr<int64_t> Axis(std::string_view op, int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return InvalidArgument(std::string(op) + ": axis " + std::to_string(axis) +
                           " is out of range for rank " + std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

// An integer index-like input (a shape, starts, indices): `dtypes` and at most `rank`.
Status CheckIndexInput(std::string_view op, std::string_view name, const TensorType& t,
                       bool allow_i32, size_t max_rank = 1) {
  const bool ok_type = t.dtype == DType::kI64 || (allow_i32 && t.dtype == DType::kI32);
  if (ok_type && t.shape.rank() <= max_rank) return OkStatus();
  return InvalidArgument(std::string(op) + ": " + std::string(name) + " is " + t.ToString() +
                         ", expected " + (allow_i32 ? "i64 or i32" : "i64") +
                         (max_rank == 1 ? " 1-D" : ""));
}

// Unknown dims, one per entry of a 1-D shape input whose value is not known.
StatusOr<Shape> UnknownDimsOf(std::string_view op, const TensorType& shape) {
  if (shape.shape.rank() != 1 || !shape.shape[0].is_static()) {
    return InvalidArgument(std::string(op) + ": the length of the shape input " + shape.ToString() +
                           " must be known to give the output a rank");
  }
  return Shape(std::vector<Dim>(static_cast<size_t>(shape.shape[0].value())));
}

// Two dims that must be equal: the more specific one, or an error for two numbers.
StatusOr<Dim> UnifyDim(std::string_view op, const Dim& a, const Dim& b) {
  if (a.is_static() && b.is_static() && a.value() != b.value()) {
    return InvalidArgument(std::string(op) + ": dims " + a.ToString() + " and " + b.ToString() +
                           " differ");
  }
  if (a.is_static() || b.is_unknown()) return a;
  if (b.is_static() || a.is_unknown()) return b;
  return a == b ? a : Dim::Unknown();
}

StatusOr<Types> InferReshape(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Reshape", 2));
  const TensorType& data = ctx.input(0);
  HETERO_RETURN_IF_ERROR(CheckIndexInput("Reshape", "shape", ctx.input(1), false));
  if (const Tensor* shape = ctx.value(1)) {
    HETERO_ASSIGN_OR_RETURN(Shape out,
                            reference::ReshapeShape(data.shape, ReadInts(*shape),
                                                    ctx.attrs.GetInt("allowzero", 0) != 0));
    return Types{{data.dtype, out}};
  }
  HETERO_ASSIGN_OR_RETURN(Shape out, UnknownDimsOf("Reshape", ctx.input(1)));
  return Types{{data.dtype, out}};
}

StatusOr<Types> InferSqueeze(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Squeeze", 1));
  const TensorType& x = ctx.input(0);
  const std::vector<int64_t> axes = ctx.attrs.GetInts("axes");
  std::vector<bool> drop(x.shape.rank(), false);
  for (size_t i = 0; axes.empty() && i < x.shape.rank(); ++i) {
    drop[i] = x.shape[i].is_static() && x.shape[i].value() == 1;  // symbols are kept
  }
  for (int64_t a : axes) {
    HETERO_ASSIGN_OR_RETURN(int64_t axis, Axis("Squeeze", a, x.shape.rank()));
    const Dim& d = x.shape[axis];
    if (drop[axis]) return InvalidArgument("Squeeze: axis " + std::to_string(a) + " repeats");
    if (d.is_static() && d.value() != 1) {
      return InvalidArgument("Squeeze: dim " + std::to_string(axis) + " of " + x.ToString() +
                             " is " + d.ToString() + ", not 1");
    }
    drop[axis] = true;
  }
  std::vector<Dim> dims;
  for (size_t i = 0; i < drop.size(); ++i) {
    if (!drop[i]) dims.push_back(x.shape[i]);
  }
  return Types{{x.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferUnsqueeze(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Unsqueeze", 1));
  const TensorType& x = ctx.input(0);
  const std::vector<int64_t> axes = ctx.attrs.GetInts("axes");
  const size_t rank = x.shape.rank() + axes.size();
  std::vector<bool> added(rank, false);
  for (int64_t a : axes) {
    HETERO_ASSIGN_OR_RETURN(int64_t axis, Axis("Unsqueeze", a, rank));
    if (added[axis]) return InvalidArgument("Unsqueeze: axis " + std::to_string(a) + " repeats");
    added[axis] = true;
  }
  std::vector<Dim> dims;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i) dims.push_back(added[i] ? Dim(1) : x.shape[next++]);
  return Types{{x.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferTranspose(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Transpose", 1));
  const TensorType& x = ctx.input(0);
  HETERO_ASSIGN_OR_RETURN(
      std::vector<int64_t> perm,
      reference::NormalizePerm(ctx.attrs.GetInts("perm"), static_cast<int64_t>(x.shape.rank())));
  std::vector<Dim> dims;
  for (int64_t p : perm) dims.push_back(x.shape[p]);
  return Types{{x.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferConcat(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Concat", std::max<size_t>(ctx.num_inputs(), 1)));
  const TensorType& first = ctx.input(0);
  HETERO_ASSIGN_OR_RETURN(int64_t axis,
                          Axis("Concat", ctx.attrs.GetInt("axis", 0), first.shape.rank()));
  std::vector<Dim> dims = first.shape.dims();
  int64_t static_sum = 0;
  std::vector<Dim> open;  // non-static dims along the axis
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const TensorType& t = ctx.input(i);
    if (t.dtype != first.dtype || t.shape.rank() != first.shape.rank()) {
      return InvalidArgument("Concat: input " + std::to_string(i) + " is " + t.ToString() +
                             ", but input 0 is " + first.ToString());
    }
    for (size_t d = 0; d < dims.size(); ++d) {
      if (static_cast<int64_t>(d) == axis) continue;
      auto joined = UnifyDim("Concat", dims[d], t.shape[d]);
      if (!joined.ok()) return joined.status().WithContext("input " + std::to_string(i));
      dims[d] = *joined;
    }
    const Dim& along = t.shape[axis];
    if (along.is_static()) {
      static_sum += along.value();
    } else {
      open.push_back(along);
    }
  }
  if (open.empty()) {
    dims[axis] = Dim(static_sum);
  } else {
    dims[axis] = open.size() == 1 && static_sum == 0 ? open[0] : Dim::Unknown();
  }
  return Types{{first.dtype, Shape(std::move(dims))}};
}

// Split sizes along a non-static dim: from a known `split`, else unknown.
StatusOr<std::vector<Dim>> OpenSplitSizes(const InferContext& ctx, const Dim& dim) {
  std::vector<Dim> sizes(ctx.num_outputs);
  if (ctx.has_input(1) && ctx.value(1) != nullptr) {
    const std::vector<int64_t> split = ReadInts(*ctx.value(1));
    if (split.size() != ctx.num_outputs) {
      return InvalidArgument("Split: split has " + std::to_string(split.size()) + " entries for " +
                             std::to_string(ctx.num_outputs) + " outputs");
    }
    for (size_t i = 0; i < split.size(); ++i) {
      if (split[i] < 0) return InvalidArgument("Split: split has a negative size");
      sizes[i] = Dim(split[i]);
    }
  } else if (!ctx.has_input(1) && ctx.num_outputs == 1) {
    sizes[0] = dim;
  }
  return sizes;
}

StatusOr<Types> InferSplit(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Split", 1));
  const TensorType& x = ctx.input(0);
  HETERO_ASSIGN_OR_RETURN(int64_t axis, Axis("Split", ctx.attrs.GetInt("axis", 0), x.shape.rank()));
  const int64_t num_outputs = ctx.attrs.GetInt("num_outputs", 0);
  if (num_outputs > 0 &&
      (ctx.has_input(1) || static_cast<size_t>(num_outputs) != ctx.num_outputs)) {
    return InvalidArgument("Split: num_outputs " + std::to_string(num_outputs) + " with " +
                           (ctx.has_input(1) ? std::string("a split input")
                                             : std::to_string(ctx.num_outputs) + " outputs"));
  }
  if (ctx.has_input(1)) {
    HETERO_RETURN_IF_ERROR(CheckIndexInput("Split", "split", ctx.input(1), false));
  }
  const Dim& dim = x.shape[axis];
  std::vector<Dim> sizes;
  if (dim.is_static() && (!ctx.has_input(1) || ctx.value(1) != nullptr)) {
    std::vector<int64_t> split;
    if (ctx.has_input(1)) split = ReadInts(*ctx.value(1));
    HETERO_ASSIGN_OR_RETURN(
        std::vector<int64_t> s,
        reference::SplitSizes(dim.value(), ctx.has_input(1) ? &split : nullptr, ctx.num_outputs));
    for (int64_t v : s) sizes.emplace_back(v);
  } else {
    HETERO_ASSIGN_OR_RETURN(sizes, OpenSplitSizes(ctx, dim));
  }
  Types out;
  for (const Dim& size : sizes) {
    TensorType t = x;
    t.shape[axis] = size;
    out.push_back(std::move(t));
  }
  return out;
}

// Slice's output dims when some of its index inputs are not known.
std::vector<Dim> OpenSliceDims(const InferContext& ctx, std::vector<Dim> dims) {
  std::vector<int64_t> axes;
  if (ctx.has_input(3) && ctx.value(3) != nullptr) {
    axes = ReadInts(*ctx.value(3));
  } else if (!ctx.has_input(3) && ctx.input(1).shape.rank() == 1 &&
             ctx.input(1).shape[0].is_static()) {
    for (int64_t i = 0; i < ctx.input(1).shape[0].value(); ++i) axes.push_back(i);
  } else {
    return std::vector<Dim>(dims.size());
  }
  for (int64_t a : axes) {
    auto axis = Axis("Slice", a, dims.size());
    if (!axis.ok()) return std::vector<Dim>(dims.size());
    dims[*axis] = Dim::Unknown();
  }
  return dims;
}

StatusOr<Types> InferSlice(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Slice", 3));
  const TensorType& data = ctx.input(0);
  const char* names[] = {"data", "starts", "ends", "axes", "steps"};
  bool known = true;
  std::vector<int64_t> v[5];
  for (size_t i = 1; i < 5; ++i) {
    if (!ctx.has_input(i)) continue;
    HETERO_RETURN_IF_ERROR(CheckIndexInput("Slice", names[i], ctx.input(i), true));
    known = known && ctx.value(i) != nullptr;
    if (ctx.value(i) != nullptr) v[i] = ReadInts(*ctx.value(i));
  }
  if (!known) return Types{{data.dtype, Shape(OpenSliceDims(ctx, data.shape.dims()))}};
  HETERO_ASSIGN_OR_RETURN(std::vector<reference::SliceRange> ranges,
                          reference::SliceRanges(static_cast<int64_t>(data.shape.rank()), v[1],
                                                 v[2], ctx.has_input(3) ? &v[3] : nullptr,
                                                 ctx.has_input(4) ? &v[4] : nullptr));
  std::vector<Dim> dims = data.shape.dims();
  for (reference::SliceRange& r : ranges) {
    Dim& d = dims[r.axis];
    const bool whole = (r.step == 1 && r.start == 0 && r.end >= kToEnd) ||
                       (r.step == -1 && (r.start == -1 || r.start >= kToEnd) && r.end <= -kToEnd);
    if (d.is_static()) {
      d = Dim(reference::ClampSlice(r, d.value()));
    } else if (!whole) {
      d = Dim::Unknown();
    }
  }
  return Types{{data.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferGather(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Gather", 2));
  const TensorType& data = ctx.input(0);
  const TensorType& indices = ctx.input(1);
  HETERO_RETURN_IF_ERROR(CheckIndexInput("Gather", "indices", indices, true, 64));
  HETERO_ASSIGN_OR_RETURN(int64_t axis,
                          Axis("Gather", ctx.attrs.GetInt("axis", 0), data.shape.rank()));
  if (ctx.value(1) != nullptr && data.shape[axis].is_static()) {  // catch bad constants early
    auto checked = reference::NormalizeIndices(*ctx.value(1), data.shape[axis].value());
    if (!checked.ok()) {
      return checked.status().WithContext("Gather along axis " + std::to_string(axis));
    }
  }
  const std::vector<Dim>& d = data.shape.dims();
  std::vector<Dim> dims(d.begin(), d.begin() + axis);
  dims.insert(dims.end(), indices.shape.dims().begin(), indices.shape.dims().end());
  dims.insert(dims.end(), d.begin() + axis + 1, d.end());
  return Types{{data.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferExpand(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Expand", 2));
  const TensorType& x = ctx.input(0);
  HETERO_RETURN_IF_ERROR(CheckIndexInput("Expand", "shape", ctx.input(1), false));
  if (const Tensor* shape = ctx.value(1)) {
    const std::vector<int64_t> dims = ReadInts(*shape);
    for (int64_t d : dims) {
      if (d < 0) return InvalidArgument("Expand: shape has a negative dim " + std::to_string(d));
    }
    auto out = BroadcastShapes(x.shape, Shape::FromStatic(dims));
    if (!out.ok()) return out.status().WithContext("Expand");
    return Types{{x.dtype, *out}};
  }
  HETERO_ASSIGN_OR_RETURN(Shape target, UnknownDimsOf("Expand", ctx.input(1)));
  const size_t rank = std::max(target.rank(), x.shape.rank());
  std::vector<Dim> dims(rank);
  for (size_t i = 0; i < x.shape.rank(); ++i) {  // right-aligned
    const Dim& d = x.shape[x.shape.rank() - 1 - i];
    // Past the shape's length x's dim stays; a static dim other than 1 always does.
    if (i >= target.rank() || (d.is_static() && d.value() != 1)) dims[rank - 1 - i] = d;
  }
  return Types{{x.dtype, Shape(std::move(dims))}};
}

StatusOr<Types> InferTrilu(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Trilu", 1));
  const TensorType& x = ctx.input(0);
  if (x.shape.rank() < 2) return InvalidArgument("Trilu: input " + x.ToString() + " has rank < 2");
  if (ctx.has_input(1)) HETERO_RETURN_IF_ERROR(CheckIndexInput("Trilu", "k", ctx.input(1), false));
  return Types{x};
}

StatusOr<Types> InferRange(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Range", 3));
  const DType dtype = ctx.input(0).dtype;
  if (dtype != DType::kF32 && dtype != DType::kI64 && dtype != DType::kI32) {
    return InvalidArgument("Range: start is " + ctx.input(0).ToString() +
                           ", expected f32, i64 or i32");
  }
  for (size_t i = 0; i < 3; ++i) {
    const TensorType& t = ctx.input(i);
    if (t.dtype != dtype || t.shape.rank() > 1) {
      return InvalidArgument("Range: start, limit and delta must be scalars of one dtype, got " +
                             t.ToString());
    }
  }
  if (ctx.value(0) && ctx.value(1) && ctx.value(2)) {
    HETERO_ASSIGN_OR_RETURN(int64_t n,
                            reference::RangeLength(*ctx.value(0), *ctx.value(1), *ctx.value(2)));
    return Types{{dtype, Shape{Dim(n)}}};
  }
  return Types{{dtype, Shape{Dim::Unknown()}}};
}

StatusOr<Types> InferConstantOfShape(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "ConstantOfShape", 1));
  HETERO_RETURN_IF_ERROR(CheckIndexInput("ConstantOfShape", "shape", ctx.input(0), false));
  const std::string name = ctx.attrs.GetString("dtype", "f32");
  const std::optional<DType> dtype = ParseDType(name);
  if (!dtype) return InvalidArgument("ConstantOfShape: unknown dtype '" + name + "'");
  if (const Tensor* shape = ctx.value(0)) {
    const std::vector<int64_t> dims = ReadInts(*shape);
    for (int64_t d : dims) {
      if (d < 0) return InvalidArgument("ConstantOfShape: negative dim " + std::to_string(d));
    }
    return Types{{*dtype, Shape::FromStatic(dims)}};
  }
  HETERO_ASSIGN_OR_RETURN(Shape out, UnknownDimsOf("ConstantOfShape", ctx.input(0)));
  return Types{{*dtype, out}};
}

StatusOr<Types> InferShape(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Shape", 1));
  const auto rank = static_cast<int64_t>(ctx.input(0).shape.rank());
  reference::SliceRange range{0, ctx.attrs.GetInt("start", 0), ctx.attrs.GetInt("end", rank), 1};
  return Types{{DType::kI64, Shape{Dim(reference::ClampSlice(range, rank))}}};
}

StatusOr<Types> InferSize(const InferContext& ctx) {
  HETERO_RETURN_IF_ERROR(NeedInputs(ctx, "Size", 1));
  return Types{{DType::kI64, Shape{}}};
}

// Data movement does no arithmetic: 0 FLOPs, every input read and output written.
OpCost CopyCost(const CostContext& ctx) { return OpCost{0, InputOutputBytes(ctx)}; }

// Reads only what it writes (plus its small index inputs), not the whole source.
OpCost SelectCost(const CostContext& ctx) {
  double bytes = 0;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (ctx.inputs[i] != nullptr) bytes += TensorBytes(*ctx.inputs[i]);
  }
  for (const TensorType& out : ctx.outputs) bytes += 2 * TensorBytes(out);
  return OpCost{0, bytes};
}

// Reads only metadata.
OpCost MetadataCost(const CostContext& ctx) {
  double bytes = 0;
  for (const TensorType& out : ctx.outputs) bytes += TensorBytes(out);
  return OpCost{0, bytes};
}

// One movement schema with a single output.
void Add(OpRegistry& registry, std::string name, std::string doc, int min_inputs, int max_inputs,
         std::vector<std::string> inputs, std::vector<AttrSpec> attrs, std::vector<DType> dtypes,
         InferFn infer, KernelFn kernel, CostFn cost = CopyCost) {
  registry.Add(OpSchema{.name = std::move(name),
                        .family = "movement",
                        .doc = std::move(doc),
                        .min_inputs = min_inputs,
                        .max_inputs = max_inputs,
                        .input_names = std::move(inputs),
                        .attrs = std::move(attrs),
                        .dtypes = std::move(dtypes),
                        .infer = infer,
                        .cost = cost,
                        .reference = kernel});
}

// Ops that rearrange dims: Reshape, Squeeze, Unsqueeze, Transpose, Concat, Split.
void RegisterLayoutOps(OpRegistry& registry) {
  const AttrKind kInt = AttrKind::kInt, kInts = AttrKind::kInts;
  Add(registry, "Reshape",
      "ONNX Reshape: 0 copies the input dim at that position (unless allowzero), one -1 is "
      "inferred from the element count.",
      2, 2, {"data", "shape"},
      {{"allowzero", kInt, false, "1: a 0 in shape is a zero dim, not a copy; default 0"}},
      AllTypes(), InferReshape, reference::Reshape);
  Add(registry, "Squeeze", "Removes the listed dims, which must be 1 (empty axes: every static 1).",
      1, 1, {"x"}, {{"axes", kInts, false, "dims to remove; default every dim of size 1"}},
      AllTypes(), InferSqueeze, reference::Squeeze);
  Add(registry, "Unsqueeze", "Inserts dims of size 1; axes index the output.", 1, 1, {"x"},
      {{"axes", kInts, true, "positions of the new dims in the output"}}, AllTypes(),
      InferUnsqueeze, reference::Unsqueeze);
  Add(registry, "Transpose", "Permutes the dims: output dim i is input dim perm[i].", 1, 1, {"x"},
      {{"perm", kInts, false, "a permutation of 0..rank-1; default reversed"}}, AllTypes(),
      InferTranspose, reference::Transpose);
  Add(registry, "Concat", "Joins inputs along an axis; every other dim must match.", 1, -1, {"x"},
      {{"axis", kInt, true, "the axis to join along"}}, AllTypes(), InferConcat, reference::Concat);
  registry.Add(OpSchema{
      .name = "Split",
      .family = "movement",
      .doc = "ONNX Split: sizes from the split input, else the node's output count of equal "
             "parts of ceil(dim / outputs), the last one smaller.",
      .min_inputs = 1,
      .max_inputs = 2,
      .min_outputs = 1,
      .max_outputs = -1,
      .input_names = {"x", "split"},
      .attrs = {{"axis", kInt, false, "the axis to split; default 0"},
                {"num_outputs", kInt, false, "the output count, when given; default 0 (unset)"}},
      .dtypes = AllTypes(),
      .infer = InferSplit,
      .cost = CopyCost,
      .reference = reference::Split});
}

// Ops that select, fill or describe: Slice, Gather, Expand, Trilu, Range, ConstantOfShape,
// Shape, Size.
void RegisterSelectionOps(OpRegistry& registry) {
  const AttrKind kInt = AttrKind::kInt;
  Add(registry, "Slice",
      "ONNX Slice: per axis start, end, step; negative values count from the end, out of "
      "range values clamp, negative steps walk backwards.",
      3, 5, {"data", "starts", "ends", "axes", "steps"}, {}, AllTypes(), InferSlice,
      reference::Slice, SelectCost);
  Add(registry, "Gather",
      "ONNX Gather: output = data[:axis] + indices + data[axis+1:]; negative indices count "
      "from the end; an index out of range is an error naming it.",
      2, 2, {"data", "indices"}, {{"axis", kInt, false, "the axis indexed; default 0"}}, AllTypes(),
      InferGather, reference::Gather, SelectCost);
  Add(registry, "Expand", "ONNX Expand: the broadcast of x and the shape input.", 2, 2,
      {"x", "shape"}, {}, AllTypes(), InferExpand, reference::Expand);
  Add(registry, "Trilu",
      "Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims; "
      "zeros elsewhere.",
      1, 2, {"x", "k"}, {{"upper", kInt, false, "1: upper triangle, 0: lower; default 1"}},
      AllTypes(), InferTrilu, reference::Trilu);
  Add(registry, "Range",
      "start, start + delta, ... while below limit (above it for a negative delta); "
      "max(ceil((limit - start) / delta), 0) elements.",
      3, 3, {"start", "limit", "delta"}, {}, {DType::kF32, DType::kI64, DType::kI32}, InferRange,
      reference::Range);
  Add(registry, "ConstantOfShape", "A tensor of the given shape filled with one value.", 1, 1,
      {"shape"},
      {{"value", AttrKind::kFloat, false, "the fill value; default 0"},
       {"dtype", AttrKind::kString, false, "the output dtype name; default f32"}},
      {DType::kI64}, InferConstantOfShape, reference::ConstantOfShape);
  Add(registry, "Shape",
      "The dims start..end of x as i64 1-D (negative bounds count from the end, clamped).", 1, 1,
      {"x"},
      {{"start", kInt, false, "first dim; default 0"},
       {"end", kInt, false, "one past the last dim; default rank"}},
      AllTypes(), InferShape, reference::ShapeOf, MetadataCost);
  Add(registry, "Size", "The element count of x as an i64 scalar.", 1, 1, {"x"}, {}, AllTypes(),
      InferSize, reference::Size, MetadataCost);
}

}  // namespace

void RegisterMovementOps(OpRegistry& registry) {
  RegisterLayoutOps(registry);
  RegisterSelectionOps(registry);
}

}  // namespace hetero::ops
