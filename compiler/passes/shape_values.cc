// Shape values: element-wise tracking of integer shape arithmetic through the ops that
// exporters use to compute shapes at run time.
#include "compiler/passes/shape_values.h"

#include <algorithm>

#include "ops/reference/movement.h"

namespace hetero::passes {
namespace {

constexpr int kMaxDepth = 64;         // how far back a shape computation is followed
constexpr int64_t kMaxElements = 16;  // longer integer vectors are not shapes

using Elements = std::vector<SymInt>;

SymInt Unknown() { return SymInt{}; }

// One element of Add / Sub / Mul / Div: numbers compute, identities keep a symbol.
SymInt Arith(std::string_view op, const SymInt& a, const SymInt& b) {
  int64_t r = 0;
  if (a.is_number() && b.is_number()) {
    const int64_t x = *a.number, y = *b.number;
    if (op == "Add" && !__builtin_add_overflow(x, y, &r)) return SymInt::Number(r);
    if (op == "Sub" && !__builtin_sub_overflow(x, y, &r)) return SymInt::Number(r);
    if (op == "Mul" && !__builtin_mul_overflow(x, y, &r)) return SymInt::Number(r);
    if (op == "Div" && y != 0 && !(x == INT64_MIN && y == -1)) return SymInt::Number(x / y);
    if (op == "Equal") return SymInt::Number(x == y);
    return Unknown();
  }
  auto is = [](const SymInt& s, int64_t n) { return s.is_number() && *s.number == n; };
  const bool same_symbol = a.is_symbol() && a == b;
  if (op == "Add") return is(b, 0) ? a : is(a, 0) ? b : Unknown();
  if (op == "Sub") return is(b, 0) ? a : same_symbol ? SymInt::Number(0) : Unknown();
  if (op == "Mul") {
    if (is(a, 0) || is(b, 0)) return SymInt::Number(0);
    return is(b, 1) ? a : is(a, 1) ? b : Unknown();
  }
  if (op == "Div") return is(b, 1) ? a : same_symbol ? SymInt::Number(1) : Unknown();
  if (op == "Equal") {
    // A dim is never negative: it differs from -1, the exporters' "keep this dim".
    const bool negative = (a.is_number() && *a.number < 0) || (b.is_number() && *b.number < 0);
    return same_symbol ? SymInt::Number(1) : negative ? SymInt::Number(0) : Unknown();
  }
  return Unknown();
}

std::optional<ShapeValue> Elementwise(std::string_view op, const ShapeValue& a,
                                      const ShapeValue& b) {
  const size_t na = a.elements.size(), nb = b.elements.size();
  if (na != nb && na != 1 && nb != 1) return std::nullopt;
  ShapeValue out;
  out.scalar = a.scalar && b.scalar;
  for (size_t i = 0; i < std::max(na, nb); ++i) {
    out.elements.push_back(Arith(op, a.elements[na == 1 ? 0 : i], b.elements[nb == 1 ? 0 : i]));
  }
  return out;
}

// Where(cond, a, b) element by element, where cond is known.
std::optional<ShapeValue> Select(const ShapeValue& cond, const ShapeValue& a, const ShapeValue& b) {
  const size_t n = std::max({cond.elements.size(), a.elements.size(), b.elements.size()});
  auto at = [n](const ShapeValue& v, size_t i) -> const SymInt* {
    if (v.elements.size() == n) return &v.elements[i];
    return v.elements.size() == 1 ? &v.elements[0] : nullptr;
  };
  ShapeValue out;
  for (size_t i = 0; i < n; ++i) {
    const SymInt *c = at(cond, i), *x = at(a, i), *y = at(b, i);
    if (c == nullptr || x == nullptr || y == nullptr) return std::nullopt;
    out.elements.push_back(!c->is_number() ? Unknown() : *c->number != 0 ? *x : *y);
  }
  return out;
}

std::optional<ShapeValue> FromShapeOp(const ir::Node& node) {
  const Shape& shape = node.input(0)->type().shape;
  const auto rank = static_cast<int64_t>(shape.rank());
  auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
  ShapeValue out;
  if (node.op() == "Size") {
    out.scalar = true;
    int64_t product = 1;
    std::string symbol;
    bool known = true;
    for (const Dim& d : shape.dims()) {
      if (d.is_static()) {
        known = known && !__builtin_mul_overflow(product, d.value(), &product);
      } else if (d.is_symbol() && symbol.empty()) {
        symbol = d.symbol();
      } else {
        known = false;
      }
    }
    if (!known || (!symbol.empty() && product != 1)) {
      out.elements = {Unknown()};
    } else {
      out.elements = {symbol.empty() ? SymInt::Number(product) : SymInt{std::nullopt, symbol}};
    }
    return out;
  }
  const int64_t start = clamp(node.attrs().GetInt("start", 0));
  const int64_t end = clamp(node.attrs().GetInt("end", rank));
  for (int64_t i = start; i < end; ++i) out.elements.push_back(SymInt::FromDim(shape[i]));
  return out;
}

std::optional<ShapeValue> SliceOf(const ShapeValue& data, const std::vector<ShapeValue>& args,
                                  bool has_axes, bool has_steps) {
  if (data.scalar) return std::nullopt;
  for (const ShapeValue& a : args) {
    if (!a.all_numbers()) return std::nullopt;
  }
  const std::vector<int64_t> axes = has_axes ? args[2].numbers() : std::vector<int64_t>{};
  const std::vector<int64_t> steps =
      has_steps ? args[has_axes ? 3 : 2].numbers() : std::vector<int64_t>{};
  auto ranges =
      ops::reference::SliceRanges(1, args[0].numbers(), args[1].numbers(),
                                  has_axes ? &axes : nullptr, has_steps ? &steps : nullptr);
  if (!ranges.ok() || ranges->size() != 1) return std::nullopt;
  ops::reference::SliceRange r = (*ranges)[0];
  const int64_t count = ops::reference::ClampSlice(r, static_cast<int64_t>(data.elements.size()));
  ShapeValue out;
  for (int64_t i = 0, at = r.start; i < count; ++i, at += r.step) {
    out.elements.push_back(data.elements[static_cast<size_t>(at)]);
  }
  return out;
}

std::optional<ShapeValue> GatherOf(const ShapeValue& data, const ShapeValue& indices) {
  if (data.scalar || !indices.all_numbers()) return std::nullopt;
  const auto n = static_cast<int64_t>(data.elements.size());
  ShapeValue out;
  out.scalar = indices.scalar;
  for (int64_t i : indices.numbers()) {
    if (i < -n || i >= n) return std::nullopt;
    out.elements.push_back(data.elements[static_cast<size_t>(i < 0 ? i + n : i)]);
  }
  return out;
}

// The number of elements of a short integer scalar or vector, or nullopt.
std::optional<size_t> ShortLength(const TensorType& t) {
  if (t.dtype != DType::kI64 && t.dtype != DType::kI32 && t.dtype != DType::kBool) {
    return std::nullopt;
  }
  if (t.shape.rank() == 0) return 1;
  if (t.shape.rank() != 1 || !t.shape[0].is_static() || t.shape[0].value() > kMaxElements) {
    return std::nullopt;
  }
  return static_cast<size_t>(t.shape[0].value());
}

}  // namespace

SymInt SymInt::FromDim(const Dim& d) {
  if (d.is_static()) return Number(d.value());
  return SymInt{std::nullopt, d.symbol()};
}

bool ShapeValue::all_numbers() const {
  for (const SymInt& e : elements) {
    if (!e.is_number()) return false;
  }
  return true;
}

std::vector<int64_t> ShapeValue::numbers() const {
  std::vector<int64_t> out;
  for (const SymInt& e : elements) out.push_back(e.number.value_or(0));
  return out;
}

const std::optional<ShapeValue>& ShapeValues::Get(const ir::Value* value) {
  return GetAt(value, 0);
}

const std::optional<ShapeValue>& ShapeValues::GetAt(const ir::Value* value, int depth) {
  static const std::optional<ShapeValue> kNone;
  if (value == nullptr) return kNone;
  if (auto it = memo_.find(value); it != memo_.end()) return it->second;
  std::optional<ShapeValue> computed = Compute(value, depth);
  return memo_[value] = std::move(computed);
}

std::optional<ShapeValue> ShapeValues::Compute(const ir::Value* value, int depth) {
  const auto length = ShortLength(value->type());
  if (!length) return std::nullopt;
  if (const Tensor* c = value->constant()) {
    ShapeValue out;
    out.scalar = value->type().shape.rank() == 0;
    for (int64_t i = 0; i < c->num_elements(); ++i) {
      out.elements.push_back(SymInt::Number(c->GetInt64(i)));
    }
    return out;
  }
  const ir::Node* node = value->producer();
  if (node == nullptr || depth >= kMaxDepth) return std::nullopt;
  const std::string& op = node->op();
  if (op == "Shape" || op == "Size") return FromShapeOp(*node);
  std::vector<const std::optional<ShapeValue>*> in;
  for (const ir::Value* v : node->inputs()) in.push_back(&GetAt(v, depth + 1));
  auto known = [&](size_t i) { return i < in.size() && in[i]->has_value(); };
  std::optional<ShapeValue> out;
  if (op == "Concat") {
    out.emplace();
    for (size_t i = 0; i < in.size(); ++i) {
      const auto len = node->input(i) ? ShortLength(node->input(i)->type()) : std::nullopt;
      if (!len || node->input(i)->type().shape.rank() != 1) return std::nullopt;
      const Elements part = known(i) ? (*in[i])->elements : Elements(*len);
      out->elements.insert(out->elements.end(), part.begin(), part.end());
    }
  } else if (!known(0)) {
    return std::nullopt;
  } else if (op == "Gather" && known(1) && node->attrs().GetInt("axis", 0) == 0) {
    out = GatherOf(**in[0], **in[1]);
  } else if (op == "Slice" && known(1) && known(2) && (in.size() < 4 || known(3)) &&
             (in.size() < 5 || known(4))) {
    std::vector<ShapeValue> args;
    for (size_t i = 1; i < in.size(); ++i) args.push_back(**in[i]);
    out = SliceOf(**in[0], args, in.size() >= 4, in.size() >= 5);
  } else if (op == "Unsqueeze" || op == "Squeeze" || op == "Reshape" || op == "Cast") {
    out = **in[0];
    if (op == "Cast" && value->type().dtype == DType::kBool) {
      for (SymInt& e : out->elements) {
        e = e.is_number() ? SymInt::Number(*e.number != 0) : Unknown();
      }
    }
  } else if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Equal") &&
             known(1)) {
    out = Elementwise(op, **in[0], **in[1]);
  } else if (op == "Where" && known(1) && known(2)) {
    out = Select(**in[0], **in[1], **in[2]);
  }
  // The element count must agree with the value's type; rank comes from the type.
  if (!out || out->elements.size() != *length) return std::nullopt;
  out->scalar = value->type().shape.rank() == 0;
  return out;
}

