// The .npy header: magic and version, the Python dict literal, descr and shape checks.
#include "runtime/io/npy_header.h"

#include <bit>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <utility>

#include "hetero/shape.h"

namespace hetero::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
static_assert(std::endian::native == std::endian::little, "the .npy code assumes little-endian");

Status HeaderError(std::string_view what, const std::string& message) {
  return InvalidArgument(std::string(what) + ": header: " + message);
}

struct Dict {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<int64_t>> shape;
};

// Reads the dict numpy writes: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Exactly these three keys, in any order; whitespace anywhere between tokens.
class DictReader {
 public:
  explicit DictReader(std::string_view text) : text_(text) {}

  Status Read(Dict& dict) {
    HETERO_RETURN_IF_ERROR(Expect('{', "at the start of the header dict"));
    while (!Consume('}')) {
      HETERO_ASSIGN_OR_RETURN(std::string key, ReadString("a key"));
      HETERO_RETURN_IF_ERROR(Expect(':', "after key '" + key + "'"));
      HETERO_RETURN_IF_ERROR(ReadEntry(key, dict));
      if (Consume(',')) continue;
      HETERO_RETURN_IF_ERROR(Expect('}', "or ',' after the value of '" + key + "'"));
      break;
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the header dict");
    if (!dict.descr) return InvalidArgument("key 'descr' is missing");
    if (!dict.fortran_order) return InvalidArgument("key 'fortran_order' is missing");
    if (!dict.shape) return InvalidArgument("key 'shape' is missing");
    return OkStatus();
  }

 private:
  Status ReadEntry(const std::string& key, Dict& dict) {
    const bool repeated = (key == "descr" && dict.descr) ||
                          (key == "fortran_order" && dict.fortran_order) ||
                          (key == "shape" && dict.shape);
    if (repeated) return Error("key '" + key + "' appears twice");
    if (key == "descr") {
      SkipSpace();
      if (Peek() == '[') return Error("structured dtypes are not supported");
      HETERO_ASSIGN_OR_RETURN(dict.descr, ReadString("the descr string"));
    } else if (key == "fortran_order") {
      HETERO_ASSIGN_OR_RETURN(dict.fortran_order, ReadBool());
    } else if (key == "shape") {
      HETERO_ASSIGN_OR_RETURN(dict.shape, ReadShape());
    } else {
      return Error("unexpected key '" + key + "'");
    }
    return OkStatus();
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  Status Error(const std::string& message) const {
    return InvalidArgument(message + " (at byte " + std::to_string(pos_) + " of the dict)");
  }
  Status Expect(char c, const std::string& where) {
    if (Consume(c)) return OkStatus();
    return Error(std::string("expected '") + c + "' " + where);
  }

  StatusOr<std::string> ReadString(const std::string& what) {
    SkipSpace();
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Error("expected " + what + " in quotes");
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return Error("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    if (value.find('\\') != std::string::npos) return Error("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }

  StatusOr<bool> ReadBool() {
    SkipSpace();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    return Error("expected True or False for 'fortran_order'");
  }

  // (), (3,) or (2, 3): non-negative Python ints (an 'L' suffix from Python 2 is allowed).
  StatusOr<std::vector<int64_t>> ReadShape() {
    HETERO_RETURN_IF_ERROR(Expect('(', "to start the shape tuple"));
    std::vector<int64_t> dims;
    while (!Consume(')')) {
      SkipSpace();
      if (Peek() < '0' || Peek() > '9') return Error("shape entries must be non-negative integers");
      int64_t value = 0;
      while (Peek() >= '0' && Peek() <= '9') {
        const int digit = Peek() - '0';
        if (value > (INT64_MAX - digit) / 10) return Error("shape entry does not fit in 64 bits");
        value = value * 10 + digit;
        ++pos_;
      }
      if (Peek() == 'L') ++pos_;
      dims.push_back(value);
      if (Consume(',')) continue;
      if (dims.size() == 1) return Error("a one-entry shape needs a trailing comma: (n,)");
      HETERO_RETURN_IF_ERROR(Expect(')', "or ',' in the shape"));
      break;
    }
    return dims;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

struct DescrEntry {
  std::string_view code;  // kind and size: "f4"
  DType dtype;
};

constexpr DescrEntry kDescrs[] = {
    {"f4", DType::kF32},    {"f2", DType::kF16}, {"V2", DType::kBF16},
    {"V1", DType::kF8E4M3}, {"i8", DType::kI64}, {"i4", DType::kI32},
    {"i1", DType::kI8},     {"u1", DType::kU8},  {"b1", DType::kBool},
};

Status UnsupportedDescr(std::string_view what, std::string_view descr) {
  return HeaderError(what, "unsupported dtype '" + std::string(descr) +
                               "' (supported: <f4 <f2 <i8 <i4 |i1 |u1 |b1, <V2 as bf16, "
                               "<V1 as f8e4m3)");
}

Status ParseDescr(std::string_view what, std::string_view descr, Layout& layout) {
  char order = '=';
  std::string_view code = descr;
  if (!code.empty() && std::string_view("<>|=").find(code[0]) != std::string_view::npos) {
    order = code[0];
    code.remove_prefix(1);
  }
  for (const DescrEntry& e : kDescrs) {
    if (e.code != code) continue;
    const bool one_byte = DTypeSize(e.dtype) == 1;
    const bool is_void = code[0] == 'V';
    if (order == '|' && !one_byte && !is_void) break;  // '|' is for byte-order-free types
    if (order == '>' && is_void) break;
    layout.dtype = e.dtype;
    layout.byte_swapped = order == '>' && !one_byte;
    return OkStatus();
  }
  return UnsupportedDescr(what, descr);
}

std::string ShapeText(const std::vector<int64_t>& dims) {
  std::string out = "(";
  for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + (dims.size() == 1 ? ",)" : ")");
}

uint32_t LittleEndian(std::span<const uint8_t> bytes) {
  uint32_t v = 0;
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | bytes[i];
  return v;
}

}  // namespace

std::string_view DescrOf(DType dtype) {
  switch (dtype) {
    case DType::kF32: return "<f4";
    case DType::kF16: return "<f2";
    case DType::kBF16: return "<V2";
    case DType::kF8E4M3: return "<V1";
    case DType::kI64: return "<i8";
    case DType::kI32: return "<i4";
    case DType::kI8: return "|i1";
    case DType::kU8: return "|u1";
    case DType::kBool: return "|b1";
  }
  return "?";
}

StatusOr<size_t> HeaderEnd(std::span<const uint8_t> first, uint64_t file_size,
                           std::string_view what) {
  if (first.size() < kMagicBytes || std::memcmp(first.data(), kMagic, kMagicBytes) != 0) {
    return InvalidArgument(std::string(what) + ": not a .npy file (bad magic)");
  }
  if (first.size() < 10) return DataLoss(std::string(what) + ": truncated .npy preamble");
  const int major = first[6];
  const int minor = first[7];
  if (major < 1 || major > 3 || minor != 0) {
    return Unimplemented(std::string(what) + ": unsupported .npy version " + std::to_string(major) +
                         "." + std::to_string(minor) + " (1.0, 2.0 and 3.0 are read)");
  }
  const size_t preamble = major == 1 ? 10 : 12;
  if (first.size() < preamble) return DataLoss(std::string(what) + ": truncated .npy preamble");
  const uint64_t header_bytes = LittleEndian(first.subspan(8, preamble - 8));
  if (preamble + header_bytes > file_size) {
    return DataLoss(std::string(what) + ": header: its length " + std::to_string(header_bytes) +
                    " runs past the end of the file (" + std::to_string(file_size) + " bytes)");
  }
  return static_cast<size_t>(preamble + header_bytes);
}

StatusOr<Layout> ParseLayout(std::span<const uint8_t> head, uint64_t file_size,
                             std::string_view what) {
  const size_t preamble = head[6] == 1 ? 10 : 12;
  const std::string_view text(reinterpret_cast<const char*>(head.data()) + preamble,
                              head.size() - preamble);
  Dict dict;
  Status read = DictReader(text).Read(dict);
  if (!read.ok()) return HeaderError(what, read.message());
  Layout layout;
  HETERO_RETURN_IF_ERROR(ParseDescr(what, *dict.descr, layout));
  layout.fortran_order = *dict.fortran_order;
  layout.dims = std::move(*dict.shape);
  layout.data_offset = head.size();
  const int64_t elem = static_cast<int64_t>(DTypeSize(layout.dtype));
  auto count = CheckedElementCount(layout.dims, INT64_MAX / elem);
  if (!count.ok()) {
    return HeaderError(
        what, "shape " + ShapeText(layout.dims) + " is too large: " + count.status().message());
  }
  layout.num_elements = *count;
  const uint64_t want = static_cast<uint64_t>(*count) * static_cast<uint64_t>(elem);
  const uint64_t have = file_size - head.size();
  if (want != have) {
    return DataLoss(std::string(what) + ": expected " + std::to_string(want) +
                    " bytes of data for " + std::string(*dict.descr) + " " +
                    ShapeText(layout.dims) + ", found " + std::to_string(have) +
                    (have < want ? " (the file is truncated)" : " (extra bytes after the data)"));
  }
  return layout;
}

std::vector<uint8_t> EncodeHeader(DType dtype, const std::vector<int64_t>& dims) {
  std::string dict = "{'descr': '" + std::string(DescrOf(dtype)) +
                     "', 'fortran_order': False, 'shape': " + ShapeText(dims) + ", }";
  // Pad with spaces and end in '\n' so the data starts on a 64-byte boundary.
  const size_t preamble = dict.size() + 1 + 10 > 65535 ? 12 : 10;
  const size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - preamble - dict.size() - 1, ' ');
  dict += '\n';
  std::vector<uint8_t> out(kMagic, kMagic + kMagicBytes);
  out.push_back(preamble == 10 ? 1 : 2);
  out.push_back(0);
  for (size_t i = 0; i < preamble - 8; ++i) out.push_back((dict.size() >> (8 * i)) & 0xff);
  out.insert(out.end(), dict.begin(), dict.end());
  return out;
}

}  // namespace hetero::npy
