// Op cases of the movement family: shapes and indices both as constants and as inputs
// known only when the graph runs.
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

using Ints = std::vector<int64_t>;
constexpr DType kI64 = DType::kI64;
constexpr DType kI32 = DType::kI32;

std::vector<OpCase> ShapeOpCases(const std::string& op, DType t) {
  if (op == "Reshape") {
    return {
        {"constant shape with -1", {In(t, {2, 3, 4}), Const(kI64, {2}, {4, -1})}, {}, 1},
        {"0 copies a dim", {In(t, {2, 3, 4}), Const(kI64, {2}, {0, -1})}, {}, 1},
        {"shape known at run time", {In(t, {2, 3, 4}), Given(kI64, {3}, {6, 2, 2})}, {}, 1},
        {"empty with allowzero",
         {In(t, {0, 3}), Const(kI64, {2}, {3, 0})},
         Attrs({{"allowzero", int64_t{1}}}),
         1},
    };
  }
  if (op == "Expand") {
    return {
        {"grow and add dims", {In(t, {3, 1}), Const(kI64, {3}, {2, 3, 4})}, {}, 1},
        {"size-1", {In(t, {1}), Const(kI64, {1}, {3})}, {}, 1},
        {"ones keep dims", {In(t, {2, 3}), Const(kI64, {2}, {1, 1})}, {}, 1},
        {"shape known at run time", {In(t, {1, 2}), Given(kI64, {2}, {3, 2})}, {}, 1},
    };
  }
  if (op == "Squeeze") {
    return {
        {"every size-1 dim", {In(t, {1, 3, 1})}, {}, 1},
        {"first axis", {In(t, {1, 3, 1})}, Attrs({{"axes", Ints{0}}}), 1},
        {"negative axis", {In(t, {1, 3, 1})}, Attrs({{"axes", Ints{-1}}}), 1},
    };
  }
  if (op == "Unsqueeze") {
    return {
        {"front", {In(t, {3})}, Attrs({{"axes", Ints{0}}}), 1},
        {"two axes", {In(t, {3})}, Attrs({{"axes", Ints{0, 2}}}), 1},
        {"scalar", {In(t, {})}, Attrs({{"axes", Ints{0}}}), 1},
    };
  }
  return {
      // Transpose
      {"reverse", {In(t, {2, 3, 4})}, {}, 1},
      {"swap first two", {In(t, {2, 3, 4})}, Attrs({{"perm", Ints{1, 0, 2}}}), 1},
      {"size-1", {In(t, {2, 1})}, Attrs({{"perm", Ints{1, 0}}}), 1},
      {"empty", {In(t, {0, 2})}, {}, 1},
  };
}

std::vector<OpCase> JoinSplitCases(const std::string& op, DType t) {
  if (op == "Concat") {
    return {
        {"axis 1", {In(t, {2, 3}), In(t, {2, 1})}, Attrs({{"axis", int64_t{1}}}), 1},
        {"three with an empty one",
         {In(t, {1, 2}), In(t, {2, 2}), In(t, {0, 2})},
         Attrs({{"axis", int64_t{0}}}),
         1},
        {"negative axis", {In(t, {2, 2}), In(t, {2, 2})}, Attrs({{"axis", int64_t{-1}}}), 1},
        {"one input", {In(t, {3})}, Attrs({{"axis", int64_t{0}}}), 1},
    };
  }
  return {
      // Split
      {"three equal parts", {In(t, {6, 2})}, {}, 3},
      {"uneven parts", {In(t, {5})}, {}, 2},
      {"given sizes", {In(t, {2, 6}), Const(kI64, {2}, {1, 5})}, Attrs({{"axis", int64_t{1}}}), 2},
      {"num_outputs", {In(t, {4, 2})}, Attrs({{"num_outputs", int64_t{2}}}), 2},
  };
}

