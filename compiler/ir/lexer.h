// Tokens of the IR text form (docs/ir-text.md), with the line and column of each.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hetero/status.h"

namespace hetero::ir {

enum class TokenKind {
  kValueName,   // %name or %"quoted name"; text is the name without '%' and quotes
  kGlobalName,  // @name or @"quoted name"
  kIdent,       // a bare word starting with a letter or '_': keywords, ops, attributes, dims
  kNumber,      // 3, -1, 0.5, 1e-05, -inf, +nan (sign only with a digit, '.', inf or nan)
  kString,      // "text" with escapes decoded
  kPunct,       // one of { } ( ) [ ] , = : ?
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  int line = 1;
  int column = 1;
};

// Splits `text` into tokens, skipping whitespace and `#` comments to the end of a line.
// Errors carry "line L, column C: ...".
StatusOr<std::vector<Token>> Tokenize(std::string_view text);

// "line 3, column 14: " + message.
Status ErrorAt(int line, int column, std::string_view message);

// Whether `c` may appear in a bare (unquoted) name: [A-Za-z0-9_.:/-].
bool IsBareNameChar(char c);
// Whether `name` prints bare after '%' or '@' (otherwise it is quoted).
bool IsBareName(std::string_view name);
// Whether `word` prints bare where an identifier is expected (a dim symbol).
bool IsBareIdent(std::string_view word);
// `text` as a double-quoted literal with \" \\ \n \t \r and \xHH escapes.
std::string QuoteString(std::string_view text);

}  // namespace hetero::ir
