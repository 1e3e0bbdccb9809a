// Tests of the IR verifier: each check fails on a graph built to break it.
#include "compiler/ir/verifier.h"

#include <gtest/gtest.h>

#include "compiler/ir/parser.h"

namespace hetero::ir {
namespace {

TensorType F32(std::vector<Dim> dims) { return TensorType{DType::kF32, Shape(std::move(dims))}; }

std::unique_ptr<Graph> MustParse(std::string_view text) {
  auto g = ParseGraph(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : std::make_unique<Graph>("failed");
}

std::string VerifyText(std::string_view text) {
  Status s = VerifyGraph(*MustParse(text));
  return s.ok() ? "OK" : s.message();
}

TEST(VerifierTest, AcceptsAWellFormedGraph) {
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[batch,4]
  const %w : f32[4,2] = [1, 2, 3, 4, 5, 6, 7, 8]
  %y = MatMul(%x, %w) : f32[batch,2]
  %z = Softmax(%y) {axis = -1} : f32[batch,2]
  output %z
})"),
            "OK");
}

TEST(VerifierTest, AcceptsAnEmptyGraph) { EXPECT_TRUE(VerifyGraph(Graph("empty")).ok()); }

TEST(VerifierTest, NodesOutOfListOrderAreFineWithoutACycle) {
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2]
  %c = Neg(%b) : f32[2]
  %b = Neg(%a) : f32[2]
  %a = Neg(%x) : f32[2]
  output %c
})"),
            "OK");
}

TEST(VerifierTest, ReportsACycleByANodeOnIt) {
  // 'first' comes before the cycle in the list and depends on it, but is not on it.
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2]
  %first = Neg(%b) : f32[2]
  %a = Add(%b, %x) : f32[2]
  %b = Add(%a, %x) : f32[2]
})"),
            "graph has a cycle through node 'a' (Add)");
  EXPECT_EQ(VerifyText(R"(graph @g {
  %self = Neg(%self) : f32[2] @loop
})"),
            "graph has a cycle through node 'loop' (Neg)");
}

TEST(VerifierTest, ReportsAnInputDefinedInAnotherGraph) {
  Graph other("other");
  Value* stranger = other.AddInput("stranger", F32({2})).value();
  Graph g("g");
  Value* x = g.AddInput("x", F32({2})).value();
  Node* add = g.AddNode("Add", {x, x}, {}, 1, "sum", {"sum"}).value();
  ASSERT_TRUE(VerifyGraph(g).ok());
  add->set_input(1, stranger);
  EXPECT_EQ(VerifyGraph(g).message(), "node 'sum' (Add) uses 'stranger', which is never defined");
}

TEST(VerifierTest, ReportsAGraphOutputDefinedElsewhere) {
  Graph other("other");
  Graph g("g");
  g.AddOutput(other.AddInput("elsewhere", F32({2})).value());
  EXPECT_EQ(VerifyGraph(g).message(), "graph output 'elsewhere' is never defined");
}

TEST(VerifierTest, ReportsRecordedTypesThatInferenceDisagreesWith) {
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2,3]
  %y = Add(%x, %x) : f32[2,4]
})"),
            "node 'y' (Add): output 'y' is recorded as f32[2,4] but the op infers f32[2,3]");
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2,3]
  %y = Add(%x, %x) : i64[2,3]
})"),
            "node 'y' (Add): output 'y' is recorded as i64[2,3] but the op infers f32[2,3]");
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2,3]
  %y = Add(%x, %x) : f32[6]
})"),
            "node 'y' (Add): output 'y' is recorded as f32[6] but the op infers f32[2,3]");
  // Symbols and unknown dims are compatible with any size.
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2,3]
  %y = Add(%x, %x) : f32[n,?]
})"),
            "OK");
}

TEST(VerifierTest, ChecksTypesInTopologicalOrderNotListOrder) {
  // The later node's wrong type is reported even though it is listed last, and the
  // earlier node is checked against its input as recorded.
  EXPECT_EQ(VerifyText(R"(graph @g {
  input %x : f32[2]
  %b = Neg(%a) : f32[2]
  %a = Neg(%x) : f32[3]
})"),
            "node 'a' (Neg): output 'a' is recorded as f32[3] but the op infers f32[2]");
}

TEST(VerifierTest, ReportsInferenceFailuresNamingTheNode) {
  const std::string message = VerifyText(R"(graph @g {
  input %a : f32[2,3]
  input %b : f32[4,5]
  %c = MatMul(%a, %b) : f32[2,5]
})");
  EXPECT_EQ(message.rfind("node 'c' (MatMul): ", 0), 0u) << message;
}

TEST(VerifierTest, ReportsAttributesTheSchemaDoesNotHave) {
  Graph g("g");
  Value* x = g.AddInput("x", F32({2})).value();
  Node* neg = g.AddNode("Neg", {x}, {}, 1, "n", {"y"}).value();
  neg->mutable_attrs().Set("bogus", int64_t{1});
  const std::string message = VerifyGraph(g).message();
  EXPECT_EQ(message.rfind("node 'n' (Neg): ", 0), 0u) << message;
  EXPECT_NE(message.find("'bogus'"), std::string::npos) << message;
}

TEST(VerifierTest, ReportsAConstantWhoseTypeLeftItsData) {
  Graph g("g");
  Value* c = g.AddConstant("c", Tensor::FromFloat({2}, {1, 2})).value();
  ASSERT_TRUE(VerifyGraph(g).ok());
  c->set_type(F32({3}));
  EXPECT_EQ(VerifyGraph(g).message(), "constant 'c' has type f32[3] but its data is f32[2]");
}

TEST(VerifierTest, ReportsTheFirstProblemInNodeOrder) {
  // Both nodes use undefined values; the first in the list is named.
  Graph other("other");
  Value* s1 = other.AddInput("s1", F32({2})).value();
  Graph g("g");
  Value* x = g.AddInput("x", F32({2})).value();
  Node* first = g.AddNode("Neg", {x}, {}, 1, "first", {"f"}).value();
  Node* second = g.AddNode("Neg", {x}, {}, 1, "second", {"s"}).value();
  second->set_input(0, s1);
  first->set_input(0, s1);
  EXPECT_EQ(VerifyGraph(g).message(), "node 'first' (Neg) uses 's1', which is never defined");
}

}  // namespace
}  // namespace hetero::ir
