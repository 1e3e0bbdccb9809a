// Mandatory: the support query answers for every node, gives reasons, is deterministic,
// never claims what is not in the op set, and compile answers cleanly either way.
#include <cstring>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

class SupportQuery : public PluginTest {
 protected:
  // x: f32[2,3] -> Add(x, c) -> Relu -> MatMul(w) -> Softmax -> ReduceSum
  void BuildGraph() {
    auto* x = graph_.AddInput("x", TensorType{DType::kF32, Shape({2, 3})}).value();
    auto* c = graph_.AddConstant("c", Tensor::FromFloat({3}, {1, 2, 3})).value();
    auto* w = graph_.AddConstant("w", Tensor::FromFloat({3, 2}, {1, 0, 0, 1, 1, 1})).value();
    auto* a = graph_.AddNode("Add", {x, c}).value()->output(0);
    auto* r = graph_.AddNode("Relu", {a}).value()->output(0);
    auto* m = graph_.AddNode("MatMul", {r, w}).value()->output(0);
    auto* s = graph_.AddNode("Softmax", {m}).value()->output(0);
    graph_.AddOutput(graph_.AddNode("ReduceSum", {s}).value()->output(0));
  }
  ir::Graph graph_{"support"};
};

TEST_F(SupportQuery, AnswersEveryNodeWithReasonsAndDeterministically) {
  BuildGraph();
  auto view = plugins::GraphView::FromGraph(graph_);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  auto first = device_->QuerySupport(**view);
  auto second = device_->QuerySupport(**view);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(first->supported.size(), graph_.num_nodes());
  EXPECT_EQ(first->supported, second->supported);
  for (size_t i = 0; i < first->supported.size(); ++i) {
    if (!first->supported[i]) {
      EXPECT_FALSE(first->reason[i].empty()) << "node " << i << " declined without a reason";
    }
  }
}

TEST_F(SupportQuery, CompileAnswersCleanly) {
  BuildGraph();
  auto view = plugins::GraphView::FromGraph(graph_);
  ASSERT_TRUE(view.ok());
  auto support = device_->QuerySupport(**view);
  ASSERT_TRUE(support.ok());
  auto exe = device_->Compile(**view);
  if (support->num_supported() == graph_.num_nodes()) {
    EXPECT_TRUE(exe.ok()) << "every node claimed, but compile says " << exe.status().ToString();
  } else if (!exe.ok()) {
    EXPECT_FALSE(exe.status().message().empty());
  }
}

// A node whose op is not in hetero's op set is never claimed.
TEST_F(SupportQuery, UnknownOpIsDeclined) {
  hetero_value_view values[2] = {};
  for (auto& v : values) {
    v.struct_size = sizeof(v);
    v.type = {sizeof(hetero_tensor_desc), HETERO_DTYPE_F32, 1, {4}};
  }
  values[0].name = "x";
  values[1].name = "y";
  const int32_t in[1] = {0}, out[1] = {1};
  hetero_node_view node{};
  node.struct_size = sizeof(node);
  node.op = "NoSuchOp";
  node.name = "mystery";
  node.num_inputs = 1;
  node.inputs = in;
  node.num_outputs = 1;
  node.outputs = out;
  hetero_graph_view view{};
  view.struct_size = sizeof(view);
  view.opset_version = 1;
  view.num_values = 2;
  view.values = values;
  view.num_nodes = 1;
  view.nodes = &node;
  view.num_inputs = 1;
  view.inputs = in;
  view.num_outputs = 1;
  view.outputs = out;
  int32_t support[1] = {HETERO_SUPPORT_NO};
  hetero_support_result result{sizeof(hetero_support_result), support, nullptr, nullptr};
  AbiResult r = Take(device_->api().query_support(device_->raw(), &view, &result));
  if (r.code == HETERO_OK) {
    EXPECT_EQ(support[0], HETERO_SUPPORT_NO) << "claims an op that does not exist";
  } else {
    EXPECT_TRUE(IsCleanError(r));
  }
  hetero_executable* exe = nullptr;
  EXPECT_TRUE(IsCleanError(Take(device_->api().compile(device_->raw(), &view, nullptr, &exe))));
  EXPECT_EQ(exe, nullptr);
}

TEST_F(SupportQuery, EmptyGraph) {
  ir::Graph empty("empty");
  auto view = plugins::GraphView::FromGraph(empty);
  ASSERT_TRUE(view.ok());
  auto support = device_->QuerySupport(**view);
  ASSERT_TRUE(support.ok()) << support.status().ToString();
  EXPECT_TRUE(support->supported.empty());
}

}  // namespace
}  // namespace hetero::conformance
