// Tensor: checked allocation, borrowing and deep copies.
#include "hetero/tensor.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace hetero {

size_t MaxAllocationBytes() {
  static const size_t limit = [] {
    if (const char* env = std::getenv("HETERO_MAX_ALLOC_BYTES")) {
      char* end = nullptr;
      unsigned long long v = std::strtoull(env, &end, 10);
      if (end != env && v > 0) return static_cast<size_t>(v);
    }
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page_size > 0)
      return static_cast<size_t>(pages) * static_cast<size_t>(page_size);
    return size_t{1} << 34;
  }();
  return limit;
}

StatusOr<Tensor> Tensor::Allocate(DType dtype, std::vector<int64_t> dims) {
  const int64_t elem = static_cast<int64_t>(DTypeSize(dtype));
  const int64_t limit = static_cast<int64_t>(MaxAllocationBytes()) / elem;
  HETERO_ASSIGN_OR_RETURN(int64_t n, CheckedElementCount(dims, limit));
  Tensor t;
  t.dtype_ = dtype;
  t.dims_ = std::move(dims);
  t.num_elements_ = n;
  const size_t bytes = std::max<size_t>(static_cast<size_t>(n) * static_cast<size_t>(elem), 1);
  const size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) {
    return ResourceExhausted("cannot allocate " + std::to_string(bytes) + " bytes for a " +
                             std::string(DTypeName(dtype)) + " tensor");
  }
  std::memset(p, 0, rounded);
  t.data_ = p;
  t.owner_ = std::shared_ptr<const void>(p, [](const void* q) { std::free(const_cast<void*>(q)); });
  return t;
}

Tensor Tensor::Borrow(DType dtype, std::vector<int64_t> dims, const void* data,
                      std::shared_ptr<const void> keepalive) {
  Tensor t;
  t.dtype_ = dtype;
  t.num_elements_ = 1;
  for (int64_t d : dims) t.num_elements_ *= d;
  t.dims_ = std::move(dims);
  t.data_ = const_cast<void*>(data);
  t.owner_ = std::move(keepalive);
  return t;
}

Tensor Tensor::FromInt64(std::vector<int64_t> dims, const std::vector<int64_t>& values,
                         DType dtype) {
  Tensor t = Allocate(dtype, std::move(dims)).value();
  for (int64_t i = 0; i < t.num_elements_ && i < static_cast<int64_t>(values.size()); ++i) {
    t.SetInt64(i, values[static_cast<size_t>(i)]);
  }
  return t;
}

Tensor Tensor::FromFloat(std::vector<int64_t> dims, const std::vector<float>& values, DType dtype) {
  Tensor t = Allocate(dtype, std::move(dims)).value();
  for (int64_t i = 0; i < t.num_elements_ && i < static_cast<int64_t>(values.size()); ++i) {
    t.SetDouble(i, values[static_cast<size_t>(i)]);
  }
  return t;
}

StatusOr<Tensor> Tensor::Clone() const {
  HETERO_ASSIGN_OR_RETURN(Tensor t, Allocate(dtype_, dims_));
  if (byte_size() > 0) std::memcpy(t.data_, data_, byte_size());
  return t;
}

StatusOr<Tensor> Tensor::Reshaped(std::vector<int64_t> dims) const {
  HETERO_ASSIGN_OR_RETURN(int64_t n, CheckedElementCount(dims));
  if (n != num_elements_) {
    return InvalidArgument("cannot reshape " + std::to_string(num_elements_) + " elements into " +
                           std::to_string(n));
  }
  Tensor t = *this;
  t.dims_ = std::move(dims);
  return t;
}

std::vector<int64_t> Tensor::ToInt64Vector() const {
  std::vector<int64_t> out(static_cast<size_t>(num_elements_));
  for (int64_t i = 0; i < num_elements_; ++i) out[static_cast<size_t>(i)] = GetInt64(i);
  return out;
}

}  // namespace hetero
