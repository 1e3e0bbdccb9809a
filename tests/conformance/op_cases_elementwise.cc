// Op cases of the elementwise family: binary ops over broadcast shapes, unary ops over
// scalars, size-1 and empty tensors, Where and every Cast target.
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

using Dims = std::vector<int64_t>;

bool IsOneOf(const std::string& op, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (op == n) return true;
  }
  return false;
}

std::vector<OpCase> BinaryCases(const std::string& op, DType t) {
  Domain da = Domain::kAny, db = Domain::kAny;
  if (op == "Div") db = Domain::kNonZero;
  if (op == "Pow") {
    da = IsFloat(t) ? Domain::kPositive : Domain::kAny;
    db = Domain::kExponent;
  }
  const std::vector<std::pair<Dims, Dims>> shapes = {{{2, 3}, {2, 3}}, {{2, 1, 4}, {3, 1}},
                                                     {{}, {2, 2}},     {{1}, {1}},
                                                     {{0, 3}, {3}},    {{4, 1}, {1, 5}}};
  std::vector<OpCase> cases;
  for (const auto& [a, b] : shapes) {
    OpCase c;
    c.label = Tensor::Allocate(t, a)->type().ToString() + " with " +
              Tensor::Allocate(t, b)->type().ToString();
    c.inputs = {In(t, a, da), In(t, b, db)};
    cases.push_back(c);
  }
  // One operand a constant (weights often are).
  cases.push_back(OpCase{"constant operand", {In(t, {3, 2}, da), Const(t, {2}, {1, 2})}, {}, 1});
  return cases;
}

std::vector<OpCase> UnaryCases(const std::string& op, DType t) {
  const Domain d =
      IsOneOf(op, {"Log", "Sqrt", "Rsqrt", "Reciprocal"}) ? Domain::kPositive : Domain::kAny;
  std::vector<ops::Attributes> variants = {{}};
  if (op == "Gelu") {
    variants = {Attrs({{"approximate", std::string("none")}}),
                Attrs({{"approximate", std::string("tanh")}})};
  }
  std::vector<OpCase> cases;
  for (const ops::Attributes& attrs : variants) {
    for (const Dims& dims : {Dims{2, 3}, Dims{}, Dims{1}, Dims{0, 4}, Dims{3, 1, 2}}) {
      cases.push_back(
          OpCase{"x " + Shape::FromStatic(dims).ToString(), {In(t, dims, d)}, attrs, 1});
    }
  }
  return cases;
}

std::vector<OpCase> WhereCases(DType t) {
  const DType b = DType::kBool;
  return {
      {"same shapes", {In(b, {2, 3}), In(t, {2, 3}), In(t, {2, 3})}, {}, 1},
      {"broadcast", {In(b, {2, 1}), In(t, {2, 3}), In(t, {3})}, {}, 1},
      {"scalar cond", {In(b, {}), In(t, {1}), In(t, {2, 2})}, {}, 1},
      {"empty", {In(b, {0, 2}), In(t, {2}), In(t, {1})}, {}, 1},
  };
}

std::vector<OpCase> CastCases(DType t) {
  std::vector<OpCase> cases;
  for (DType to : kAllDTypes) {
    const std::string name(DTypeName(to));
    cases.push_back(OpCase{"to " + name, {In(t, {2, 3})}, Attrs({{"to", name}}), 1});
  }
  cases.push_back(OpCase{"empty to f32", {In(t, {0})}, Attrs({{"to", std::string("f32")}}), 1});
  if (IsFloat(t)) {
    cases.push_back(OpCase{"to f8e4m3 without saturation",
                           {Given(t, {4}, {1.5, -600, 1000, 0.25})},
                           Attrs({{"to", std::string("f8e4m3")}, {"saturate", int64_t{0}}}),
                           1});
  }
  return cases;
}

}  // namespace

std::vector<OpCase> ElementwiseCases(const std::string& op, DType t) {
  if (IsOneOf(op, {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater", "And", "Or"})) {
    return BinaryCases(op, t);
  }
  if (op == "Where") return WhereCases(t);
  if (op == "Cast") return CastCases(t);
  return UnaryCases(op, t);
}

}  // namespace hetero::conformance
