// ONNX TensorProto → hetero::Tensor, for every storage form ONNX has.
//
// Typed fields, raw_data, raw_data spliced out of a mapped file, and external data.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "compiler/onnx/model_file.h"
#include "hetero/dtype.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::onnx_import {

// "float", "double", "bfloat16", ... (TensorProto.DataType in lower case).
std::string OnnxDTypeName(int32_t onnx_type);
// hetero's dtype for an ONNX element type; Unimplemented naming the type (and `what`)
// for types outside hetero's set (double, string, uint16, complex, ...).
StatusOr<DType> DTypeFromOnnx(int32_t onnx_type, std::string_view what);
// The ONNX element type of a hetero dtype.
int32_t OnnxDTypeOf(DType dtype);

// Where a tensor's bytes may come from besides the proto itself.
struct TensorSources {
  // raw_data cut out of the proto by the wire splice (nullptr: none).
  const ByteRange* spliced_raw = nullptr;
  // Resolves data_location EXTERNAL (nullptr: external data is an error).
  ExternalDataFiles* external = nullptr;
};

// Builds the tensor. Bytes in a mapped file are borrowed (no copy) when aligned for
// the dtype; everything else is copied. Sizes are checked before any allocation:
// dims whose element count overflows or exceeds MaxAllocationBytes() are refused, and
// the data must hold exactly the element count the dims give. `what` names the tensor
// in errors: "initializer 'w'".
StatusOr<Tensor> TensorFromProto(const ::onnx::TensorProto& proto, std::string_view what,
                                 const TensorSources& sources = {});

}  // namespace hetero::onnx_import
