// The .npy preamble and header dict: strict parsing and writing (used by npy.cc).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/status.h"

namespace hetero::npy {

// The magic, version and header length occupy the first 10 (version 1) or 12 bytes.
inline constexpr size_t kMaxPreambleBytes = 12;

// What the header says about the data that follows it.
struct Layout {
  DType dtype = DType::kF32;
  bool byte_swapped = false;  // big-endian data
  bool fortran_order = false;
  std::vector<int64_t> dims;
  int64_t num_elements = 0;
  size_t data_offset = 0;  // where the data starts: preamble + header
};

// From the first min(file_size, kMaxPreambleBytes) bytes: checks the magic and version
// and returns where the header ends (= where the data starts), checked to lie within
// `file_size`. Errors start with `what`.
StatusOr<size_t> HeaderEnd(std::span<const uint8_t> first_bytes, uint64_t file_size,
                           std::string_view what);

// From the bytes [0, header_end): parses the header dict strictly and checks that the
// data after the header is exactly element count x element size bytes.
StatusOr<Layout> ParseLayout(std::span<const uint8_t> head, uint64_t file_size,
                             std::string_view what);

// The preamble and padded header (version 1.0, or 2.0 when the header is long) for a
// C-order array.
std::vector<uint8_t> EncodeHeader(DType dtype, const std::vector<int64_t>& dims);

// "<f4" for f32 and so on: the descr written for each dtype.
std::string_view DescrOf(DType dtype);

}  // namespace hetero::npy
