// Tests of GraphView: the C view of a graph and of subgraphs.
#include "runtime/plugins/graph_view.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace hetero::plugins {
namespace {

// x: f32[batch,4] -> LayerNorm(x, scale) -> Gelu(tanh) -> Add(., bias) -> Transpose -> out
struct TestGraph {
  ir::Graph graph{"g"};
  ir::Value* x = nullptr;
  ir::Node* norm = nullptr;
  ir::Node* gelu = nullptr;
  ir::Node* add = nullptr;
  ir::Node* transpose = nullptr;

  TestGraph() {
    x = *graph.AddInput("x", TensorType{DType::kF32, Shape({Dim::Symbol("batch"), 4})});
    ir::Value* scale = *graph.AddConstant("scale", Tensor::FromFloat({4}, {1, 2, 3, 4}));
    ir::Value* bias = *graph.AddConstant("bias", Tensor::FromFloat({4}, {0.5f, 0, 0, 0}));
    ops::Attributes norm_attrs;
    norm_attrs.Set("epsilon", 1e-3);
    norm_attrs.Set("axis", int64_t{-1});
    norm = *graph.AddNode("LayerNorm", {x, scale, scale}, norm_attrs, 1, "norm");
    norm->set_input(2, nullptr);  // an absent optional input in its slot
    ops::Attributes gelu_attrs;
    gelu_attrs.Set("approximate", std::string("tanh"));
    gelu = *graph.AddNode("Gelu", {norm->output(0)}, gelu_attrs, 1, "gelu");
    add = *graph.AddNode("Add", {gelu->output(0), bias}, {}, 1, "add");
    ops::Attributes perm;
    perm.Set("perm", std::vector<int64_t>{1, 0});
    transpose = *graph.AddNode("Transpose", {add->output(0)}, perm, 1, "transpose");
    graph.AddOutput(transpose->output(0));
  }
};

const hetero_attr* FindAttr(const hetero_node_view& node, const char* name) {
  for (uint32_t i = 0; i < node.num_attrs; ++i) {
    if (std::strcmp(node.attrs[i].name, name) == 0) return &node.attrs[i];
  }
  return nullptr;
}

TEST(GraphViewTest, WholeGraph) {
  TestGraph t;
  auto view_or = GraphView::FromGraph(t.graph);
  ASSERT_TRUE(view_or.ok()) << view_or.status().ToString();
  const hetero_graph_view* v = (*view_or)->view();
  EXPECT_EQ(v->struct_size, sizeof(hetero_graph_view));
  EXPECT_EQ(v->opset_version, 1u);
  ASSERT_EQ(v->num_nodes, 4u);
  EXPECT_STREQ(v->nodes[0].op, "LayerNorm");
  EXPECT_STREQ(v->nodes[3].name, "transpose");
  ASSERT_EQ(v->num_inputs, 1u);
  const hetero_value_view& x = v->values[v->inputs[0]];
  EXPECT_STREQ(x.name, "x");
  EXPECT_EQ(x.type.dtype, HETERO_DTYPE_F32);
  ASSERT_EQ(x.type.rank, 2);
  EXPECT_EQ(x.type.dims[0], -1);  // symbolic
  EXPECT_EQ(x.type.dims[1], 4);
  EXPECT_EQ(x.constant_data, nullptr);
  ASSERT_EQ(v->num_outputs, 1u);
  EXPECT_EQ(v->values[v->outputs[0]].type.dims[0], 4);  // transposed
  EXPECT_EQ(v->values[v->outputs[0]].type.dims[1], -1);

  // LayerNorm: the absent bias is -1; scale is a constant pointing at the ir tensor.
  const hetero_node_view& norm = v->nodes[0];
  ASSERT_EQ(norm.num_inputs, 3u);
  EXPECT_EQ(norm.inputs[2], -1);
  const hetero_value_view& scale = v->values[norm.inputs[1]];
  EXPECT_EQ(scale.constant_data, t.graph.FindValue("scale")->constant()->raw());
  EXPECT_EQ(scale.constant_bytes, 16u);
  EXPECT_EQ(static_cast<const float*>(scale.constant_data)[3], 4.0f);
  // Constants are not inputs.
  for (uint32_t i = 0; i < v->num_inputs; ++i) EXPECT_NE(v->inputs[i], norm.inputs[1]);

  const hetero_attr* eps = FindAttr(norm, "epsilon");
  ASSERT_NE(eps, nullptr);
  EXPECT_EQ(eps->kind, HETERO_ATTR_FLOAT);
  EXPECT_DOUBLE_EQ(eps->f, 1e-3);
  const hetero_attr* axis = FindAttr(norm, "axis");
  ASSERT_NE(axis, nullptr);
  EXPECT_EQ(axis->kind, HETERO_ATTR_INT);
  EXPECT_EQ(axis->i, -1);
  const hetero_attr* approx = FindAttr(v->nodes[1], "approximate");
  ASSERT_NE(approx, nullptr);
  EXPECT_EQ(approx->kind, HETERO_ATTR_STRING);
  EXPECT_STREQ(approx->s, "tanh");
  const hetero_attr* perm = FindAttr(v->nodes[3], "perm");
  ASSERT_NE(perm, nullptr);
  EXPECT_EQ(perm->kind, HETERO_ATTR_INTS);
  ASSERT_EQ(perm->count, 2u);
  EXPECT_EQ(perm->ints[0], 1);
  EXPECT_EQ(perm->ints[1], 0);

  // Edges: each node's output is the next node's first input.
  for (uint32_t i = 0; i + 1 < v->num_nodes; ++i) {
    EXPECT_EQ(v->nodes[i].outputs[0], v->nodes[i + 1].inputs[0]);
  }
  for (uint32_t i = 0; i < v->num_values; ++i) {
    EXPECT_EQ((*view_or)->ValueIndex((*view_or)->ir_value(i)), static_cast<int32_t>(i));
  }
}

// The middle two nodes: norm's output comes in, add's output goes out; bias stays constant.
TEST(GraphViewTest, SubgraphBoundaryBecomesInputsAndOutputs) {
  TestGraph t;
  auto view_or = GraphView::FromNodes(t.graph, {t.add, t.gelu});  // any order
  ASSERT_TRUE(view_or.ok()) << view_or.status().ToString();
  const GraphView& view = **view_or;
  const hetero_graph_view* v = view.view();
  ASSERT_EQ(v->num_nodes, 2u);
  EXPECT_STREQ(v->nodes[0].op, "Gelu");  // graph order
  EXPECT_STREQ(v->nodes[1].op, "Add");
  ASSERT_EQ(view.InputValues().size(), 1u);
  EXPECT_EQ(view.InputValues()[0], t.norm->output(0));
  ASSERT_EQ(view.OutputValues().size(), 1u);
  EXPECT_EQ(view.OutputValues()[0], t.add->output(0));
  const hetero_value_view& bias = v->values[v->nodes[1].inputs[1]];
  EXPECT_NE(bias.constant_data, nullptr);
  ASSERT_EQ(view.constants().size(), 1u);
}

// A node whose output feeds both the subgraph and the outside is an output too.
TEST(GraphViewTest, SubgraphOutputUsedInsideAndOutside) {
  ir::Graph graph("g");
  ir::Value* a = *graph.AddInput("a", TensorType{DType::kF32, Shape({3})});
  ir::Node* relu = *graph.AddNode("Relu", {a}, {}, 1, "relu");
  ir::Node* neg = *graph.AddNode("Neg", {relu->output(0)}, {}, 1, "neg");
  ir::Node* mul = *graph.AddNode("Mul", {relu->output(0), a}, {}, 1, "mul");
  graph.AddOutput(neg->output(0));
  graph.AddOutput(mul->output(0));
  auto view = GraphView::FromNodes(graph, {relu, neg});
  ASSERT_TRUE(view.ok());
  auto outputs = (*view)->OutputValues();
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0], relu->output(0));  // read by mul, outside
  EXPECT_EQ(outputs[1], neg->output(0));   // a graph output
  ASSERT_EQ((*view)->InputValues().size(), 1u);
  EXPECT_EQ((*view)->InputValues()[0], a);
}

