// Op cases of the fused and quant families.
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

constexpr DType kF32 = DType::kF32;
constexpr DType kBool = DType::kBool;

std::vector<OpCase> AttentionCases(DType t) {
  return {
      {"plain", {In(t, {1, 2, 3, 4}), In(t, {1, 2, 5, 4}), In(t, {1, 2, 5, 4})}, {}, 1},
      {"causal",
       {In(t, {1, 2, 3, 4}), In(t, {1, 2, 5, 4}), In(t, {1, 2, 5, 4})},
       Attrs({{"causal", int64_t{1}}}),
       1},
      {"bool mask",
       {In(t, {1, 2, 3, 4}), In(t, {1, 2, 5, 4}), In(t, {1, 2, 5, 4}), In(kBool, {1, 1, 3, 5})},
       {},
       1},
      {"additive mask",
       {In(t, {2, 1, 3, 4}), In(t, {2, 1, 3, 4}), In(t, {2, 1, 3, 4}), In(t, {3, 3})},
       {},
       1},
      {"grouped kv heads, scale",
       {In(t, {1, 4, 2, 4}), In(t, {1, 2, 3, 4}), In(t, {1, 2, 3, 2})},
       Attrs({{"scale", 0.5}}),
       1},
      {"one query, causal",
       {In(t, {2, 2, 1, 4}), In(t, {2, 2, 6, 4}), In(t, {2, 2, 6, 4})},
       Attrs({{"causal", int64_t{1}}}),
       1},
  };
}

std::vector<OpCase> FusedCases(const std::string& op, DType t) {
  if (op == "Attention") return AttentionCases(t);
  if (op == "Rope") {
    return {
        {"broadcast tables", {In(t, {1, 2, 3, 4}), In(t, {3, 4}), In(t, {3, 4})}, {}, 1},
        {"2-D", {In(t, {2, 4}), In(t, {2, 4}), In(t, {2, 4})}, {}, 1},
        // Half-rows past a vector with a tail, odd row counts, tables of other shapes.
        {"[S, D] tables, 7 rows", {In(t, {2, 3, 7, 40}), In(t, {7, 40}), In(t, {7, 40})}, {}, 1},
        {"[1, 1, S, D] tables, 5 rows",
         {In(t, {3, 2, 5, 64}), In(t, {1, 1, 5, 64}), In(t, {1, 1, 5, 64})},
         {},
         1},
        {"one table of x's shape, one of one row, 13 rows",
         {In(t, {13, 18}), In(t, {13, 18}), In(t, {1, 18})},
         {},
         1},
    };
  }
  if (op == "SwiGLU") {
    return {
        {"same shapes", {In(t, {2, 3}), In(t, {2, 3})}, {}, 1},
        {"broadcast", {In(t, {2, 3}), In(t, {3})}, {}, 1},
        {"empty", {In(t, {0, 3}), In(t, {0, 3})}, {}, 1},
    };
  }
  // KvCacheAppend
  return {
      {"constant position",
       {In(t, {1, 2, 5, 3}), In(t, {1, 2, 2, 3}), Const(DType::kI64, {}, {1})},
       {},
       1},
      {"position known at run time, i32",
       {In(t, {2, 1, 4, 2}), In(t, {2, 1, 1, 2}), Given(DType::kI32, {}, {3})},
       {},
       1},
  };
}

// int8 weights with random values, a graph constant (packed when compiled).
InputSpec ConstWeights(std::vector<int64_t> dims) {
  return InputSpec{DType::kI8, std::move(dims), Domain::kAny, true, {}, false};
}