std::optional<std::vector<int64_t>> ConstantReshapeShape(const Shape& data, const ShapeValue& shape,
                                                         bool allowzero) {
  std::vector<int64_t> out;
  bool has_infer = false, has_zero = false;
  for (size_t i = 0; i < shape.elements.size(); ++i) {
    const SymInt& e = shape.elements[i];
    if (e.is_number()) {
      if (*e.number < -1 || (*e.number == -1 && has_infer)) return std::nullopt;
      has_infer = has_infer || *e.number == -1;
      has_zero = has_zero || *e.number == 0;
      out.push_back(*e.number);
    } else if (e.is_symbol() && !allowzero && i < data.rank() && data[i].is_symbol() &&
               data[i].symbol() == e.symbol) {
      out.push_back(0);
    } else {
      if (has_infer) return std::nullopt;
      has_infer = true;
      out.push_back(-1);
    }
  }
  if (allowzero && has_zero && has_infer) return std::nullopt;
  return out;
}

std::optional<std::vector<int64_t>> ConstantExpandShape(const Shape& x, const ShapeValue& shape) {
  const size_t n = shape.elements.size();
  std::vector<int64_t> out(n);
  for (size_t j = 0; j < n; ++j) {
    const SymInt& e = shape.elements[j];
    const size_t from_right = n - 1 - j;
    if (e.is_number()) {
      out[j] = *e.number;
    } else if (e.is_symbol() && from_right < x.rank() &&
               x[x.rank() - 1 - from_right] == Dim::Symbol(e.symbol)) {
      out[j] = 1;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::vector<Dim> DimsOf(const ShapeValue& shape) {
  std::vector<Dim> dims;
  for (const SymInt& e : shape.elements) {
    if (e.is_number() && *e.number >= 0) {
      dims.emplace_back(*e.number);
    } else if (e.is_symbol()) {
      dims.push_back(Dim::Symbol(e.symbol));
    } else {
      dims.emplace_back();
    }
  }
  return dims;
}

}  // namespace hetero::passes
