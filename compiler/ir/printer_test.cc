// Tests of the IR text printer: layout, names, types, attributes and constant data.
#include "compiler/ir/printer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hetero::ir {
namespace {

TensorType F32(std::vector<Dim> dims) { return TensorType{DType::kF32, Shape(std::move(dims))}; }

TEST(PrinterTest, PrintsASmallGraphLineByLine) {
  ASSERT_NE(ops::FindOp("Add"), nullptr);
  ASSERT_NE(ops::FindOp("Softmax"), nullptr);
  Graph g("tiny");
  Value* x = g.AddInput("x", F32({Dim::Symbol("batch"), 3})).value();
  Value* w = g.AddConstant("w", Tensor::FromFloat({3}, {0.5f, -1.0f, 2.0f})).value();
  Node* add = g.AddNode("Add", {x, w}, {}, 1, "sum", {"sum"}).value();
  ops::Attributes attrs;
  attrs.Set("axis", int64_t{-1});
  Node* softmax = g.AddNode("Softmax", {add->output(0)}, attrs, 1, "probs_node", {"probs"}).value();
  g.AddOutput(softmax->output(0));
  EXPECT_EQ(PrintGraph(g),
            "graph @tiny {\n"
            "  input %x : f32[batch,3]\n"
            "  const %w : f32[3] = [0.5, -1, 2]\n"
            "  %sum = Add(%x, %w) : f32[batch,3]\n"
            "  %probs = Softmax(%sum) {axis = -1} : f32[batch,3] @probs_node\n"
            "  output %probs\n"
            "}\n");
}

TEST(PrinterTest, EmptyGraph) { EXPECT_EQ(PrintGraph(Graph("e")), "graph @e {\n}\n"); }

TEST(PrinterTest, QuotesNamesThatAreNotBare) {
  Graph g("my model");
  ASSERT_TRUE(g.AddInput("/model/Add_output_0", F32({2})).ok());
  ASSERT_TRUE(g.AddInput("a b", F32({2})).ok());
  ASSERT_TRUE(g.AddInput("ends:", F32({2})).ok());
  ASSERT_TRUE(g.AddInput("q\"\\\n", F32({2})).ok());
  ASSERT_TRUE(g.AddInput("Add:0", F32({2})).ok());
  const std::string text = PrintGraph(g);
  EXPECT_NE(text.find("graph @\"my model\" {"), std::string::npos) << text;
  EXPECT_NE(text.find("input %/model/Add_output_0 :"), std::string::npos) << text;
  EXPECT_NE(text.find("input %\"a b\" :"), std::string::npos) << text;
  EXPECT_NE(text.find("input %\"ends:\" :"), std::string::npos) << text;
  EXPECT_NE(text.find("input %\"q\\\"\\\\\\n\" :"), std::string::npos) << text;
  EXPECT_NE(text.find("input %Add:0 :"), std::string::npos) << text;
}

TEST(PrinterTest, TypesShowSymbolsUnknownsAndScalars) {
  EXPECT_EQ(PrintType(F32({Dim::Symbol("batch"), Dim::Unknown(), 768})), "f32[batch,?,768]");
  EXPECT_EQ(PrintType(TensorType{DType::kI64, Shape()}), "i64[]");
  EXPECT_EQ(PrintType(F32({Dim::Symbol("seq len"), Dim::Symbol("2x")})), "f32[\"seq len\",\"2x\"]");
  EXPECT_EQ(PrintType(TensorType{DType::kF8E4M3, Shape({1})}), "f8e4m3[1]");
}

TEST(PrinterTest, DoublesAlwaysReadAsFloats) {
  EXPECT_EQ(PrintDouble(1.0), "1.0");
  EXPECT_EQ(PrintDouble(-3.0), "-3.0");
  EXPECT_EQ(PrintDouble(0.1), "0.1");
  EXPECT_EQ(PrintDouble(1e-5), "1e-05");
  EXPECT_EQ(PrintDouble(1e20), "1e+20");
  EXPECT_EQ(PrintDouble(-0.0), "-0.0");
  EXPECT_EQ(PrintDouble(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(PrintDouble(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(PrintDouble(std::nan("")), "nan");
  // A value that came from a float keeps every digit of its double.
  EXPECT_EQ(PrintDouble(static_cast<double>(1e-5f)), "9.999999747378752e-06");
}

TEST(PrinterTest, AttributeValuesOfEveryKind) {
  EXPECT_EQ(PrintAttrValue(int64_t{-3}), "-3");
  EXPECT_EQ(PrintAttrValue(2.0), "2.0");
  EXPECT_EQ(PrintAttrValue(std::string("tanh")), "\"tanh\"");
  EXPECT_EQ(PrintAttrValue(std::string("a\"b\tc\x01")), "\"a\\\"b\\tc\\x01\"");
  EXPECT_EQ(PrintAttrValue(std::vector<int64_t>{1, -2}), "[1, -2]");
  EXPECT_EQ(PrintAttrValue(std::vector<double>{0.5, 1}), "[0.5, 1.0]");
  EXPECT_EQ(PrintAttrValue(std::vector<std::string>{"a", "b"}), "[\"a\", \"b\"]");
  EXPECT_EQ(PrintAttrValue(std::vector<int64_t>{}), "[] : ints");
  EXPECT_EQ(PrintAttrValue(std::vector<double>{}), "[] : floats");
  EXPECT_EQ(PrintAttrValue(std::vector<std::string>{}), "[] : strings");
}

// The printed text of a one-constant graph's data: what follows " = ".
std::string ConstantText(Tensor t, PrintOptions options = {}) {
  Graph g("c");
  EXPECT_TRUE(g.AddConstant("c", std::move(t)).ok());
  const std::string text = PrintGraph(g, options);
  const size_t eq = text.find(" = ");
  return text.substr(eq + 3, text.find('\n', eq) - eq - 3);
}

TEST(PrinterTest, ConstantDataOfEveryDType) {
  EXPECT_EQ(ConstantText(Tensor::FromFloat({3}, {0.1f, -0.0f, 3e38f})), "[0.1, -0, 3e+38]");
  EXPECT_EQ(ConstantText(Tensor::FromFloat({3}, {1.5f, -2.0f, 65504.0f}, DType::kF16)),
            "[1.5, -2, 65504]");
  EXPECT_EQ(ConstantText(Tensor::FromFloat({2}, {3.140625f, -0.5f}, DType::kBF16)),
            "[3.140625, -0.5]");
  EXPECT_EQ(ConstantText(Tensor::FromFloat({2}, {448.0f, -0.001953125f}, DType::kF8E4M3)),
            "[448, -0.001953125]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({2}, {INT64_MIN, INT64_MAX})),
            "[-9223372036854775808, 9223372036854775807]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({2}, {INT32_MIN, 7}, DType::kI32)), "[-2147483648, 7]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({2}, {-128, 127}, DType::kI8)), "[-128, 127]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({2}, {0, 255}, DType::kU8)), "[0, 255]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({3}, {1, 0, 1}, DType::kBool)), "[true, false, true]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({}, {42})), "[42]");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({0, 3}, {})), "[]");
}

TEST(PrinterTest, LargeConstantsAreElided) {
  const Tensor big = Tensor::Allocate(DType::kF32, {17}).value();
  EXPECT_EQ(ConstantText(big), "elided");
  EXPECT_EQ(ConstantText(Tensor::Allocate(DType::kF32, {16}).value()).substr(0, 4), "[0, ");
  EXPECT_EQ(ConstantText(Tensor::FromInt64({3}, {1, 2, 3}), {.max_inline_elements = 2}), "elided");
  const std::string all = ConstantText(big, {.max_inline_elements = -1});
  EXPECT_EQ(std::count(all.begin(), all.end(), ','), 16);
}

TEST(PrinterTest, AbsentInputsAndMultipleOutputs) {
  ASSERT_NE(ops::FindOp("LayerNorm"), nullptr);
  Graph g("norm");
  Value* x = g.AddInput("x", F32({2, 4})).value();
  Value* scale = g.AddInput("scale", F32({4})).value();
  ops::Attributes attrs;
  attrs.Set("epsilon", 1e-5);
  Node* n = g.AddNode("LayerNorm", {x, scale, nullptr}, attrs).value();
  const std::string text = PrintGraph(g);
  // Builder names: node "LayerNorm", output "LayerNorm:0"; the node name differs from
  // its first output's, so it is spelled out.
  EXPECT_NE(text.find("  %LayerNorm:0 = LayerNorm(%x, %scale) {epsilon = 1e-05}"
                      " : f32[2,4] @LayerNorm\n"),
            std::string::npos)
      << text;
  n->set_input(1, nullptr);
  EXPECT_NE(PrintGraph(g).find("LayerNorm(%x, _)"), std::string::npos);
}

}  // namespace
}  // namespace hetero::ir
