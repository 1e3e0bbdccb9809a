// The IR text parser: statements into a graph, with forward references resolved last.
#include "compiler/ir/parser.h"

#include <unordered_map>

#include "compiler/ir/lexer.h"
#include "compiler/ir/literals.h"

namespace hetero::ir {
namespace {

// How a token reads in "found ..." messages.
std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kValueName: return "'%" + t.text + "'";
    case TokenKind::kGlobalName: return "'@" + t.text + "'";
    case TokenKind::kString: return "a string";
    case TokenKind::kEnd: return "the end of the text";
    default: return "'" + t.text + "'";
  }
}

// Elements already checked to be all strings, or all numbers, for `kind`.
ops::AttrValue MakeList(std::string_view kind, const std::vector<ops::AttrValue>& elements) {
  if (kind == "strings") {
    std::vector<std::string> out;
    for (const auto& e : elements) out.push_back(std::get<std::string>(e));
    return out;
  }
  if (kind == "floats") {
    std::vector<double> out;
    for (const auto& e : elements) {
      const auto* i = std::get_if<int64_t>(&e);
      out.push_back(i ? static_cast<double>(*i) : std::get<double>(e));
    }
    return out;
  }
  std::vector<int64_t> out;
  for (const auto& e : elements) out.push_back(std::get<int64_t>(e));
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens, ParseOptions options = {})
      : tokens_(std::move(tokens)), options_(options) {}

  StatusOr<std::unique_ptr<Graph>> Run() {
    HETERO_RETURN_IF_ERROR(ExpectIdent("graph", "at the start of the text"));
    if (Peek().kind != TokenKind::kGlobalName) return Expected("the graph name ('@name')");
    graph_ = std::make_unique<Graph>(Take().text);
    HETERO_RETURN_IF_ERROR(ExpectPunct('{', "after the graph name"));
    while (!IsPunct('}')) HETERO_RETURN_IF_ERROR(ParseStatement());
    Take();
    if (Peek().kind != TokenKind::kEnd) return Expected("the end of the text after '}'");
    HETERO_RETURN_IF_ERROR(ResolveForwardReferences());
    return std::move(graph_);
  }

  StatusOr<ops::AttrValue> RunAttrValue() {
    HETERO_ASSIGN_OR_RETURN(ops::AttrValue value, ParseAttrValue());
    if (Peek().kind != TokenKind::kEnd) return Expected("the end of the attribute value");
    return value;
  }

 private:
  struct Pending {  // a use of a name not defined when it was read
    Node* node;     // nullptr: a graph output
    size_t slot;
    Token token;
  };

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool IsPunct(char c) const { return Peek().kind == TokenKind::kPunct && Peek().text[0] == c; }
  bool IsIdent(std::string_view word) const {
    return Peek().kind == TokenKind::kIdent && Peek().text == word;
  }
  Status Expected(std::string_view what) const {
    return ErrorAt(Peek().line, Peek().column,
                   "expected " + std::string(what) + ", found " + Describe(Peek()));
  }
  Status ExpectPunct(char c, std::string_view where) {
    if (!IsPunct(c)) return Expected("'" + std::string(1, c) + "' " + std::string(where));
    Take();
    return OkStatus();
  }
  Status ExpectIdent(std::string_view word, std::string_view where) {
    if (!IsIdent(word)) return Expected("'" + std::string(word) + "' " + std::string(where));
    Take();
    return OkStatus();
  }

  Status ParseStatement() {
    if (IsIdent("input")) return ParseInput();
    if (IsIdent("const")) return ParseConst();
    if (IsIdent("output")) return ParseOutput();
    if (Peek().kind == TokenKind::kValueName) return ParseNode();
    return Expected("'input', 'const', 'output', a node ('%name = Op(...) : type') or '}'");
  }

  // A new value's name: "%x" not defined before.
  StatusOr<Token> TakeNewValueName(std::string_view what) {
    if (Peek().kind != TokenKind::kValueName) return Expected(what);
    const Token& t = Take();
    auto it = defined_at_.find(t.text);
    if (it != defined_at_.end()) {
      return ErrorAt(
          t.line, t.column,
          "value '%" + t.text + "' is already defined on line " + std::to_string(it->second));
    }
    defined_at_[t.text] = t.line;
    return t;
  }

  Status ParseInput() {
    Take();
    HETERO_ASSIGN_OR_RETURN(Token name, TakeNewValueName("the input's name ('%name')"));
    HETERO_RETURN_IF_ERROR(ExpectPunct(':', "after the value name"));
    HETERO_ASSIGN_OR_RETURN(TensorType type, ParseType());
    return AtToken(name, graph_->AddInput(name.text, std::move(type)).status());
  }

  Status ParseConst() {
    Take();
    HETERO_ASSIGN_OR_RETURN(Token name, TakeNewValueName("the constant's name ('%name')"));
    HETERO_RETURN_IF_ERROR(ExpectPunct(':', "after the value name"));
    const Token type_token = Peek();
    HETERO_ASSIGN_OR_RETURN(TensorType type, ParseType());
    auto dims = type.shape.StaticDims();
    if (!dims) {
      return ErrorAt(type_token.line, type_token.column,
                     "a constant needs static dims, found " + type.ToString());
    }
    HETERO_RETURN_IF_ERROR(ExpectPunct('=', "after the constant's type"));
    const Token data_token = Peek();
    if (IsIdent("elided") && options_.elided_without_storage) {
      Take();
      auto count = CheckedElementCount(*dims);
      if (!count.ok()) return AtToken(data_token, count.status());
      return AtToken(
          name, graph_->AddConstant(name.text, Tensor::Borrow(type.dtype, *dims, nullptr, nullptr))
                    .status());
    }
    auto tensor = Tensor::Allocate(type.dtype, *dims);
    if (!tensor.ok()) return AtToken(data_token, tensor.status());
    if (IsIdent("elided")) {
      Take();
    } else {
      HETERO_RETURN_IF_ERROR(ParseConstantData(*tensor));
    }
    return AtToken(name, graph_->AddConstant(name.text, std::move(*tensor)).status());
  }

  Status ParseConstantData(Tensor& t) {
    HETERO_RETURN_IF_ERROR(ExpectPunct('[', "or 'elided' for the constant's data"));
    int64_t count = 0;
    while (!IsPunct(']')) {
      if (count == t.num_elements()) {
        return Expected("']' (" + t.type().ToString() + " has " + std::to_string(count) +
                        " element(s))");
      }
      if (count > 0) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "between values"));
      if (Peek().kind == TokenKind::kEnd) return Expected("a value");
      const Token& tok = Take();
      HETERO_RETURN_IF_ERROR(AtToken(tok, StoreLiteral(tok, t, count)));
      ++count;
    }
    if (count != t.num_elements()) {
      return Expected(std::to_string(t.num_elements()) + " values for " + t.type().ToString() +
                      " (got " + std::to_string(count) + ")");
    }
    Take();
    return OkStatus();
  }

  Status ParseOutput() {
    Take();
    while (true) {
      if (Peek().kind != TokenKind::kValueName) return Expected("a value name ('%name')");
      pending_.push_back({nullptr, pending_outputs_++, Take()});
      if (!IsPunct(',')) return OkStatus();
      Take();
    }
  }

  StatusOr<TensorType> ParseType() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent) return Expected("a type ('f32[2,seq]')");
    auto dtype = ParseDType(t.text);
    if (!dtype) {
      return ErrorAt(t.line, t.column,
                     "unknown dtype '" + t.text +
                         "' (expected f32, f16, bf16, f8e4m3, i64, i32, i8, u8 or bool)");
    }
    Take();
    HETERO_RETURN_IF_ERROR(ExpectPunct('[', "after the dtype (a scalar is 'f32[]')"));
    std::vector<Dim> dims;
    while (!IsPunct(']')) {
      if (!dims.empty()) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "between dims"));
      HETERO_ASSIGN_OR_RETURN(Dim dim, ParseDim());
      dims.push_back(std::move(dim));
    }
    Take();
    return TensorType{*dtype, Shape(std::move(dims))};
  }

  StatusOr<Dim> ParseDim() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kIdent || t.kind == TokenKind::kString) {
      return Dim::Symbol(Take().text);
    }
    if (IsPunct('?')) {
      Take();
      return Dim::Unknown();
    }
    int64_t value = -1;
    if (t.kind == TokenKind::kNumber && ParseInt64(t.text, value) && value >= 0) {
      Take();
      return Dim(value);
    }
    return Expected("a dim (a non-negative integer, a symbol or '?')");
  }

  StatusOr<Node*> ParseNodeRest(std::vector<Token> results);
  Status ParseNode();
  StatusOr<ops::Attributes> ParseAttributes();
  StatusOr<ops::AttrValue> ParseAttrValue();
  StatusOr<ops::AttrValue> ParseAttrList();
  Status ResolveForwardReferences();

  // Puts the token's position in front of an error from elsewhere, keeping its code.
  static Status AtToken(const Token& t, const Status& s) {
    if (s.ok()) return s;
    return Status(s.code(), "line " + std::to_string(t.line) + ", column " +
                                std::to_string(t.column) + ": " + s.message());
  }

  std::vector<Token> tokens_;
  ParseOptions options_;
  size_t pos_ = 0;
  std::unique_ptr<Graph> graph_;
  std::unordered_map<std::string, int> defined_at_;  // value name -> line
  std::vector<Pending> pending_;
  size_t pending_outputs_ = 0;
  Value placeholder_;  // stands in for a forward reference until it is resolved
};

