// The importer on well-formed models: names, symbolic dims, constants and lowerings.
#include "compiler/onnx/importer.h"

#include <gtest/gtest.h>

#include "compiler/onnx/onnx_test_util.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

using namespace onnx_test;  // NOLINT
using ::onnx::TensorProto;

constexpr int32_t kF32 = TensorProto::FLOAT;
constexpr int32_t kI64 = TensorProto::INT64;

std::unique_ptr<ir::Graph> Import(const ::onnx::ModelProto& m, const TempDir& dir,
                                  const OnnxImportOptions& options = {}) {
  auto g = ImportOnnxFile(Write(m, dir.File("m.onnx")), options);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

// The ops of the graph's nodes in order.
std::vector<std::string> Ops(const ir::Graph& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.nodes()) ops.push_back(n->op());
  return ops;
}

Tensor F32(std::vector<int64_t> dims, std::vector<float> values) {
  return Tensor::FromFloat(std::move(dims), values);
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

TEST(OnnxImport, SymbolicDimsNamesAndOneGraphForSeveralShapes) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {"batch", "seq", int64_t{3}});
  AddInput(m, "free", kF32, {std::string()});
  AddF32Initializer(m, "w", {3}, {1, 2, 3});
  AddNode(m, "Add", {"x", "w"}, {"sum"}, "add_named");
  AddNode(m, "Relu", {"sum"}, {"y"});  // no name: one is generated
  AddNode(m, "Neg", {"free"}, {"z"}, "neg");
  AddOutput(m, "y");
  AddOutput(m, "z");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->type().ToString(), "f32[batch,seq,3]");
  EXPECT_EQ(g->inputs()[1]->type().ToString(), "f32[?]");
  EXPECT_EQ(g->outputs()[0]->name(), "y");
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[batch,seq,3]");
  ASSERT_NE(g->FindNode("add_named"), nullptr);
  EXPECT_EQ(g->FindNode("add_named")->output(0)->name(), "sum");
  EXPECT_NE(g->FindNode("Relu_1"), nullptr);
  for (auto [b, s] : {std::pair<int64_t, int64_t>{1, 2}, {3, 5}}) {
    std::vector<float> xs(static_cast<size_t>(b * s * 3), -1.5f);
    xs[0] = 4;
    auto out = RunReference(*g, {{"x", F32({b, s, 3}, xs)}, {"free", F32({2}, {1, 2})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].dims(), (std::vector<int64_t>{b, s, 3}));
    EXPECT_EQ((*out)[0].GetDouble(0), 5.0);  // relu(4 + 1)
    EXPECT_EQ((*out)[0].GetDouble(1), 0.5);  // relu(-1.5 + 2)
    EXPECT_EQ((*out)[0].GetDouble(3), 0.0);  // relu(-1.5 + 1)
  }
}

TEST(OnnxImport, InitializerListedAsInputIsAConstant) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {3});
  AddInput(m, "w", kF32, {3});  // old exporters list initializers among the inputs
  AddF32Initializer(m, "w", {3}, {1, 2, 3});
  AddNode(m, "Mul", {"x", "w"}, {"y"}, "mul");
  AddOutput(m, "y");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->inputs()[0]->name(), "x");
  ASSERT_NE(g->FindValue("w"), nullptr);
  EXPECT_TRUE(g->FindValue("w")->is_constant());
}

TEST(OnnxImport, DuplicateNodeNamesAreMadeUnique) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {3});
  AddNode(m, "Relu", {"x"}, {"a"}, "same");
  AddNode(m, "Neg", {"a"}, {"b"}, "same");
  AddOutput(m, "b");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->num_nodes(), 2u);
  EXPECT_NE(g->nodes()[0]->name(), g->nodes()[1]->name());
  EXPECT_EQ(g->nodes()[0]->name(), "same");
}

TEST(OnnxImport, NodesOutOfOrderAreSorted) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {2});
  AddNode(m, "Neg", {"a"}, {"b"}, "second");
  AddNode(m, "Relu", {"x"}, {"a"}, "first");
  AddOutput(m, "b");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->nodes()[0]->name(), "first");
  EXPECT_EQ(g->nodes()[1]->name(), "second");
}

