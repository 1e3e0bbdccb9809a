// Exact reading of the IR text form's literals through std::from_chars.
#include "compiler/ir/literals.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>

namespace hetero::ir {
namespace {

bool IsIntegerText(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// from_chars takes no leading '+'.
std::string_view WithoutPlus(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  return text;
}

template <typename F>
Status ParseFloating(const Token& token, F& out) {
  const std::string_view text = WithoutPlus(token.text);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    return InvalidArgument("number '" + token.text + "' is out of range");
  }
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return InvalidArgument("'" + token.text + "' is not a number");
  }
  return OkStatus();
}

struct IntRange {
  int64_t min;
  int64_t max;
};

IntRange RangeOf(DType dtype) {
  switch (dtype) {
    case DType::kI32: return {INT32_MIN, INT32_MAX};
    case DType::kI8: return {INT8_MIN, INT8_MAX};
    case DType::kU8: return {0, UINT8_MAX};
    default: return {INT64_MIN, INT64_MAX};
  }
}

}  // namespace

bool ParseInt64(std::string_view text, int64_t& out) {
  if (!IsIntegerText(text)) return false;
  text = WithoutPlus(text);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool IsNumberToken(const Token& token) {
  return token.kind == TokenKind::kNumber ||
         (token.kind == TokenKind::kIdent && (token.text == "inf" || token.text == "nan"));
}

StatusOr<ops::AttrValue> ParseNumberLiteral(const Token& token) {
  if (!IsNumberToken(token)) return InvalidArgument("expected a number");
  if (IsIntegerText(token.text)) {
    int64_t value = 0;
    if (!ParseInt64(token.text, value)) {
      return InvalidArgument("integer '" + token.text + "' does not fit in 64 bits");
    }
    return ops::AttrValue(value);
  }
  double value = 0;
  HETERO_RETURN_IF_ERROR(ParseFloating(token, value));
  return ops::AttrValue(value);
}

Status StoreLiteral(const Token& token, Tensor& t, int64_t index) {
  const DType dtype = t.dtype();
  const std::string type_name(DTypeName(dtype));
  if (dtype == DType::kBool) {
    if (token.kind != TokenKind::kIdent || (token.text != "true" && token.text != "false")) {
      return InvalidArgument("expected true or false for a bool, found '" + token.text + "'");
    }
    t.SetInt64(index, token.text == "true" ? 1 : 0);
    return OkStatus();
  }
  if (!IsNumberToken(token)) {
    return InvalidArgument("expected a number for " + type_name + ", found '" + token.text + "'");
  }
  if (IsFloat(dtype)) {
    float value = 0;
    HETERO_RETURN_IF_ERROR(ParseFloating(token, value).WithContext(type_name));
    if (dtype == DType::kF32) {
      std::memcpy(t.mutable_data<float>() + index, &value, sizeof value);  // keeps NaN bits
    } else {
      t.SetDouble(index, value);
    }
    return OkStatus();
  }
  int64_t value = 0;
  if (!ParseInt64(token.text, value)) {
    return InvalidArgument("expected an integer for " + type_name + ", found '" + token.text + "'");
  }
  const IntRange range = RangeOf(dtype);
  if (value < range.min || value > range.max) {
    return InvalidArgument("value " + token.text + " is out of range for " + type_name);
  }
  t.SetInt64(index, value);
  return OkStatus();
}

}  // namespace hetero::ir
