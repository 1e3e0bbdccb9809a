// Number, boolean and element literals of the IR text form, read exactly.
#pragma once

#include <cstdint>
#include <string_view>

#include "compiler/ir/lexer.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"

namespace hetero::ir {

// Whether `text` is a whole decimal integer ([+-]?[0-9]+) that fits in int64.
bool ParseInt64(std::string_view text, int64_t& out);

// Whether the token can start a number: a number token, or the word inf or nan.
bool IsNumberToken(const Token& token);

// A number token as an attribute: int64 when it is written as an integer, else double
// (read to the nearest double). Errors carry no position.
StatusOr<ops::AttrValue> ParseNumberLiteral(const Token& token);

// Reads one element of constant data into `t[index]`: true/false for bool; an integer
// within the dtype's range for integer types; a number read as the nearest f32 and then
// rounded to the dtype for float types. Errors carry no position.
Status StoreLiteral(const Token& token, Tensor& t, int64_t index);

}  // namespace hetero::ir