TEST(OnnxImport, UnsupportedOpsListAndSupportedList) {
  const std::vector<std::string> ops = OnnxSupportedOps();
  for (const char* op : {"Add",
                         "Sub",
                         "Mul",
                         "Div",
                         "Pow",
                         "Sqrt",
                         "Reciprocal",
                         "Neg",
                         "Exp",
                         "Log",
                         "Erf",
                         "Tanh",
                         "Sigmoid",
                         "Relu",
                         "Softmax",
                         "LogSoftmax",
                         "MatMul",
                         "Gemm",
                         "ReduceMean",
                         "ReduceSum",
                         "ReduceMax",
                         "LayerNormalization",
                         "Gather",
                         "Shape",
                         "Size",
                         "Unsqueeze",
                         "Squeeze",
                         "Concat",
                         "Reshape",
                         "Transpose",
                         "Slice",
                         "Split",
                         "Where",
                         "Equal",
                         "Less",
                         "Greater",
                         "Not",
                         "And",
                         "Or",
                         "Expand",
                         "Cast",
                         "CastLike",
                         "ConstantOfShape",
                         "Range",
                         "Constant",
                         "Identity",
                         "Trilu",
                         "Cos",
                         "Sin",
                         "Flatten",
                         "Dropout"}) {
    EXPECT_TRUE(IsOnnxOpSupported(op)) << op;
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  }
  EXPECT_FALSE(IsOnnxOpSupported("TopK"));
  EXPECT_TRUE(std::is_sorted(ops.begin(), ops.end()));
}

TEST(OnnxImport, GemmBecomesMatMulScaleAndBias) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "a", kF32, {2, 3});
  AddInput(m, "b", kF32, {4, 3});
  AddInput(m, "c", kF32, {4});
  auto* n = AddNode(m, "Gemm", {"a", "b", "c"}, {"y"}, "gemm");
  SetInt(n, "transB", 1);
  SetFloat(n, "alpha", 2.0f);
  SetFloat(n, "beta", 0.5f);
  AddOutput(m, "y");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(Ops(*g), (std::vector<std::string>{"MatMul", "Mul", "Mul", "Add"}));
  EXPECT_EQ(g->nodes()[0]->attrs().GetInt("transpose_b", 0), 1);
  EXPECT_EQ(g->nodes()[0]->attrs().GetInt("transpose_a", 1), 0);
  const ir::Node* last = g->nodes().back().get();
  EXPECT_EQ(last->name(), "gemm");
  EXPECT_EQ(last->output(0)->name(), "y");
  // y = 2·a·bᵀ + 0.5·c, checked by hand for one row: a = [1,2,3], b rows = unit-ish.
  Tensor a = F32({2, 3}, {1, 2, 3, 0, 1, 0});
  Tensor b = F32({4, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1});
  Tensor c = F32({4}, {10, 20, 30, 40});
  auto out = RunReference(*g, {{"a", a}, {"b", b}, {"c", c}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values((*out)[0]), (std::vector<double>{7, 14, 21, 32, 5, 12, 15, 22}));
}

TEST(OnnxImport, PlainGemmIsOneMatMul) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "a", kF32, {3, 2});
  AddInput(m, "b", kF32, {3, 4});
  SetInt(AddNode(m, "Gemm", {"a", "b"}, {"y"}, "gemm"), "transA", 1);
  AddOutput(m, "y");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(Ops(*g), (std::vector<std::string>{"MatMul"}));
  EXPECT_EQ(g->nodes()[0]->attrs().GetInt("transpose_a", 0), 1);
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[2,4]");
}