Status Parser::ParseNode() {
  std::vector<Token> results;
  while (true) {
    HETERO_ASSIGN_OR_RETURN(Token t, TakeNewValueName("a result name ('%name')"));
    results.push_back(std::move(t));
    if (!IsPunct(',')) break;
    Take();
  }
  return ParseNodeRest(std::move(results)).status();
}

StatusOr<Node*> Parser::ParseNodeRest(std::vector<Token> results) {
  HETERO_RETURN_IF_ERROR(ExpectPunct('=', "after the node's results"));
  if (Peek().kind != TokenKind::kIdent) return Expected("an op name");
  const Token op = Take();
  if (ops::FindOp(op.text) == nullptr) {
    return ErrorAt(op.line, op.column, "unknown op '" + op.text + "'");
  }
  HETERO_RETURN_IF_ERROR(ExpectPunct('(', "after the op name"));
  std::vector<Value*> inputs;
  std::vector<std::pair<size_t, Token>> forward;
  while (!IsPunct(')')) {
    if (!inputs.empty()) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "between inputs"));
    if (IsIdent("_")) {
      Take();
      inputs.push_back(nullptr);
      continue;
    }
    if (Peek().kind != TokenKind::kValueName) return Expected("an input ('%name' or '_')");
    const Token& t = Take();
    Value* v = graph_->FindValue(t.text);
    if (v == nullptr) forward.emplace_back(inputs.size(), t);
    inputs.push_back(v ? v : &placeholder_);
  }
  Take();
  ops::Attributes attrs;
  if (IsPunct('{')) {
    HETERO_ASSIGN_OR_RETURN(attrs, ParseAttributes());
  }
  HETERO_RETURN_IF_ERROR(ExpectPunct(':', "before the node's result types"));
  std::vector<TensorType> types;
  const std::string per_result = " (one type per result, " + std::to_string(results.size()) +
                                 (results.size() == 1 ? " result)" : " results)");
  for (size_t i = 0; i < results.size(); ++i) {
    if (i) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "and another type" + per_result));
    HETERO_ASSIGN_OR_RETURN(TensorType type, ParseType());
    types.push_back(std::move(type));
  }
  if (IsPunct(',')) return Expected("no more types" + per_result);
  std::string node_name = results[0].text;
  if (Peek().kind == TokenKind::kGlobalName) node_name = Take().text;
  std::vector<std::string> names;
  for (const Token& t : results) names.push_back(t.text);
  auto node = graph_->AddNodeWithTypes(op.text, std::move(inputs), std::move(attrs),
                                       std::move(types), std::move(node_name), std::move(names));
  if (!node.ok()) return AtToken(results[0], node.status());
  for (auto& [slot, token] : forward) pending_.push_back({*node, slot, std::move(token)});
  return node;
}