// Odd shapes on purpose: k not a multiple of 4, 1 / 7 / 13 / 29 rows, partial panels.
std::vector<OpCase> QuantMatMulCases(DType t) {
  const DType kI8 = DType::kI8;
  auto scales = [](int64_t n) {
    std::vector<double> v;
    for (int64_t j = 0; j < n; ++j) v.push_back(0.01 * static_cast<double>(1 + j % 7));
    return v;
  };
  return {
      {"1 row, k 5", {In(t, {1, 5}), ConstWeights({5, 3}), Const(t, {3}, scales(3))}, {}, 1},
      {"7 rows, k 7, bias, relu",
       {In(t, {7, 7}), ConstWeights({7, 33}), Const(t, {33}, scales(33)), In(t, {33})},
       Attrs({{"activation", std::string("relu")}}),
       1},
      {"13 rows in batch dims, transposed weights, one scale, gelu",
       {In(t, {1, 13, 18}), ConstWeights({40, 18}), Const(t, {}, {0.02}), In(t, {40})},
       Attrs({{"transpose_b", int64_t{1}}, {"activation", std::string("gelu")}}),
       1},
      {"29 rows, k 67, 70 columns, silu",
       {In(t, {29, 67}), ConstWeights({67, 70}), Const(t, {70}, scales(70)), In(t, {70})},
       Attrs({{"activation", std::string("silu")}}),
       1},
      {"static u8 activation quantization",
       {In(t, {7, 9}), ConstWeights({9, 5}), Const(t, {5}, scales(5)), Absent(),
        Const(t, {}, {0.02}), Const(DType::kU8, {}, {128})},
       {},
       1},
      {"static i8 activation quantization, bias",
       {In(t, {13, 6}), ConstWeights({6, 4}), Const(t, {4}, scales(4)), In(t, {4}),
        Const(t, {}, {0.015}), Const(kI8, {}, {-3})},
       {},
       1},
      {"weights given at run time", {In(t, {3, 10}), In(kI8, {10, 4}), In(t, {4})}, {}, 1},
      {"no rows", {In(t, {0, 4}), ConstWeights({4, 3}), Const(t, {3}, scales(3))}, {}, 1},
  };
}

std::vector<OpCase> QuantCases(const std::string& op, DType t) {
  if (op == "QuantMatMul") return QuantMatMulCases(t);
  if (op == "Quantize") {
    return {
        {"to i8 with zero point",
         {In(t, {2, 3}), Const(kF32, {}, {0.1}), Const(DType::kI8, {}, {3})},
         {},
         1},
        {"to u8", {In(t, {2, 3}), Const(kF32, {}, {0.05})}, Attrs({{"to", std::string("u8")}}), 1},
        {"per axis",
         {In(t, {2, 3}), Const(kF32, {3}, {0.1, 0.2, 0.05}), Const(DType::kU8, {3}, {1, 2, 3})},
         Attrs({{"axis", int64_t{1}}}),
         1},
        {"to f8e4m3", {In(t, {4}), Const(kF32, {}, {0.5}), Const(DType::kF8E4M3, {}, {0})}, {}, 1},
        {"empty", {In(t, {0}), Const(kF32, {}, {0.1})}, {}, 1},
    };
  }
  if (op == "Dequantize") {
    return {
        {"with zero point", {In(t, {2, 3}), Const(kF32, {}, {0.1}), Const(t, {}, {2})}, {}, 1},
        {"without zero point", {In(t, {2, 3}), Const(kF32, {}, {0.25})}, {}, 1},
        {"per axis",
         {In(t, {2, 3}), Const(kF32, {3}, {0.1, 0.2, 0.05}), Const(t, {3}, {1, 0, 2})},
         Attrs({{"axis", int64_t{1}}}),
         1},
        {"scale known at run time", {In(t, {3}), Given(kF32, {}, {0.5})}, {}, 1},
    };
  }
  // MatMulInteger
  return {
      {"plain", {In(t, {2, 3}), In(t, {3, 4})}, {}, 1},
      {"scalar zero points",
       {In(t, {2, 3}), In(t, {3, 4}), Const(t, {}, {1}), Const(t, {}, {2})},
       {},
       1},
      {"per-row and per-column zero points",
       {In(t, {2, 3}), In(t, {3, 4}), Const(t, {2}, {1, 0}), Const(t, {4}, {0, 1, 2, 3})},
       {},
       1},
      {"b zero point only", {In(t, {2, 2, 3}), In(t, {3, 2}), Absent(), Const(t, {}, {1})}, {}, 1},
  };
}

}  // namespace

std::vector<OpCase> FusedQuantCases(const std::string& op, DType t) {
  if (op == "Quantize" || op == "Dequantize" || op == "MatMulInteger" || op == "QuantMatMul") {
    return QuantCases(op, t);
  }
  return FusedCases(op, t);
}

}  // namespace hetero::conformance
