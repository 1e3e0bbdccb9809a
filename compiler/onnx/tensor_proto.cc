// TensorProto → Tensor: dtype mapping, size checks, and the four storage forms.
#include "compiler/onnx/tensor_proto.h"

#include <charconv>
#include <cstring>
#include <optional>

namespace hetero::onnx_import {

namespace {

using ::onnx::TensorProto;

// Element types newer than the onnx.proto hetero builds against (1.12), by number.
constexpr int32_t kOnnxFloat8E4M3FN = 17;
constexpr const char* kNewerOnnxTypes[] = {"float8e4m3fn",   "float8e4m3fnuz", "float8e5m2",
                                           "float8e5m2fnuz", "uint4",          "int4",
                                           "float4e2m1"};

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Wraps bytes that live in a mapping. Kernels read elements through typed pointers, and
// a misaligned typed access is undefined behaviour (vectorized loops may assume element
// alignment), so a range that is not aligned for its dtype is copied instead. Protobuf
// does not align raw_data inside a .onnx file, so this is not rare there: at a random
// offset three f32 tensors in four are misaligned (external data written aligned avoids
// it). The copied pages of the file are dropped from the resident set, so resident
// memory stays near the file size either way.
StatusOr<Tensor> BorrowOrCopy(DType dtype, std::vector<int64_t> dims, const ByteRange& bytes) {
  const auto address = reinterpret_cast<uintptr_t>(bytes.data);
  if (bytes.size > 0 && address % DTypeSize(dtype) == 0) {
    return Tensor::Borrow(dtype, std::move(dims), bytes.data, bytes.keepalive);
  }
  HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, std::move(dims)));
  if (bytes.size > 0) std::memcpy(t.mutable_raw(), bytes.data, bytes.size);
  if (bytes.file != nullptr) bytes.file->ReleasePages(bytes.data, bytes.size);
  return t;
}

Status CheckByteSize(size_t have, size_t need, std::string_view source, DType dtype,
                     const std::vector<int64_t>& dims, std::string_view what) {
  if (have == need) return OkStatus();
  return InvalidArgument(std::string(what) + ": " + std::string(source) + " holds " +
                         std::to_string(have) + " bytes, but dims " + DimsString(dims) + " of " +
                         std::string(DTypeName(dtype)) + " need " + std::to_string(need));
}

template <typename Field>
Status CheckCount(const Field& field, int64_t count, std::string_view field_name,
                  const std::vector<int64_t>& dims, std::string_view what) {
  if (field.size() == count) return OkStatus();
  return InvalidArgument(std::string(what) + ": " + std::string(field_name) + " holds " +
                         std::to_string(field.size()) + " values, but dims " + DimsString(dims) +
                         " need " + std::to_string(count));
}

// Values stored in float_data, int32_data or int64_data (small tensors, mostly).
StatusOr<Tensor> FromTypedFields(const TensorProto& proto, DType dtype,
                                 const std::vector<int64_t>& dims, int64_t count,
                                 std::string_view what) {
  if (dtype == DType::kF32) {
    HETERO_RETURN_IF_ERROR(CheckCount(proto.float_data(), count, "float_data", dims, what));
    HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, dims));
    if (count > 0) std::memcpy(t.mutable_raw(), proto.float_data().data(), t.byte_size());
    return t;
  }
  if (dtype == DType::kI64) {
    HETERO_RETURN_IF_ERROR(CheckCount(proto.int64_data(), count, "int64_data", dims, what));
    HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, dims));
    if (count > 0) std::memcpy(t.mutable_raw(), proto.int64_data().data(), t.byte_size());
    return t;
  }
  // Every other type of hetero's set is packed one element per int32_data entry: the
  // value for integers and bool, the bit pattern for f16, bf16 and f8.
  HETERO_RETURN_IF_ERROR(CheckCount(proto.int32_data(), count, "int32_data", dims, what));
  HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, dims));
  const auto& src = proto.int32_data();
  for (int64_t i = 0; i < count; ++i) {
    const int32_t v = src[static_cast<int>(i)];
    switch (dtype) {
      case DType::kI32: t.mutable_data<int32_t>()[i] = v; break;
      case DType::kI8: t.mutable_data<int8_t>()[i] = static_cast<int8_t>(v); break;
      case DType::kU8: t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
      case DType::kBool: t.mutable_data<uint8_t>()[i] = v != 0 ? 1 : 0; break;
      case DType::kF8E4M3: t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
      case DType::kF16:
      case DType::kBF16: t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(v); break;
      default: return Internal(std::string(what) + ": unexpected dtype");
    }
  }
  return t;
}

