// Tensor: a host tensor with concrete dims over owned or borrowed memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/shape.h"
#include "hetero/status.h"

namespace hetero {

// A dense, row-major host tensor. Copies share the same memory (like a shared_ptr);
// Clone() makes a deep copy. The memory is either allocated by Allocate (64-byte
// aligned, zero-filled) or borrowed from an owner kept alive by `keepalive` (a
// memory-mapped model file, for instance). Not thread-safe for concurrent writes.
class Tensor {
 public:
  Tensor() = default;

  // Checks the size before taking memory: refuses overflowing dims and anything
  // above MaxAllocationBytes().
  static StatusOr<Tensor> Allocate(DType dtype, std::vector<int64_t> dims);
  // Wraps memory owned elsewhere. `data` must hold ByteSize() bytes.
  static Tensor Borrow(DType dtype, std::vector<int64_t> dims, const void* data,
                       std::shared_ptr<const void> keepalive);
  // A tensor of one dtype built from values, for tests and constants.
  static Tensor FromInt64(std::vector<int64_t> dims, const std::vector<int64_t>& values,
                          DType dtype = DType::kI64);
  static Tensor FromFloat(std::vector<int64_t> dims, const std::vector<float>& values,
                          DType dtype = DType::kF32);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& dims() const { return dims_; }
  size_t rank() const { return dims_.size(); }
  int64_t dim(size_t i) const { return dims_[i]; }
  int64_t num_elements() const { return num_elements_; }
  size_t byte_size() const { return static_cast<size_t>(num_elements_) * DTypeSize(dtype_); }
  bool empty_storage() const { return data_ == nullptr && num_elements_ != 0; }
  TensorType type() const { return TensorType{dtype_, Shape::FromStatic(dims_)}; }

  const void* raw() const { return data_; }
  void* mutable_raw() { return data_; }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  T* mutable_data() {
    return static_cast<T*>(data_);
  }

  // Element access converting through double / int64 (slow; for tests and oracles).
  double GetDouble(int64_t i) const { return LoadAsDouble(dtype_, data_, i); }
  int64_t GetInt64(int64_t i) const { return LoadAsInt64(dtype_, data_, i); }
  void SetDouble(int64_t i, double v) { StoreFromDouble(dtype_, data_, i, v); }
  void SetInt64(int64_t i, int64_t v) { StoreFromInt64(dtype_, data_, i, v); }

  StatusOr<Tensor> Clone() const;
  // Same memory, new dims with the same element count.
  StatusOr<Tensor> Reshaped(std::vector<int64_t> dims) const;
  // All values as int64 (for shape tensors).
  std::vector<int64_t> ToInt64Vector() const;

 private:
  DType dtype_ = DType::kF32;
  std::vector<int64_t> dims_;
  int64_t num_elements_ = 1;
  void* data_ = nullptr;
  std::shared_ptr<const void> owner_;
};

// Largest single allocation a tensor may take: the HETERO_MAX_ALLOC_BYTES environment
// variable when set, else the machine's physical memory.
size_t MaxAllocationBytes();

}  // namespace hetero
