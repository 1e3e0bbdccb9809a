// Shape and Dim: printing, static views and checked element counts.
#include "hetero/shape.h"

namespace hetero {

Dim Dim::Symbol(std::string name) {
  Dim d;
  d.symbol_ = std::move(name);
  return d;
}

std::string Dim::ToString() const {
  if (is_static()) return std::to_string(value_);
  if (is_symbol()) return symbol_;
  return "?";
}

Shape Shape::FromStatic(const std::vector<int64_t>& dims) {
  std::vector<Dim> out;
  out.reserve(dims.size());
  for (int64_t d : dims) out.emplace_back(d);
  return Shape(std::move(out));
}

bool Shape::is_static() const {
  for (const Dim& d : dims_) {
    if (!d.is_static()) return false;
  }
  return true;
}

std::optional<std::vector<int64_t>> Shape::StaticDims() const {
  std::vector<int64_t> out;
  out.reserve(dims_.size());
  for (const Dim& d : dims_) {
    if (!d.is_static()) return std::nullopt;
    out.push_back(d.value());
  }
  return out;
}

std::string Shape::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += dims_[i].ToString();
  }
  return s + "]";
}

std::string TensorType::ToString() const {
  return std::string(DTypeName(dtype)) + shape.ToString();
}

StatusOr<int64_t> CheckedElementCount(const std::vector<int64_t>& dims, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return InvalidArgument("negative dimension " + std::to_string(d));
  }
  for (int64_t d : dims) {
    if (d == 0) return int64_t{0};
  }
  for (int64_t d : dims) {
    if (n > limit / d) {
      std::string s;
      for (int64_t x : dims) s += (s.empty() ? "" : "x") + std::to_string(x);
      return ResourceExhausted("dims " + s + " hold more than " + std::to_string(limit) +
                               " elements");
    }
    n *= d;
  }
  return n;
}

bool DimsCompatible(const Dim& a, const Dim& b) {
  if (a.is_static() && b.is_static()) return a.value() == b.value();
  return true;
}

}  // namespace hetero
