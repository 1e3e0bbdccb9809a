// .npy files to tensors and back: checked header first, then one allocation.
#include "runtime/io/npy.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "runtime/io/npy_header.h"

namespace hetero {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

void SwapBytes(Tensor& t) {
  const size_t size = DTypeSize(t.dtype());
  auto* bytes = static_cast<uint8_t*>(t.mutable_raw());
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    std::reverse(bytes + static_cast<size_t>(i) * size, bytes + static_cast<size_t>(i + 1) * size);
  }
}

// Fortran (column-major) data into row-major order: walks the output in row-major
// order while tracking the matching column-major offset.
StatusOr<Tensor> FortranToRowMajor(const Tensor& in) {
  HETERO_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(in.dtype(), in.dims()));
  const size_t rank = in.rank();
  const size_t size = DTypeSize(in.dtype());
  std::vector<int64_t> index(rank, 0);
  std::vector<int64_t> stride(rank, 1);
  for (size_t k = 1; k < rank; ++k) stride[k] = stride[k - 1] * in.dim(k - 1);
  const auto* src = static_cast<const uint8_t*>(in.raw());
  auto* dst = static_cast<uint8_t*>(out.mutable_raw());
  int64_t offset = 0;
  for (int64_t i = 0; i < in.num_elements(); ++i) {
    std::memcpy(dst + static_cast<size_t>(i) * size, src + static_cast<size_t>(offset) * size,
                size);
    for (size_t k = rank; k-- > 0;) {
      offset += stride[k];
      if (++index[k] < in.dim(k)) break;
      offset -= stride[k] * in.dim(k);
      index[k] = 0;
    }
  }
  return out;
}

// Raw data as read into the layout's dims: byte order, bool values and element order
// made canonical.
StatusOr<Tensor> Canonicalize(const npy::Layout& layout, Tensor t) {
  if (layout.byte_swapped) SwapBytes(t);
  if (layout.dtype == DType::kBool) {
    auto* b = t.mutable_data<uint8_t>();
    for (int64_t i = 0; i < t.num_elements(); ++i) b[i] = b[i] != 0;
  }
  if (layout.fortran_order && t.rank() > 1) return FortranToRowMajor(t);
  return t;
}

StatusOr<Tensor> AllocateFor(const npy::Layout& layout, std::string_view what) {
  auto t = Tensor::Allocate(layout.dtype, layout.dims);
  if (!t.ok()) return t.status().WithContext(what);
  return t;
}

Status ReadExactly(FILE* f, void* data, size_t bytes, const std::string& path) {
  if (bytes == 0 || std::fread(data, 1, bytes, f) == bytes) return OkStatus();
  return DataLoss(path + ": read failed" +
                  (std::ferror(f) ? ": " + std::string(std::strerror(errno)) : std::string()));
}

}  // namespace

StatusOr<Tensor> ParseNpy(std::span<const uint8_t> bytes, std::string_view what) {
  const auto first = bytes.first(std::min(bytes.size(), npy::kMaxPreambleBytes));
  HETERO_ASSIGN_OR_RETURN(size_t header_end, npy::HeaderEnd(first, bytes.size(), what));
  HETERO_ASSIGN_OR_RETURN(npy::Layout layout,
                          npy::ParseLayout(bytes.first(header_end), bytes.size(), what));
  HETERO_ASSIGN_OR_RETURN(Tensor t, AllocateFor(layout, what));
  if (t.byte_size() > 0) std::memcpy(t.mutable_raw(), bytes.data() + header_end, t.byte_size());
  return Canonicalize(layout, std::move(t));
}

StatusOr<Tensor> ReadNpy(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) return NotFound(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (fstat(fileno(f.get()), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(path + ": not a regular file");
  }
  const auto file_size = static_cast<uint64_t>(st.st_size);
  std::vector<uint8_t> head(std::min<uint64_t>(file_size, npy::kMaxPreambleBytes));
  HETERO_RETURN_IF_ERROR(ReadExactly(f.get(), head.data(), head.size(), path));
  HETERO_ASSIGN_OR_RETURN(size_t header_end, npy::HeaderEnd(head, file_size, path));
  const size_t have = head.size();
  head.resize(header_end);
  HETERO_RETURN_IF_ERROR(ReadExactly(f.get(), head.data() + have, header_end - have, path));
  HETERO_ASSIGN_OR_RETURN(npy::Layout layout, npy::ParseLayout(head, file_size, path));
  HETERO_ASSIGN_OR_RETURN(Tensor t, AllocateFor(layout, path));
  HETERO_RETURN_IF_ERROR(ReadExactly(f.get(), t.mutable_raw(), t.byte_size(), path));
  return Canonicalize(layout, std::move(t));
}

StatusOr<std::vector<uint8_t>> EncodeNpy(const Tensor& t) {
  if (t.empty_storage()) return InvalidArgument("cannot encode a tensor that has no data");
  std::vector<uint8_t> out = npy::EncodeHeader(t.dtype(), t.dims());
  const auto* data = static_cast<const uint8_t*>(t.raw());
  if (t.byte_size() > 0) out.insert(out.end(), data, data + t.byte_size());
  return out;
}

Status WriteNpy(const std::string& path, const Tensor& t) {
  if (t.empty_storage()) return InvalidArgument(path + ": cannot write a tensor that has no data");
  const std::vector<uint8_t> header = npy::EncodeHeader(t.dtype(), t.dims());
  File f(std::fopen(path.c_str(), "wb"));
  if (!f) return NotFound(path + ": cannot open for writing: " + std::strerror(errno));
  bool ok = std::fwrite(header.data(), 1, header.size(), f.get()) == header.size();
  if (ok && t.byte_size() > 0) {
    ok = std::fwrite(t.raw(), 1, t.byte_size(), f.get()) == t.byte_size();
  }
  const int close_result = std::fclose(f.release());
  if (!ok || close_result != 0) {
    return DataLoss(path + ": write failed: " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace hetero
