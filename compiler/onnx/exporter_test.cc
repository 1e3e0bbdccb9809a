// Tests of the ONNX exporter's structure: model header, dims, initializers, op mappings.
// (tests/e2e/export_check.py runs the exported models in onnxruntime.)
#include "compiler/onnx/exporter.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "compiler/builtin/builtin.h"

namespace hetero {
namespace {

::onnx::ModelProto Export(const ir::Graph& graph) {
  ::onnx::ModelProto model;
  Status s = ExportOnnxModelProto(graph, &model);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

std::string Dims(const ::onnx::ValueInfoProto& info) {
  std::string out;
  for (const auto& d : info.type().tensor_type().shape().dim()) {
    out += (out.empty() ? "" : ",") + (d.has_dim_param()   ? d.dim_param()
                                       : d.has_dim_value() ? std::to_string(d.dim_value())
                                                           : std::string("?"));
  }
  return out;
}

const ::onnx::TensorProto* FindInitializer(const ::onnx::GraphProto& g, const std::string& name) {
  for (const auto& t : g.initializer()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

std::vector<std::string> OpTypes(const ::onnx::GraphProto& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.node()) ops.push_back(n.op_type());
  return ops;
}

TEST(ExporterTest, WritesHeaderInputsOutputsAndWeights) {
  auto graph = BuildBuiltinModel("gpt2-tiny");
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  ::onnx::ModelProto model = Export(**graph);
  EXPECT_EQ(model.ir_version(), 8);
  ASSERT_EQ(model.opset_import_size(), 1);
  EXPECT_EQ(model.opset_import(0).domain(), "");
  EXPECT_EQ(model.opset_import(0).version(), 17);
  const ::onnx::GraphProto& g = model.graph();
  ASSERT_EQ(g.input_size(), 2);
  EXPECT_EQ(g.input(0).name(), "input_ids");
  EXPECT_EQ(g.input(0).type().tensor_type().elem_type(), ::onnx::TensorProto::INT64);
  EXPECT_EQ(Dims(g.input(0)), "batch,seq");
  ASSERT_EQ(g.output_size(), 1);
  EXPECT_EQ(g.output(0).name(), "logits");
  EXPECT_EQ(Dims(g.output(0)), "batch,seq,1000");
  // Every constant is an initializer with its bytes; the tied embedding appears once.
  const ::onnx::TensorProto* wte = FindInitializer(g, "wte.weight");
  ASSERT_NE(wte, nullptr);
  EXPECT_EQ(wte->data_type(), ::onnx::TensorProto::FLOAT);
  EXPECT_EQ(wte->dims_size(), 2);
  const Tensor* data = (*graph)->FindValue("wte.weight")->constant();
  ASSERT_EQ(wte->raw_data().size(), data->byte_size());
  EXPECT_EQ(std::memcmp(wte->raw_data().data(), data->raw(), data->byte_size()), 0);
  int wte_count = 0;
  for (const auto& t : g.initializer()) wte_count += t.name() == "wte.weight";
  EXPECT_EQ(wte_count, 1);
  // Only ONNX names: hetero's LayerNorm is LayerNormalization.
  std::set<std::string> ops;
  for (const std::string& op : OpTypes(g)) ops.insert(op);
  EXPECT_TRUE(ops.count("LayerNormalization"));
  EXPECT_FALSE(ops.count("LayerNorm"));
}

// A graph over one f32 input [batch, 4] with the given body.
struct SmallGraph {
  ir::Graph graph{"small"};
  ir::Value* x = nullptr;
  SmallGraph() { x = *graph.AddInput("x", {DType::kF32, Shape({Dim::Symbol("batch"), 4})}); }
  ir::Value* Add(std::string_view op, std::vector<ir::Value*> in, ops::Attributes attrs = {},
                 std::string out_name = "") {
    auto node = graph.AddNode(
        op, std::move(in), std::move(attrs), 1, "",
        out_name.empty() ? std::vector<std::string>{} : std::vector<std::string>{out_name});
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    return node.ok() ? (*node)->output(0) : nullptr;
  }
};

TEST(ExporterTest, DecomposesSiluAndRsqrt) {
  SmallGraph s;
  ir::Value* silu = s.Add("Silu", {s.x});
  s.graph.AddOutput(s.Add("Rsqrt", {silu}, {}, "y"));
  ::onnx::ModelProto model = Export(s.graph);
  const ::onnx::GraphProto& g = model.graph();
  EXPECT_EQ(OpTypes(g), (std::vector<std::string>{"Sigmoid", "Mul", "Sqrt", "Reciprocal"}));
  // Wiring: Mul(x, Sigmoid(x)) feeds Sqrt, and the last node writes the graph output.
  EXPECT_EQ(g.node(1).input(0), "x");
  EXPECT_EQ(g.node(1).input(1), g.node(0).output(0));
  EXPECT_EQ(g.node(2).input(0), g.node(1).output(0));
  EXPECT_EQ(g.node(3).output(0), "y");
  EXPECT_EQ(g.output(0).name(), "y");
}

TEST(ExporterTest, MovesAxesToInputsAndMapsCastTypes) {
  SmallGraph s;
  ops::Attributes unsqueeze;
  unsqueeze.Set("axes", std::vector<int64_t>{1});
  ir::Value* u = s.Add("Unsqueeze", {s.x}, unsqueeze);
  ops::Attributes reduce;
  reduce.Set("axes", std::vector<int64_t>{2});
  reduce.Set("keepdims", int64_t{0});
  ir::Value* r = s.Add("ReduceSum", {u}, reduce);
  ops::Attributes cast;
  cast.Set("to", std::string("f16"));
  s.graph.AddOutput(s.Add("Cast", {r}, cast));
  ::onnx::ModelProto model = Export(s.graph);
  const ::onnx::GraphProto& g = model.graph();
  ASSERT_EQ(OpTypes(g), (std::vector<std::string>{"Unsqueeze", "ReduceSum", "Cast"}));
  for (int i : {0, 1}) {
    ASSERT_EQ(g.node(i).input_size(), 2);
    const ::onnx::TensorProto* axes = FindInitializer(g, g.node(i).input(1));
    ASSERT_NE(axes, nullptr);
    ASSERT_EQ(axes->raw_data().size(), 8u);
    int64_t axis = 0;
    std::memcpy(&axis, axes->raw_data().data(), 8);
    EXPECT_EQ(axis, i == 0 ? 1 : 2);
    EXPECT_EQ(g.node(i).attribute_size(), i == 0 ? 0 : 1);  // keepdims stays an attribute
  }
  ASSERT_EQ(g.node(2).attribute_size(), 1);
  EXPECT_EQ(g.node(2).attribute(0).name(), "to");
  EXPECT_EQ(g.node(2).attribute(0).i(), ::onnx::TensorProto::FLOAT16);
  EXPECT_EQ(g.output(0).type().tensor_type().elem_type(), ::onnx::TensorProto::FLOAT16);
  EXPECT_EQ(Dims(g.output(0)), "batch,1");
}

TEST(ExporterTest, FloatAttributesStayFloatsWhenWrittenAsIntegers) {
  SmallGraph s;
  ir::Value* scale = *s.graph.AddConstant("scale", Tensor::FromFloat({4}, {1, 1, 1, 1}));
  ops::Attributes attrs;
  attrs.Set("epsilon", int64_t{1});
  s.graph.AddOutput(s.Add("LayerNorm", {s.x, scale}, attrs));
  ::onnx::ModelProto model = Export(s.graph);
  const ::onnx::NodeProto& node = model.graph().node(0);
  EXPECT_EQ(node.op_type(), "LayerNormalization");
  ASSERT_EQ(node.attribute_size(), 1);
  EXPECT_EQ(node.attribute(0).type(), ::onnx::AttributeProto::FLOAT);
  EXPECT_EQ(node.attribute(0).f(), 1.0f);
}

TEST(ExporterTest, TransposeFlagsBecomeTransposeNodes) {
  SmallGraph s;
  ir::Value* w = *s.graph.AddConstant("w", Tensor::FromFloat({3, 4}, std::vector<float>(12, 1)));
  ops::Attributes flags;
  flags.Set("transpose_b", int64_t{1});
  s.graph.AddOutput(s.Add("MatMul", {s.x, w}, flags));
  ::onnx::ModelProto model = Export(s.graph);
  const ::onnx::GraphProto& g = model.graph();
  ASSERT_EQ(OpTypes(g), (std::vector<std::string>{"Transpose", "MatMul"}));
  EXPECT_EQ(g.node(0).input(0), "w");
  ASSERT_EQ(g.node(0).attribute_size(), 1);
  EXPECT_EQ(g.node(0).attribute(0).ints_size(), 2);
  EXPECT_EQ(g.node(0).attribute(0).ints(0), 1);
  EXPECT_EQ(g.node(1).input(1), g.node(0).output(0));
  EXPECT_EQ(g.node(1).attribute_size(), 0);
  EXPECT_EQ(Dims(g.output(0)), "batch,3");
}

TEST(ExporterTest, QuantMatMulBecomesDequantizeLinearAndMatMul) {
  SmallGraph s;
  ir::Value* w =
      *s.graph.AddConstant("w", Tensor::FromInt64({4, 3}, std::vector<int64_t>(12, 5), DType::kI8));
  ir::Value* scale = *s.graph.AddConstant("scale", Tensor::FromFloat({3}, {0.1f, 0.2f, 0.3f}));
  ir::Value* bias = *s.graph.AddConstant("bias", Tensor::FromFloat({3}, {1, 2, 3}));
  ir::Value* a_scale = *s.graph.AddConstant("a_scale", Tensor::FromFloat({}, {0.05f}));
  ir::Value* a_zp = *s.graph.AddConstant("a_zp", Tensor::FromInt64({}, {3}, DType::kU8));
  ops::Attributes relu;
  relu.Set("activation", std::string("relu"));
  s.graph.AddOutput(s.Add("QuantMatMul", {s.x, w, scale, bias}, relu, "dynamic"));
  s.graph.AddOutput(s.Add("QuantMatMul", {s.x, w, scale, nullptr, a_scale, a_zp}, {}, "static"));
  ::onnx::ModelProto model = Export(s.graph);
  const ::onnx::GraphProto& g = model.graph();
  std::multiset<std::string> ops;
  for (const std::string& op : OpTypes(g)) ops.insert(op);
  // Per-row activation quantization in float ops (dynamic), a Q / DQ pair (static).
  EXPECT_EQ(ops.count("ReduceMin"), 1u);
  EXPECT_EQ(ops.count("ReduceMax"), 1u);
  EXPECT_EQ(ops.count("Round"), 2u);
  EXPECT_EQ(ops.count("QuantizeLinear"), 1u);
  EXPECT_EQ(ops.count("DequantizeLinear"), 3u);  // two weights, one activation
  EXPECT_EQ(ops.count("MatMul"), 2u);
  EXPECT_EQ(ops.count("Add"), 2u);  // the bias and the row quantization's shift
  EXPECT_EQ(ops.count("Relu"), 1u);
  // The weights stay int8 with the per-column scale along axis 1.
  const ::onnx::TensorProto* weights = FindInitializer(g, "w");
  ASSERT_NE(weights, nullptr);
  EXPECT_EQ(weights->data_type(), ::onnx::TensorProto::INT8);
  for (const auto& n : g.node()) {
    if (n.op_type() != "DequantizeLinear" || n.input(0) != "w") continue;
    ASSERT_EQ(n.attribute_size(), 1);
    EXPECT_EQ(n.attribute(0).name(), "axis");
    EXPECT_EQ(n.attribute(0).i(), 1);
  }
}

TEST(ExporterTest, RefusesWhatOpset17CannotSay) {
  SmallGraph s;
  ops::Attributes cast;
  cast.Set("to", std::string("f8e4m3"));
  s.graph.AddOutput(s.Add("Cast", {s.x}, cast));
  ::onnx::ModelProto model;
  Status st = ExportOnnxModelProto(s.graph, &model);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented);
  EXPECT_NE(st.message().find("f8e4m3"), std::string::npos) << st.message();

  ir::Graph kv("kv");
  auto cache = *kv.AddInput("cache", {DType::kF32, Shape::FromStatic({1, 2, 8, 4})});
  auto update = *kv.AddInput("update", {DType::kF32, Shape::FromStatic({1, 2, 1, 4})});
  auto pos = *kv.AddConstant("pos", Tensor::FromInt64({}, {3}));
  auto node = kv.AddNode("KvCacheAppend", {cache, update, pos}, {}, 1, "append");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  kv.AddOutput((*node)->output(0));
  st = ExportOnnxModelProto(kv, &model);
  EXPECT_EQ(st.code(), StatusCode::kUnimplemented);
  EXPECT_NE(st.message().find("'append'"), std::string::npos) << st.message();
}

TEST(ExporterTest, RefusesWeightsPastTheProtobufLimit) {
  // A 4 GiB constant that only claims its size: the exporter must refuse it before
  // reading any of its bytes.
  static const float kFew[4] = {};
  ir::Graph big("big");
  auto w = big.AddConstant("huge.weight",
                           Tensor::Borrow(DType::kF32, {int64_t{1} << 30}, kFew, nullptr));
  ASSERT_TRUE(w.ok());
  big.AddOutput(*w);
  ::onnx::ModelProto model;
  Status st = ExportOnnxModelProto(big, &model);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_NE(st.message().find("2 GiB"), std::string::npos) << st.message();
}

TEST(ExporterTest, WritesAFileThatParsesBack) {
  auto graph = BuildBuiltinModel("bert-tiny");
  ASSERT_TRUE(graph.ok());
  const std::string path =
      (std::filesystem::temp_directory_path() / "hetero_exporter_test_bert.onnx").string();
  ASSERT_TRUE(ExportOnnxModel(**graph, path).ok());
  ::onnx::ModelProto read;
  {
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(read.ParseFromIstream(&in));
  }
  std::remove(path.c_str());
  ::onnx::ModelProto direct = Export(**graph);
  EXPECT_EQ(read.SerializeAsString(), direct.SerializeAsString());
  EXPECT_EQ(read.graph().output(1).name(), "pooler_output");
  EXPECT_EQ(Dims(read.graph().output(1)), "batch,64");

  Status bad = ExportOnnxModel(**graph, "/nonexistent-dir/x.onnx");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("/nonexistent-dir/x.onnx"), std::string::npos);
}

}  // namespace
}  // namespace hetero