std::vector<OpCase> IndexCases(const std::string& op, DType t) {
  if (op == "Slice") {
    return {
        {"one axis",
         {In(t, {5, 4}), Const(kI64, {1}, {1}), Const(kI64, {1}, {4}), Const(kI64, {1}, {0})},
         {},
         1},
        {"reversed",
         {In(t, {5, 4}), Const(kI64, {1}, {-1}), Const(kI64, {1}, {-1000}), Const(kI64, {1}, {1}),
          Const(kI64, {1}, {-1})},
         {},
         1},
        {"steps of 2, i32",
         {In(t, {5, 4}), Const(kI32, {2}, {0, 1}), Const(kI32, {2}, {5, 4}),
          Const(kI32, {2}, {0, 1}), Const(kI32, {2}, {2, 2})},
         {},
         1},
        {"clamped end", {In(t, {3, 2}), Const(kI64, {1}, {1}), Const(kI64, {1}, {1e12})}, {}, 1},
        {"bounds known at run time",
         {In(t, {6}), Given(kI64, {1}, {2}), Given(kI64, {1}, {5})},
         {},
         1},
        {"empty result", {In(t, {4}), Const(kI64, {1}, {3}), Const(kI64, {1}, {1})}, {}, 1},
    };
  }
  if (op == "Gather") {
    return {
        {"rows", {In(t, {5, 3}), Const(kI64, {2}, {4, 0})}, {}, 1},
        {"columns, i32, negative",
         {In(t, {5, 3}), Const(kI32, {2, 2}, {0, 2, -1, 1})},
         Attrs({{"axis", int64_t{1}}}),
         1},
        {"scalar index", {In(t, {5, 3}), Const(kI64, {}, {3})}, {}, 1},
        {"indices known at run time", {In(t, {4, 2}), Given(kI64, {3}, {1, 1, 3})}, {}, 1},
        {"no indices", {In(t, {4, 2}), Const(kI64, {0}, {})}, {}, 1},
    };
  }
  return {
      // Trilu
      {"upper", {In(t, {3, 4})}, {}, 1},
      {"lower, k=1", {In(t, {3, 4}), Const(kI64, {}, {1})}, Attrs({{"upper", int64_t{0}}}), 1},
      {"upper, k=-1", {In(t, {3, 4}), Const(kI64, {}, {-1})}, {}, 1},
      {"batched", {In(t, {2, 3, 3})}, {}, 1},
      {"empty", {In(t, {0, 3})}, {}, 1},
  };
}

std::vector<OpCase> GeneratorCases(const std::string& op, DType t) {
  if (op == "Range") {
    const bool f = IsFloat(t);
    return {
        {"up", {Const(t, {}, {0}), Const(t, {}, {5}), Const(t, {}, {1})}, {}, 1},
        {"down", {Const(t, {}, {5}), Const(t, {}, {0}), Const(t, {}, {-2})}, {}, 1},
        {"empty", {Const(t, {}, {1}), Const(t, {}, {1}), Const(t, {}, {1})}, {}, 1},
        {"known at run time",
         {Given(t, {}, {f ? 0.5 : 2}), Given(t, {}, {f ? 3.0 : 9}), Given(t, {}, {f ? 0.75 : 3})},
         {},
         1},
    };
  }
  if (op == "ConstantOfShape") {  // the main operand is the i64 shape
    return {
        {"f32", {Const(kI64, {2}, {2, 3})}, Attrs({{"value", 1.5}}), 1},
        {"i32",
         {Const(kI64, {1}, {4})},
         Attrs({{"value", int64_t{7}}, {"dtype", std::string("i32")}}),
         1},
        {"scalar", {Const(kI64, {0}, {})}, Attrs({{"value", 2.0}}), 1},
        {"empty", {Const(kI64, {1}, {0})}, {}, 1},
        {"bool",
         {Const(kI64, {2}, {1, 2})},
         Attrs({{"value", int64_t{1}}, {"dtype", std::string("bool")}}),
         1},
        {"shape known at run time",
         {Given(kI64, {2}, {3, 1})},
         Attrs({{"dtype", std::string("f16")}, {"value", 0.5}}),
         1},
    };
  }
  if (op == "Shape") {
    return {
        {"whole", {In(t, {2, 3, 4})}, {}, 1},
        {"from 1", {In(t, {2, 3, 4})}, Attrs({{"start", int64_t{1}}}), 1},
        {"to -1", {In(t, {2, 3, 4})}, Attrs({{"end", int64_t{-1}}}), 1},
        {"clamped", {In(t, {2, 3})}, Attrs({{"start", int64_t{-5}}, {"end", int64_t{10}}}), 1},
        {"scalar", {In(t, {})}, {}, 1},
    };
  }
  return {
      // Size
      {"2-D", {In(t, {2, 3})}, {}, 1},
      {"empty", {In(t, {0})}, {}, 1},
      {"scalar", {In(t, {})}, {}, 1},
  };
}

}  // namespace

std::vector<OpCase> MovementCases(const std::string& op, DType t) {
  if (op == "Reshape" || op == "Expand" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Transpose") {
    return ShapeOpCases(op, t);
  }
  if (op == "Concat" || op == "Split") return JoinSplitCases(op, t);
  if (op == "Slice" || op == "Gather" || op == "Trilu") return IndexCases(op, t);
  return GeneratorCases(op, t);
}

}  // namespace hetero::conformance