StatusOr<ops::Attributes> Parser::ParseAttributes() {
  Take();  // '{'
  ops::Attributes attrs;
  while (!IsPunct('}')) {
    if (!attrs.items().empty()) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "between attributes"));
    const Token& name = Peek();
    if (name.kind != TokenKind::kIdent && name.kind != TokenKind::kString) {
      return Expected("an attribute name");
    }
    Take();
    if (attrs.Has(name.text)) {
      return ErrorAt(name.line, name.column, "attribute '" + name.text + "' is given twice");
    }
    HETERO_RETURN_IF_ERROR(ExpectPunct('=', "after the attribute name"));
    HETERO_ASSIGN_OR_RETURN(ops::AttrValue value, ParseAttrValue());
    attrs.Set(name.text, std::move(value));
  }
  Take();
  return attrs;
}

StatusOr<ops::AttrValue> Parser::ParseAttrValue() {
  if (IsPunct('[')) return ParseAttrList();
  if (Peek().kind == TokenKind::kString) return ops::AttrValue(Take().text);
  if (!IsNumberToken(Peek())) return Expected("an attribute value (a number, a string or a list)");
  const Token& t = Take();
  auto number = ParseNumberLiteral(t);
  if (!number.ok()) return AtToken(t, number.status());
  return *number;
}