TEST(OnnxImport, ConstantForms) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {1});
  auto* t = AddNode(m, "Constant", {}, {"c_tensor"});
  auto* attr = t->add_attribute();
  attr->set_name("value");
  attr->set_type(::onnx::AttributeProto::TENSOR);
  attr->mutable_t()->set_data_type(kF32);
  attr->mutable_t()->add_dims(2);
  attr->mutable_t()->add_float_data(1.5f);
  attr->mutable_t()->add_float_data(-2.0f);
  SetFloat(AddNode(m, "Constant", {}, {"c_float"}), "value_float", 0.25f);
  SetInt(AddNode(m, "Constant", {}, {"c_int"}), "value_int", 7);
  SetInts(AddNode(m, "Constant", {}, {"c_ints"}), "value_ints", {4, 5, 6});
  auto* fs = AddNode(m, "Constant", {}, {"c_floats"})->add_attribute();
  fs->set_name("value_floats");
  fs->set_type(::onnx::AttributeProto::FLOATS);
  fs->add_floats(3.0f);
  for (const char* out : {"c_tensor", "c_float", "c_int", "c_ints", "c_floats"}) AddOutput(m, out);
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->num_nodes(), 0u);
  auto value = [&](const char* name) { return Values(*g->FindValue(name)->constant()); };
  EXPECT_EQ(value("c_tensor"), (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(value("c_float"), (std::vector<double>{0.25}));
  EXPECT_EQ(g->FindValue("c_float")->type().ToString(), "f32[]");
  EXPECT_EQ(value("c_int"), (std::vector<double>{7}));
  EXPECT_EQ(g->FindValue("c_int")->type().ToString(), "i64[]");
  EXPECT_EQ(value("c_ints"), (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(value("c_floats"), (std::vector<double>{3}));
}

TEST(OnnxImport, IdentityAndDropoutAreAliases) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {2, 2});
  AddNode(m, "Identity", {"x"}, {"i"}, "id");
  AddNode(m, "Dropout", {"i"}, {"d", "mask"}, "drop");
  AddNode(m, "Relu", {"d"}, {"y"}, "relu");
  AddOutput(m, "y");
  AddOutput(m, "mask");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->FindNode("relu")->input(0), g->inputs()[0]);
  // x's dims are known, so the all-true mask folds into a constant.
  const ir::Value* mask = g->outputs()[1];
  EXPECT_EQ(mask->name(), "mask");
  ASSERT_TRUE(mask->is_constant());
  EXPECT_EQ(mask->type().ToString(), "bool[2,2]");
  EXPECT_EQ(Values(*mask->constant()), (std::vector<double>{1, 1, 1, 1}));
}

TEST(OnnxImport, DropoutInTrainingModeIsRefused) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {2});
  auto* t = AddInitializer(m, "train", TensorProto::BOOL, {});
  t->add_int32_data(1);
  AddNode(m, "Dropout", {"x", "", "train"}, {"y"}, "drop");
  AddOutput(m, "y");
  auto g = ImportOnnxFile(Write(m, dir.File("m.onnx")));
  EXPECT_EQ(g.status().code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(g.status().message(), "node 'drop' (Dropout): training_mode is true"));
}

TEST(OnnxImport, FlattenBecomesReshapeWithAConstantShape) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {"batch", int64_t{3}, int64_t{4}});
  SetInt(AddNode(m, "Flatten", {"x"}, {"y"}, "flat"), "axis", 1);
  AddOutput(m, "y");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(Ops(*g), (std::vector<std::string>{"Reshape"}));
  const Tensor* shape = g->nodes()[0]->input(1)->constant();
  ASSERT_NE(shape, nullptr);
  EXPECT_EQ(shape->ToInt64Vector(), (std::vector<int64_t>{-1, 12}));
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[batch,12]");
}

TEST(OnnxImport, AxesInputsBecomeAttributes) {
  TempDir dir;
  auto m = NewModel(18);
  AddInput(m, "x", kF32, {2, 1, 3});
  AddI64Initializer(m, "ax1", {1}, {1});
  AddI64Initializer(m, "ax0", {1}, {0});
  AddNode(m, "Squeeze", {"x", "ax1"}, {"s"}, "squeeze");
  AddNode(m, "Unsqueeze", {"s", "ax0"}, {"u"}, "unsqueeze");
  SetInt(AddNode(m, "ReduceMean", {"u", "ax1"}, {"r"}, "mean"), "keepdims", 0);
  AddOutput(m, "r");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(Ops(*g), (std::vector<std::string>{"Squeeze", "Unsqueeze", "ReduceMean"}));
  EXPECT_EQ(g->FindNode("squeeze")->attrs().GetInts("axes"), (std::vector<int64_t>{1}));
  EXPECT_EQ(g->FindNode("unsqueeze")->attrs().GetInts("axes"), (std::vector<int64_t>{0}));
  EXPECT_EQ(g->FindNode("mean")->attrs().GetInts("axes"), (std::vector<int64_t>{1}));
  EXPECT_EQ(g->FindNode("mean")->inputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[1,3]");
}

TEST(OnnxImport, ReduceMeanTakesAxesAsAnAttributeBeforeOpset18) {
  TempDir dir;
  auto m = NewModel(17);
  AddInput(m, "x", kF32, {2, 3});
  SetInts(AddNode(m, "ReduceMean", {"x"}, {"r"}, "mean"), "axes", {-1});
  AddOutput(m, "r");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->FindNode("mean")->attrs().GetInts("axes"), (std::vector<int64_t>{-1}));
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[2,1]");
}