std::optional<uint64_t> ParseUnsigned(const std::string& text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

StatusOr<ByteRange> ReadExternal(const TensorProto& proto, ExternalDataFiles* files,
                                 std::string_view what) {
  if (files == nullptr) {
    return InvalidArgument(std::string(what) + ": external data is not allowed here");
  }
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto& entry : proto.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      std::optional<uint64_t> v = ParseUnsigned(entry.value());
      if (!v) {
        return InvalidArgument(std::string(what) + ": external data " + entry.key() + " '" +
                               entry.value() + "' is not a non-negative integer");
      }
      if (entry.key() == "offset")
        offset = *v;
      else
        length = *v;
    }
  }
  return files->Read(location, offset, length, what);
}

}  // namespace

std::string OnnxDTypeName(int32_t onnx_type) {
  if (onnx_type >= kOnnxFloat8E4M3FN && onnx_type < kOnnxFloat8E4M3FN + 7) {
    return kNewerOnnxTypes[onnx_type - kOnnxFloat8E4M3FN];
  }
  if (!TensorProto::DataType_IsValid(onnx_type)) return "type " + std::to_string(onnx_type);
  std::string name = TensorProto::DataType_Name(static_cast<TensorProto::DataType>(onnx_type));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

StatusOr<DType> DTypeFromOnnx(int32_t onnx_type, std::string_view what) {
  switch (onnx_type) {
    case TensorProto::FLOAT: return DType::kF32;
    case TensorProto::FLOAT16: return DType::kF16;
    case TensorProto::BFLOAT16: return DType::kBF16;
    case kOnnxFloat8E4M3FN: return DType::kF8E4M3;
    case TensorProto::INT64: return DType::kI64;
    case TensorProto::INT32: return DType::kI32;
    case TensorProto::INT8: return DType::kI8;
    case TensorProto::UINT8: return DType::kU8;
    case TensorProto::BOOL: return DType::kBool;
    default: break;
  }
  const std::string prefix = what.empty() ? "" : std::string(what) + ": ";
  if (onnx_type == TensorProto::UNDEFINED)
    return InvalidArgument(prefix + "element type is undefined");
  return Unimplemented(prefix + "dtype " + OnnxDTypeName(onnx_type) +
                       " is not in hetero's dtype set (f32 f16 bf16 f8e4m3 i64 i32 i8 u8 bool)");
}

int32_t OnnxDTypeOf(DType dtype) {
  switch (dtype) {
    case DType::kF32: return TensorProto::FLOAT;
    case DType::kF16: return TensorProto::FLOAT16;
    case DType::kBF16: return TensorProto::BFLOAT16;
    case DType::kF8E4M3: return kOnnxFloat8E4M3FN;
    case DType::kI64: return TensorProto::INT64;
    case DType::kI32: return TensorProto::INT32;
    case DType::kI8: return TensorProto::INT8;
    case DType::kU8: return TensorProto::UINT8;
    case DType::kBool: return TensorProto::BOOL;
  }
  return TensorProto::UNDEFINED;
}

StatusOr<Tensor> TensorFromProto(const TensorProto& proto, std::string_view what,
                                 const TensorSources& sources) {
  HETERO_ASSIGN_OR_RETURN(DType dtype, DTypeFromOnnx(proto.data_type(), what));
  if (proto.has_segment()) {
    return Unimplemented(std::string(what) + ": segmented tensors are not supported");
  }
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  const auto elem = static_cast<int64_t>(DTypeSize(dtype));
  auto count = CheckedElementCount(dims, static_cast<int64_t>(MaxAllocationBytes()) / elem);
  if (!count.ok()) return count.status().WithContext(std::string(what));
  const size_t need = static_cast<size_t>(*count) * static_cast<size_t>(elem);
  if (proto.data_location() == TensorProto::EXTERNAL) {
    HETERO_ASSIGN_OR_RETURN(ByteRange bytes, ReadExternal(proto, sources.external, what));
    HETERO_RETURN_IF_ERROR(CheckByteSize(bytes.size, need, "external data", dtype, dims, what));
    return BorrowOrCopy(dtype, std::move(dims), bytes);
  }
  if (sources.spliced_raw != nullptr) {
    HETERO_RETURN_IF_ERROR(
        CheckByteSize(sources.spliced_raw->size, need, "raw_data", dtype, dims, what));
    return BorrowOrCopy(dtype, std::move(dims), *sources.spliced_raw);
  }
  if (proto.has_raw_data()) {
    HETERO_RETURN_IF_ERROR(
        CheckByteSize(proto.raw_data().size(), need, "raw_data", dtype, dims, what));
    HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, std::move(dims)));
    if (need > 0) std::memcpy(t.mutable_raw(), proto.raw_data().data(), need);
    return t;
  }
  return FromTypedFields(proto, dtype, dims, *count, what);
}

}  // namespace hetero::onnx_import