// "[1, 2]" ints, "[0.5, 1]" floats (one float makes all floats), "["a"]" strings;
// an empty list says its kind: "[] : ints".
StatusOr<ops::AttrValue> Parser::ParseAttrList() {
  Take();  // '['
  std::vector<ops::AttrValue> elements;
  bool strings = false;
  bool any_float = false;
  while (!IsPunct(']')) {
    if (!elements.empty()) HETERO_RETURN_IF_ERROR(ExpectPunct(',', "between list elements"));
    const bool want_string = elements.empty() ? Peek().kind == TokenKind::kString : strings;
    if (want_string && Peek().kind == TokenKind::kString) {
      strings = true;
      elements.emplace_back(Take().text);
      continue;
    }
    if (want_string || !IsNumberToken(Peek())) {
      return Expected(want_string ? "a string (a list holds one kind)" : "a number");
    }
    const Token& t = Take();
    auto number = ParseNumberLiteral(t);
    if (!number.ok()) return AtToken(t, number.status());
    any_float = any_float || std::holds_alternative<double>(*number);
    elements.push_back(std::move(*number));
  }
  Take();
  std::string kind = strings ? "strings" : any_float ? "floats" : "ints";
  if (IsPunct(':')) {
    Take();
    const std::string& k = Peek().text;
    if (Peek().kind != TokenKind::kIdent || (k != "ints" && k != "floats" && k != "strings")) {
      return Expected("the list's kind: 'ints', 'floats' or 'strings'");
    }
    if (!elements.empty() && k != kind && !(k == "floats" && kind == "ints")) {
      return Expected("a kind that fits the list's elements (" + kind + ")");
    }
    kind = Take().text;
  } else if (elements.empty()) {
    return Expected("':' and a kind after an empty list ('[] : ints', 'floats' or 'strings')");
  }
  return MakeList(kind, elements);
}

Status Parser::ResolveForwardReferences() {
  std::vector<Value*> outputs(pending_outputs_, nullptr);
  for (const Pending& p : pending_) {
    Value* v = graph_->FindValue(p.token.text);
    if (v == nullptr) {
      const std::string user =
          p.node ? DescribeNode(*p.node) + " uses" : std::string("graph output");
      return ErrorAt(p.token.line, p.token.column,
                     user + " '" + p.token.text + "', which is never defined");
    }
    if (p.node) {
      p.node->set_input(p.slot, v);
    } else {
      outputs[p.slot] = v;
    }
  }
  for (Value* v : outputs) graph_->AddOutput(v);
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<Graph>> ParseGraph(std::string_view text, ParseOptions options) {
  HETERO_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  return Parser(std::move(tokens), options).Run();
}

StatusOr<ops::AttrValue> ParseAttrValue(std::string_view text) {
  HETERO_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  return Parser(std::move(tokens)).RunAttrValue();
}

}  // namespace hetero::ir
