// Bulk graph edits: removing nodes and constants, renaming, sorting the node list.
#include "compiler/ir/graph.h"
#include "compiler/ir/parser.h"
#include "compiler/ir/verifier.h"
#include "gtest/gtest.h"

namespace hetero::ir {
namespace {

std::unique_ptr<Graph> Parse(const char* text) {
  auto g = ParseGraph(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

constexpr char kGraph[] = R"(graph @g {
  input %x : f32[4]
  const %k : f32[] = [2]
  const %unused : f32[] = [3]
  %a = Mul(%x, %k) : f32[4]
  %b = Relu(%a) : f32[4]
  %c = Neg(%x) : f32[4]
  output %c
})";

TEST(GraphEdit, RemoveNodesTogether) {
  auto g = Parse(kGraph);
  // b alone would leave nothing dangling; a alone is still read by b.
  Status used = g->RemoveNodes({g->FindNode("a")});
  ASSERT_FALSE(used.ok());
  EXPECT_NE(used.message().find("value 'a' is still used by node 'b'"), std::string::npos)
      << used.message();
  EXPECT_FALSE(g->RemoveNodes({g->FindNode("c")}).ok());  // a graph output
  ASSERT_TRUE(g->RemoveNodes({g->FindNode("a"), g->FindNode("b")}).ok());
  EXPECT_EQ(g->num_nodes(), 1u);
  EXPECT_EQ(g->FindValue("a"), nullptr);
  EXPECT_EQ(g->FindNode("b"), nullptr);
  EXPECT_TRUE(VerifyGraph(*g).ok());
}

TEST(GraphEdit, RemoveConstants) {
  auto g = Parse(kGraph);
  EXPECT_FALSE(g->RemoveConstants({g->FindValue("k")}).ok());  // read by a
  EXPECT_FALSE(g->RemoveConstants({g->FindValue("x")}).ok());  // not a constant
  ASSERT_TRUE(g->RemoveConstants({g->FindValue("unused")}).ok());
  EXPECT_EQ(g->constants().size(), 1u);
  EXPECT_EQ(g->FindValue("unused"), nullptr);
}

TEST(GraphEdit, Rename) {
  auto g = Parse(kGraph);
  EXPECT_FALSE(g->RenameValue(g->FindValue("a"), "b").ok());  // taken
  ASSERT_TRUE(g->RenameValue(g->FindValue("a"), "scaled").ok());
  EXPECT_NE(g->FindValue("scaled"), nullptr);
  EXPECT_EQ(g->FindValue("a"), nullptr);
  EXPECT_FALSE(g->RenameNode(g->FindNode("a"), "c").ok());  // taken
  ASSERT_TRUE(g->RenameNode(g->FindNode("a"), "mul").ok());
  EXPECT_EQ(g->FindNode("mul")->output(0)->name(), "scaled");
  EXPECT_TRUE(VerifyGraph(*g).ok());
}

TEST(GraphEdit, SortNodesMovesLateProducersUp) {
  auto g = Parse(R"(graph @g {
    input %x : f32[4]
    %p = Relu(%x) : f32[4]
    %q = Add(%p, %late) : f32[4]
    %r = Neg(%x) : f32[4]
    %late = Exp(%x) : f32[4]
    output %q, %r
  })");
  ASSERT_TRUE(g->SortNodes().ok());
  std::vector<std::string> order;
  for (const auto& n : g->nodes()) order.push_back(n->name());
  // p keeps its place, late moves just before its first user q, r stays after q.
  EXPECT_EQ(order, (std::vector<std::string>{"p", "late", "q", "r"}));
}

TEST(GraphEdit, SortNodesRefusesCycles) {
  auto g = Parse(R"(graph @g {
    input %x : f32[4]
    %a = Add(%x, %b) : f32[4]
    %b = Relu(%a) : f32[4]
    output %b
  })");
  Status s = g->SortNodes();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cycle"), std::string::npos);
  EXPECT_EQ(g->nodes()[0]->name(), "a");  // unchanged
}

}  // namespace
}  // namespace hetero::ir
