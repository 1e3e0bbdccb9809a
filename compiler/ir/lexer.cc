// The IR text lexer: names, identifiers, numbers, strings and punctuation.
#include "compiler/ir/lexer.h"

#include <cstdio>

namespace hetero::ir {
namespace {

bool IsLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  StatusOr<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      Token token;
      token.line = line_;
      token.column = column_;
      if (pos_ >= text_.size()) {
        tokens.push_back(token);
        return tokens;
      }
      HETERO_RETURN_IF_ERROR(Next(token));
      tokens.push_back(std::move(token));
    }
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void Advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++pos_;
  }

  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      const char c = Peek();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance();
      } else if (c == '#') {
        while (pos_ < text_.size() && Peek() != '\n') Advance();
      } else {
        return;
      }
    }
  }

  // A ':' belongs to a bare word only when another name character follows it, so that
  // "%x : f32" and "%x: f32" both end the name before the colon.
  std::string BareWord() {
    std::string word;
    while (IsBareNameChar(Peek()) && (Peek() != ':' || IsBareNameChar(Peek(1)))) {
      word += Peek();
      Advance();
    }
    return word;
  }

  Status Next(Token& token) {
    const char c = Peek();
    if (c == '%' || c == '@') {
      Advance();
      token.kind = c == '%' ? TokenKind::kValueName : TokenKind::kGlobalName;
      if (Peek() == '"') return QuotedString(token.text);
      token.text = BareWord();
      if (token.text.empty()) {
        return ErrorAt(token.line, token.column,
                       std::string("expected a name or a quoted string after '") + c + "'");
      }
      return OkStatus();
    }
    if (c == '"') {
      token.kind = TokenKind::kString;
      return QuotedString(token.text);
    }
    if (StartsNumber()) {
      token.kind = TokenKind::kNumber;
      token.text = NumberText();
      return OkStatus();
    }
    if (IsLetter(c)) {
      token.kind = TokenKind::kIdent;
      token.text = BareWord();
      return OkStatus();
    }
    if (std::string_view("{}()[],=:?").find(c) != std::string_view::npos) {
      token.kind = TokenKind::kPunct;
      token.text = std::string(1, c);
      Advance();
      return OkStatus();
    }
    char shown[8];
    std::snprintf(shown, sizeof shown, c >= 0x20 && c < 0x7f ? "'%c'" : "0x%02x",
                  static_cast<unsigned char>(c));
    return ErrorAt(token.line, token.column, std::string("unexpected character ") + shown);
  }

  bool StartsNumber() const {
    const char c = Peek();
    if (IsDigit(c)) return true;
    if (c == '.') return IsDigit(Peek(1));
    if (c == '-' || c == '+') {
      const char d = Peek(1);
      return IsDigit(d) || d == '.' || d == 'i' || d == 'n';
    }
    return false;
  }

  std::string NumberText() {
    std::string text(1, Peek());
    Advance();
    while (true) {
      const char c = Peek();
      const char prev = text.back();
      const bool exponent_sign = (c == '-' || c == '+') && (prev == 'e' || prev == 'E');
      if (!IsLetter(c) && !IsDigit(c) && c != '.' && !exponent_sign) return text;
      text += c;
      Advance();
    }
  }

  Status QuotedString(std::string& out) {
    const int line = line_;
    const int column = column_;
    Advance();  // the opening quote
    while (true) {
      if (pos_ >= text_.size() || Peek() == '\n') {
        return ErrorAt(line, column, "unterminated string (a closing '\"' is missing)");
      }
      const char c = Peek();
      Advance();
      if (c == '"') return OkStatus();
      if (c != '\\') {
        out += c;
        continue;
      }
      HETERO_RETURN_IF_ERROR(Escape(out));
    }
  }

  Status Escape(std::string& out) {
    const int line = line_;
    const int column = column_ - 1;
    const char e = Peek();
    if (pos_ < text_.size()) Advance();
    switch (e) {
      case '"': out += '"'; return OkStatus();
      case '\\': out += '\\'; return OkStatus();
      case 'n': out += '\n'; return OkStatus();
      case 't': out += '\t'; return OkStatus();
      case 'r': out += '\r'; return OkStatus();
      case 'x': break;
      default:
        return ErrorAt(line, column,
                       "unknown escape in a string (use \\\" \\\\ \\n \\t \\r \\xHH)");
    }
    int value = 0;
    for (int i = 0; i < 2; ++i) {
      const char h = Peek();
      int digit = -1;
      if (IsDigit(h)) digit = h - '0';
      if (h >= 'a' && h <= 'f') digit = h - 'a' + 10;
      if (h >= 'A' && h <= 'F') digit = h - 'A' + 10;
      if (digit < 0) return ErrorAt(line, column, "expected two hex digits after \\x");
      value = value * 16 + digit;
      Advance();
    }
    out += static_cast<char>(value);
    return OkStatus();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

Status ErrorAt(int line, int column, std::string_view message) {
  return InvalidArgument("line " + std::to_string(line) + ", column " + std::to_string(column) +
                         ": " + std::string(message));
}

StatusOr<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

bool IsBareNameChar(char c) {
  return IsLetter(c) || IsDigit(c) || c == '.' || c == ':' || c == '/' || c == '-';
}

bool IsBareName(std::string_view name) {
  if (name.empty() || name.back() == ':') return false;
  for (char c : name) {
    if (!IsBareNameChar(c)) return false;
  }
  return true;
}

bool IsBareIdent(std::string_view word) {
  return !word.empty() && IsLetter(word[0]) && IsBareName(word);
}

std::string QuoteString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace hetero::ir
