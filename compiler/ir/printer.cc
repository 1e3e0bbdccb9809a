// The IR text printer: one line per input, constant, node and output.
#include "compiler/ir/printer.h"

#include <charconv>
#include <type_traits>

#include "compiler/ir/lexer.h"

namespace hetero::ir {
namespace {

std::string Sigil(char sigil, std::string_view name) {
  return sigil + (IsBareName(name) ? std::string(name) : QuoteString(name));
}

std::string ValueRef(const Value* value) { return value ? Sigil('%', value->name()) : "_"; }

std::string ShortestFloat(float value) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

// One element of constant data: floats through their f32 value, exact for every float
// dtype; integers exactly; bool as true/false.
std::string PrintElement(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::kBool) return t.GetInt64(i) ? "true" : "false";
  if (IsFloat(t.dtype())) return ShortestFloat(static_cast<float>(t.GetDouble(i)));
  return std::to_string(t.GetInt64(i));
}

std::string PrintConstantData(const Tensor& t, const PrintOptions& options) {
  const bool inline_data =
      options.max_inline_elements < 0 || t.num_elements() <= options.max_inline_elements;
  if (!inline_data || t.empty_storage()) return "elided";
  std::string out = "[";
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    if (i) out += ", ";
    out += PrintElement(t, i);
  }
  return out + "]";
}

std::string PrintDim(const Dim& dim) {
  if (dim.is_static()) return std::to_string(dim.value());
  if (dim.is_unknown()) return "?";
  return IsBareIdent(dim.symbol()) ? dim.symbol() : QuoteString(dim.symbol());
}

std::string PrintAttrs(const ops::Attributes& attrs) {
  if (attrs.items().empty()) return "";
  std::string out = " {";
  bool first = true;
  for (const auto& [name, value] : attrs.items()) {
    if (!first) out += ", ";
    first = false;
    out += (IsBareIdent(name) ? name : QuoteString(name)) + " = " + PrintAttrValue(value);
  }
  return out + "}";
}

std::string PrintNode(const Node& node) {
  std::string out = "  ";
  for (size_t i = 0; i < node.outputs().size(); ++i) {
    if (i) out += ", ";
    out += ValueRef(node.output(i));
  }
  out += " = " + node.op() + "(";
  for (size_t i = 0; i < node.inputs().size(); ++i) {
    if (i) out += ", ";
    out += ValueRef(node.input(i));
  }
  out += ")" + PrintAttrs(node.attrs()) + " :";
  for (size_t i = 0; i < node.outputs().size(); ++i) {
    out += (i ? ", " : " ") + PrintType(node.output(i)->type());
  }
  // The parser names a node after its first output; other names are spelled out.
  if (node.outputs().empty() || node.name() != node.output(0)->name()) {
    out += " " + Sigil('@', node.name());
  }
  return out + "\n";
}

}  // namespace

std::string PrintDouble(double value) {
  char buf[64];
  auto result = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, result.ptr);
  if (text.find_first_not_of("-0123456789") == std::string::npos) text += ".0";
  return text;
}

std::string PrintType(const TensorType& type) {
  std::string out = std::string(DTypeName(type.dtype)) + "[";
  for (size_t i = 0; i < type.shape.rank(); ++i) {
    if (i) out += ",";
    out += PrintDim(type.shape[i]);
  }
  return out + "]";
}

std::string PrintAttrValue(const ops::AttrValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return PrintDouble(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return QuoteString(v);
        } else {
          using E = typename T::value_type;
          if (v.empty()) {
            if constexpr (std::is_same_v<E, int64_t>) return "[] : ints";
            if constexpr (std::is_same_v<E, double>) return "[] : floats";
            return "[] : strings";
          }
          std::string out = "[";
          for (size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            out += PrintAttrValue(ops::AttrValue(v[i]));
          }
          return out + "]";
        }
      },
      value);
}

std::string PrintGraph(const Graph& g, const PrintOptions& options) {
  std::string out = "graph " + Sigil('@', g.name()) + " {\n";
  for (const Value* v : g.inputs()) {
    out += "  input " + ValueRef(v) + " : " + PrintType(v->type()) + "\n";
  }
  for (const Value* v : g.constants()) {
    out += "  const " + ValueRef(v) + " : " + PrintType(v->type()) + " = " +
           PrintConstantData(*v->constant(), options) + "\n";
  }
  for (const auto& node : g.nodes()) out += PrintNode(*node);
  for (const Value* v : g.outputs()) out += "  output " + ValueRef(v) + "\n";
  return out + "}\n";
}

}  // namespace hetero::ir
