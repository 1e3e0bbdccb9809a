// Op cases of the reduce, norm and matmul families.
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

using Ints = std::vector<int64_t>;

std::vector<OpCase> ReduceCases(const std::string& op, DType t) {
  std::vector<OpCase> cases = {
      {"all axes", {In(t, {2, 3, 4})}, {}, 1},
      {"axis 1 dropped",
       {In(t, {2, 3, 4})},
       Attrs({{"axes", Ints{1}}, {"keepdims", int64_t{0}}}),
       1},
      {"last axis kept",
       {In(t, {2, 3, 4})},
       Attrs({{"axes", Ints{-1}}, {"keepdims", int64_t{1}}}),
       1},
      {"two axes", {In(t, {2, 3, 4})}, Attrs({{"axes", Ints{0, 2}}, {"keepdims", int64_t{0}}}), 1},
      {"scalar", {In(t, {})}, {}, 1},
      {"size-1", {In(t, {1})}, Attrs({{"axes", Ints{0}}}), 1},
  };
  // An integer mean over nothing is an error; every other reduction of nothing is defined.
  if (!(op == "ReduceMean" && !IsFloat(t))) {
    cases.push_back({"over an empty axis",
                     {In(t, {2, 0, 3})},
                     Attrs({{"axes", Ints{1}}, {"keepdims", int64_t{0}}}),
                     1});
  }
  return cases;
}

std::vector<OpCase> SoftmaxCases(DType t) {
  return {
      {"last axis", {In(t, {2, 5})}, {}, 1},
      {"middle axis", {In(t, {3, 1, 4})}, Attrs({{"axis", int64_t{1}}}), 1},
      {"size-1", {In(t, {1})}, Attrs({{"axis", int64_t{0}}}), 1},
      {"empty rows", {In(t, {0, 3})}, {}, 1},
  };
}

std::vector<OpCase> NormCases(const std::string& op, DType t) {
  if (op == "RMSNorm") {
    return {
        {"last axis", {In(t, {2, 4}), In(t, {4})}, {}, 1},
        {"two axes",
         {In(t, {2, 3, 4}), In(t, {3, 4})},
         Attrs({{"axis", int64_t{1}}, {"epsilon", 1e-3}}),
         1},
        {"size-1", {In(t, {1, 1}), Const(t, {1}, {2})}, {}, 1},
    };
  }
  return {
      {"scale and bias", {In(t, {2, 3, 4}), In(t, {4}), In(t, {4})}, {}, 1},
      {"two axes, no bias",
       {In(t, {2, 3, 4}), In(t, {3, 4})},
       Attrs({{"axis", int64_t{1}}, {"epsilon", 1e-3}}),
       1},
      {"mean and inv_std_dev", {In(t, {3, 5}), In(t, {5}), In(t, {5})}, {}, 3},
      {"size-1", {In(t, {1, 1}), Const(t, {1}, {1.5})}, {}, 1},
  };
}

std::vector<OpCase> MatMulCases(DType t) {
  auto tr = [](int64_t a, int64_t b) { return Attrs({{"transpose_a", a}, {"transpose_b", b}}); };
  return {
      {"2-D", {In(t, {2, 3}), In(t, {3, 4})}, {}, 1},
      {"batched", {In(t, {2, 2, 3}), In(t, {3, 5})}, {}, 1},
      {"broadcast batch", {In(t, {2, 1, 2, 3}), In(t, {1, 3, 3, 4})}, {}, 1},
      {"vector times matrix", {In(t, {3}), In(t, {3, 4})}, {}, 1},
      {"matrix times vector", {In(t, {2, 3}), In(t, {3})}, {}, 1},
      {"transposed operands", {In(t, {3, 2}), In(t, {4, 3})}, tr(1, 1), 1},
      {"inner dim 0", {In(t, {2, 0}), In(t, {0, 3})}, {}, 1},
      {"size-1", {In(t, {1, 1}), In(t, {1, 1})}, {}, 1},
      {"constant weights", {In(t, {3, 2}), Const(t, {2, 2}, {1, -1, 0.5, 2})}, {}, 1},
      // Big enough that a device may split it across threads.
      {"large", {In(t, {2, 64, 128}), In(t, {128, 160})}, {}, 1},
      // Weights a device may prepare at compile time (the cpu packs them, as bf16 with
      // precision=bf16), large enough for its widest tiles.
      {"large, constant weights", {In(t, {2, 64, 128}), RandomConst(t, {128, 160})}, {}, 1},
      {"constant transposed weights, odd inner dim",
       {In(t, {40, 77}), RandomConst(t, {33, 77})},
       tr(0, 1),
       1},
  };
}

std::vector<OpCase> FusedMatMulCases(DType t) {
  std::vector<OpCase> cases;
  for (const char* act : {"none", "relu", "gelu", "gelu_tanh", "silu"}) {
    cases.push_back({std::string("bias and ") + act,
                     {In(t, {2, 3}), In(t, {3, 4}), In(t, {4})},
                     Attrs({{"activation", std::string(act)}}),
                     1});
  }
  cases.push_back({"no bias, transposed b",
                   {In(t, {2, 2, 3}), In(t, {4, 3})},
                   Attrs({{"transpose_b", int64_t{1}}}),
                   1});
  cases.push_back({"size-1", {In(t, {1, 1}), In(t, {1, 1}), In(t, {1})}, {}, 1});
  cases.push_back({"large",
                   {In(t, {128, 128}), In(t, {128, 160}), In(t, {160})},
                   Attrs({{"activation", std::string("gelu")}}),
                   1});
  cases.push_back({"large, constant weights",
                   {In(t, {96, 256}), RandomConst(t, {256, 72}), In(t, {72})},
                   Attrs({{"activation", std::string("silu")}}),
                   1});
  return cases;
}

}  // namespace

std::vector<OpCase> ReduceNormMatMulCases(const std::string& op, DType t) {
  if (op == "Softmax" || op == "LogSoftmax") return SoftmaxCases(t);
  if (op == "LayerNorm" || op == "RMSNorm") return NormCases(op, t);
  if (op == "MatMul") return MatMulCases(t);
  if (op == "FusedMatMul") return FusedMatMulCases(t);
  return ReduceCases(op, t);
}

}  // namespace hetero::conformance