TEST(GraphViewTest, ConstantsOutliveTheGraph) {
  std::unique_ptr<GraphView> view;
  const void* data = nullptr;
  {
    TestGraph t;
    data = t.graph.FindValue("scale")->constant()->raw();
    auto built = GraphView::FromGraph(t.graph);
    ASSERT_TRUE(built.ok());
    view = std::move(*built);
  }
  const hetero_value_view& scale = view->view()->values[view->view()->nodes[0].inputs[1]];
  EXPECT_EQ(scale.constant_data, data);
  EXPECT_EQ(static_cast<const float*>(scale.constant_data)[1], 2.0f);
}

TEST(GraphViewTest, RejectsForeignAndDuplicateNodes) {
  TestGraph a, b;
  auto foreign = GraphView::FromNodes(a.graph, {b.gelu});
  EXPECT_EQ(foreign.status().code(), StatusCode::kInvalidArgument);
  auto twice = GraphView::FromNodes(a.graph, {a.gelu, a.gelu});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("'gelu'"), std::string::npos);
  auto none = GraphView::FromNodes(a.graph, {nullptr});
  EXPECT_FALSE(none.ok());
}

TEST(GraphViewTest, RankAboveTheAbiLimitIsAnError) {
  ir::Graph graph("g");
  ir::Value* x = *graph.AddInput(
      "deep", TensorType{DType::kF32, Shape::FromStatic({1, 1, 1, 1, 1, 1, 1, 1, 2})});
  ir::Node* relu = *graph.AddNode("Relu", {x}, {}, 1, "relu");
  graph.AddOutput(relu->output(0));
  auto view = GraphView::FromGraph(graph);
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("'deep'"), std::string::npos);
  EXPECT_NE(view.status().message().find("rank 9"), std::string::npos);
}

TEST(GraphViewTest, DTypeRoundTrip) {
  for (DType dtype : kAllDTypes) {
    auto back = FromPluginDType(ToPluginDType(dtype));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, dtype);
  }
  EXPECT_EQ(ToPluginDType(DType::kBF16), HETERO_DTYPE_BF16);
  EXPECT_EQ(ToPluginDType(DType::kBool), HETERO_DTYPE_BOOL);
  EXPECT_FALSE(FromPluginDType(HETERO_DTYPE_COUNT).ok());
  auto desc = MakeTensorDesc(DType::kI8, {2, 3});
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->rank, 2);
  EXPECT_EQ(desc->dims[1], 3);
  EXPECT_EQ(desc->dtype, HETERO_DTYPE_I8);
}

}  // namespace
}  // namespace hetero::plugins