TEST(OnnxImport, FrozenInputsBecomeConstants) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {3});
  AddInput(m, "axes", kI64, {1});
  AddNode(m, "Unsqueeze", {"x", "axes"}, {"y"}, "unsq");
  AddOutput(m, "y");
  OnnxImportOptions options;
  options.frozen_inputs["axes"] = Tensor::FromInt64({1}, {0});
  auto g = Import(m, dir, options);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->inputs().size(), 1u);
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[1,3]");
  options.frozen_inputs["nope"] = Tensor::FromInt64({1}, {0});
  EXPECT_FALSE(ImportOnnxFile(dir.File("m.onnx"), options).ok());
}

TEST(OnnxImport, SplitCastAndLayerNorm) {
  TempDir dir;
  auto m = NewModel(18);
  AddInput(m, "x", kF32, {2, 4});
  AddInput(m, "h", TensorProto::FLOAT16, {2, 2});
  AddF32Initializer(m, "g", {2}, {1, 2});
  auto* split = AddNode(m, "Split", {"x"}, {"p", "q"}, "split");
  SetInt(split, "axis", 1);
  SetInt(split, "num_outputs", 2);
  SetInt(AddNode(m, "Cast", {"p"}, {"p16"}, "cast"), "to", TensorProto::FLOAT16);
  AddNode(m, "CastLike", {"h", "q"}, {"h32"}, "castlike");
  AddNode(m, "LayerNormalization", {"q", "g"}, {"ln", "mean", "inv"}, "ln");
  for (const char* out : {"p16", "h32", "ln", "mean", "inv"}) AddOutput(m, out);
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->FindNode("cast")->attrs().GetString("to", ""), "f16");
  EXPECT_EQ(g->FindNode("castlike")->op(), "Cast");
  EXPECT_EQ(g->FindNode("castlike")->attrs().GetString("to", ""), "f32");
  EXPECT_EQ(g->FindNode("ln")->op(), "LayerNorm");
  std::vector<std::string> types;
  for (const ir::Value* v : g->outputs()) types.push_back(v->type().ToString());
  EXPECT_EQ(types,
            (std::vector<std::string>{"f16[2,2]", "f32[2,2]", "f32[2,2]", "f32[2,1]", "f32[2,1]"}));
}

TEST(OnnxImport, ShapeArithmeticOnKnownDimsFolds) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {"batch", int64_t{6}});
  AddI64Initializer(m, "one", {1}, {1});
  AddI64Initializer(m, "two", {1}, {2});
  auto* shape = AddNode(m, "Shape", {"x"}, {"s"}, "shape");
  SetInt(shape, "start", 1);                          // [6]: known
  AddNode(m, "Div", {"s", "two"}, {"half"}, "half");  // [3]
  SetInt(AddNode(m, "Concat", {"one", "half", "two"}, {"target"}, "cat"), "axis", 0);
  AddNode(m, "Reshape", {"x", "target"}, {"y"}, "reshape");
  AddOutput(m, "y");
  auto g = Import(m, dir);
  ASSERT_NE(g, nullptr);
  // Only the Reshape is left; its shape is the constant [1, 3, 2].
  ASSERT_EQ(Ops(*g), (std::vector<std::string>{"Reshape"}));
  EXPECT_EQ(g->nodes()[0]->input(1)->constant()->ToInt64Vector(), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(g->outputs()[0]->type().ToString(), "f32[1,3,2]");
}

}  // namespace
}  // namespace hetero
