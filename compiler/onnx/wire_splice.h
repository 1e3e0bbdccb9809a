// Wire-level splice: the initializers' raw_data cut out of a ModelProto's bytes.
//
// Protobuf then parses a small copy while the weights stay in the mapped file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hetero/status.h"

namespace hetero::onnx_import {

// Where one initializer's raw_data lay in the original bytes (absent: it had none).
struct RawDataRange {
  bool present = false;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct SplicedModel {
  // The ModelProto bytes with every top-level initializer's raw_data field removed and
  // the enclosing length prefixes rewritten.
  std::string bytes;
  // One entry per GraphProto.initializer, in the order protobuf parses them.
  std::vector<RawDataRange> initializer_raw_data;
};

// Walks ModelProto.graph (field 7) → GraphProto.initializer (field 5) →
// TensorProto.raw_data (field 9). Every read is bounds-checked: a truncated or garbage
// buffer is a DataLoss error naming the byte offset, never a crash, and nothing is
// allocated beyond the size of the input.
StatusOr<SplicedModel> SpliceOutRawData(const uint8_t* data, size_t size);

}  // namespace hetero::onnx_import
