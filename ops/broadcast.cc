// Broadcasting of shapes and the multi-operand index walker.
#include "ops/broadcast.h"

#include <algorithm>

namespace hetero::ops {

StatusOr<Shape> BroadcastShapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.rank(), b.rank());
  std::vector<Dim> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const bool has_a = i < a.rank();
    const bool has_b = i < b.rank();
    const Dim da = has_a ? a[a.rank() - 1 - i] : Dim(1);
    const Dim db = has_b ? b[b.rank() - 1 - i] : Dim(1);
    Dim r;
    if (da.is_static() && db.is_static()) {
      if (da.value() != db.value() && da.value() != 1 && db.value() != 1) {
        return InvalidArgument("cannot broadcast " + a.ToString() + " with " + b.ToString());
      }
      r = da.value() == 1 ? db : da;
    } else if (da.is_static() && da.value() == 1) {
      r = db;
    } else if (db.is_static() && db.value() == 1) {
      r = da;
    } else if (da.is_static()) {
      r = da;
    } else if (db.is_static()) {
      r = db;
    } else if (da == db) {
      r = da;
    } else {
      r = Dim::Unknown();
    }
    out[rank - 1 - i] = r;
  }
  return Shape(std::move(out));
}

StatusOr<std::vector<int64_t>> BroadcastDims(const std::vector<int64_t>& a,
                                             const std::vector<int64_t>& b) {
  HETERO_ASSIGN_OR_RETURN(Shape s, BroadcastShapes(Shape::FromStatic(a), Shape::FromStatic(b)));
  return *s.StaticDims();
}

std::vector<int64_t> ContiguousStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return strides;
}

std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& in_dims,
                                      const std::vector<int64_t>& out_dims) {
  std::vector<int64_t> strides(out_dims.size(), 0);
  const std::vector<int64_t> in_strides = ContiguousStrides(in_dims);
  const size_t offset = out_dims.size() - in_dims.size();
  for (size_t i = 0; i < in_dims.size(); ++i) {
    strides[offset + i] = in_dims[i] == 1 ? 0 : in_strides[i];
  }
  return strides;
}

BroadcastIter::BroadcastIter(const std::vector<int64_t>& dims,
                             std::vector<std::vector<int64_t>> strides)
    : dims_(dims),
      strides_(std::move(strides)),
      index_(dims.size(), 0),
      offsets_(strides_.size(), 0) {
  done_ = std::any_of(dims_.begin(), dims_.end(), [](int64_t d) { return d == 0; });
}

void BroadcastIter::Next() {
  ++linear_;
  for (size_t d = dims_.size(); d-- > 0;) {
    if (++index_[d] < dims_[d]) {
      for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] += strides_[k][d];
      return;
    }
    index_[d] = 0;
    for (size_t k = 0; k < offsets_.size(); ++k) offsets_[k] -= strides_[k][d] * (dims_[d] - 1);
  }
  done_ = true;
}

StatusOr<int64_t> NormalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " +
                           std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

}  // namespace hetero::ops
