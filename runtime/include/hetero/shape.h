// Shape: tensor dimensions that are numbers, named symbols ("batch") or unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/status.h"

namespace hetero {

// One dimension: a known size, a symbol shared by every dim of that name in a graph,
// or unknown (computed only when the graph runs).
class Dim {
 public:
  Dim() = default;  // unknown
  Dim(int64_t value) : value_(value) {}
  static Dim Symbol(std::string name);
  static Dim Unknown() { return Dim(); }

  bool is_static() const { return value_ >= 0; }
  bool is_symbol() const { return value_ < 0 && !symbol_.empty(); }
  bool is_unknown() const { return value_ < 0 && symbol_.empty(); }
  int64_t value() const { return value_; }  // -1 unless static
  const std::string& symbol() const { return symbol_; }
  std::string ToString() const;  // "768", "batch" or "?"

  bool operator==(const Dim& other) const = default;

 private:
  int64_t value_ = -1;
  std::string symbol_;
};

class Shape {
 public:
  Shape() = default;  // rank 0
  Shape(std::vector<Dim> dims) : dims_(std::move(dims)) {}
  Shape(std::initializer_list<Dim> dims) : dims_(dims) {}
  static Shape FromStatic(const std::vector<int64_t>& dims);

  size_t rank() const { return dims_.size(); }
  const Dim& operator[](size_t i) const { return dims_[i]; }
  Dim& operator[](size_t i) { return dims_[i]; }
  const std::vector<Dim>& dims() const { return dims_; }
  std::vector<Dim>& dims() { return dims_; }
  bool is_static() const;
  // The sizes when every dim is static.
  std::optional<std::vector<int64_t>> StaticDims() const;
  std::string ToString() const;  // "[batch,seq,768]"

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<Dim> dims_;
};

// The type of an IR value: element type and shape.
struct TensorType {
  DType dtype = DType::kF32;
  Shape shape;
  std::string ToString() const;  // "f32[batch,seq,768]"
  bool operator==(const TensorType& other) const = default;
};

// Product of dims, or an error when any dim is negative or the product overflows
// `limit` elements. Used before every allocation a file can influence.
StatusOr<int64_t> CheckedElementCount(const std::vector<int64_t>& dims, int64_t limit = INT64_MAX);

// Whether two dims can denote the same size (an unknown dim matches anything;
// different symbols may too). Used by the verifier.
bool DimsCompatible(const Dim& a, const Dim& b);

}  // namespace hetero
