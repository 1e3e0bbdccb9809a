// The raw_data splice: a bounds-checked walk of protobuf's wire format.
#include "compiler/onnx/wire_splice.h"

namespace hetero::onnx_import {

namespace {

// Protobuf field numbers on the path to the weights (onnx.proto).
constexpr uint64_t kModelGraphField = 7;
constexpr uint64_t kGraphInitializerField = 5;
constexpr uint64_t kTensorRawDataField = 9;

constexpr uint32_t kWireVarint = 0;
constexpr uint32_t kWireFixed64 = 1;
constexpr uint32_t kWireLength = 2;
constexpr uint32_t kWireFixed32 = 5;

enum class Level { kModel, kGraph, kTensor };

// One field of a message: [start, end) covers tag, length and payload.
struct Field {
  uint64_t number = 0;
  uint32_t wire_type = 0;
  size_t start = 0;
  size_t tag_end = 0;  // where the tag ends (for length-delimited: the length starts)
  size_t payload = 0;  // where the payload starts
  size_t end = 0;
};

Status Corrupt(size_t pos, const std::string& what) {
  return DataLoss("not a valid ONNX model: " + what + " at byte " + std::to_string(pos) +
                  " (truncated or corrupt file)");
}

Status ReadVarint(const uint8_t* data, size_t& pos, size_t end, uint64_t* out) {
  const size_t start = pos;
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos >= end) return Corrupt(start, "varint runs past the end of its message");
    const uint8_t byte = data[pos++];
    if (i == 9 && byte > 1) return Corrupt(start, "varint longer than 64 bits");
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *out = value;
      return OkStatus();
    }
  }
  return Corrupt(start, "varint longer than 10 bytes");
}

Status NextField(const uint8_t* data, size_t pos, size_t end, Field* f) {
  f->start = pos;
  uint64_t tag = 0;
  HETERO_RETURN_IF_ERROR(ReadVarint(data, pos, end, &tag));
  f->number = tag >> 3;
  f->wire_type = static_cast<uint32_t>(tag & 7);
  f->tag_end = pos;
  if (f->number == 0 || f->number > 0x1fffffff) return Corrupt(f->start, "invalid field number");
  uint64_t skip = 0;
  switch (f->wire_type) {
    case kWireVarint: {
      uint64_t ignored = 0;
      HETERO_RETURN_IF_ERROR(ReadVarint(data, pos, end, &ignored));
      break;
    }
    case kWireFixed64: skip = 8; break;
    case kWireFixed32: skip = 4; break;
    case kWireLength: HETERO_RETURN_IF_ERROR(ReadVarint(data, pos, end, &skip)); break;
    default:
      return Corrupt(f->start, "unsupported wire type " + std::to_string(f->wire_type) +
                                   " in field " + std::to_string(f->number));
  }
  f->payload = pos;
  if (skip > end - pos) {
    return Corrupt(f->start, "field " + std::to_string(f->number) + " of " + std::to_string(skip) +
                                 " bytes runs past the end of its message");
  }
  f->end = pos + static_cast<size_t>(skip);
  return OkStatus();
}

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Which length-delimited field to descend into (or, at the tensor level, to cut out).
uint64_t FieldOfInterest(Level level) {
  switch (level) {
    case Level::kModel: return kModelGraphField;
    case Level::kGraph: return kGraphInitializerField;
    case Level::kTensor: return kTensorRawDataField;
  }
  return 0;
}

// Copies the message [begin, end) into `out`, descending into the field of interest.
// The depth is fixed at three levels, so the recursion is bounded.
Status FilterMessage(const uint8_t* data, size_t begin, size_t end, Level level, std::string& out,
                     std::vector<RawDataRange>& ranges) {
  size_t pos = begin;
  while (pos < end) {
    Field f;
    HETERO_RETURN_IF_ERROR(NextField(data, pos, end, &f));
    pos = f.end;
    const bool interesting = f.wire_type == kWireLength && f.number == FieldOfInterest(level);
    if (!interesting) {
      out.append(reinterpret_cast<const char*>(data + f.start), f.end - f.start);
      continue;
    }
    if (level == Level::kTensor) {
      // A repeated bytes field: protobuf keeps the last one, and so do we.
      ranges.back() = RawDataRange{true, f.payload, f.end - f.payload};
      continue;
    }
    if (level == Level::kGraph) ranges.emplace_back();
    std::string sub;
    const Level inner = level == Level::kModel ? Level::kGraph : Level::kTensor;
    HETERO_RETURN_IF_ERROR(FilterMessage(data, f.payload, f.end, inner, sub, ranges));
    out.append(reinterpret_cast<const char*>(data + f.start), f.tag_end - f.start);
    AppendVarint(sub.size(), out);
    out.append(sub);
  }
  return OkStatus();
}

}  // namespace

StatusOr<SplicedModel> SpliceOutRawData(const uint8_t* data, size_t size) {
  SplicedModel model;
  HETERO_RETURN_IF_ERROR(
      FilterMessage(data, 0, size, Level::kModel, model.bytes, model.initializer_raw_data));
  return model;
}

}  // namespace hetero::onnx_import
