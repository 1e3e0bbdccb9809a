// The pass pipeline: parsing pass lists, the default order, verification between passes,
// repeated rounds, reports; and the --explain summary built from them.
#include "compiler/passes/pipeline.h"

#include "compiler/ir/parser.h"
#include "compiler/passes/explain.h"
#include "compiler/passes/pass.h"
#include "gtest/gtest.h"

namespace hetero::passes {
namespace {

constexpr char kSmall[] = R"(graph @small {
  input %x : f32[4]
  %a = Relu(%x) : f32[4]
  %b = Relu(%x) : f32[4]
  %c = Add(%a, %b) : f32[4]
  output %c
})";

std::unique_ptr<ir::Graph> Parse(const char* text) {
  auto g = ir::ParseGraph(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

TEST(Pipeline, ParsesPassLists) {
  auto p = Pipeline::Parse("canonicalize,cse,dce");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->pass_names(), (std::vector<std::string>{"canonicalize", "cse", "dce"}));
  EXPECT_EQ(p->max_rounds(), 1);
  auto spaced = Pipeline::Parse(" cse , dce ");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->pass_names(), (std::vector<std::string>{"cse", "dce"}));
}

TEST(Pipeline, RejectsBadLists) {
  auto unknown = Pipeline::Parse("cse,fuse-everything");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown pass 'fuse-everything'"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("known passes: canonicalize, infer-shapes"),
            std::string::npos)
      << unknown.status().message();
  EXPECT_FALSE(Pipeline::Parse("").ok());
  EXPECT_FALSE(Pipeline::Parse("cse,,dce").ok());
  EXPECT_FALSE(Pipeline::Parse("cse,").ok());
}

TEST(Pipeline, DefaultIsEveryDefaultPassInRegistryOrder) {
  Pipeline p = Pipeline::Default();
  std::vector<std::string> names;
  for (const PassInfo& info : AllPasses()) {
    if (info.in_default) names.push_back(info.name);
  }
  EXPECT_LT(names.size(), AllPasses().size());  // quantize-int8 is asked for
  EXPECT_EQ(p.pass_names(), names);
  EXPECT_EQ(p.max_rounds(), Pipeline::kMaxDefaultRounds);
}

TEST(Pipeline, ReportsEveryPassRun) {
  auto g = Parse(kSmall);
  auto p = Pipeline::Parse("cse,dce,cse");
  ASSERT_TRUE(p.ok());
  auto reports = p->Run(*g);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 3u);
  EXPECT_EQ((*reports)[0].name, "cse");
  EXPECT_TRUE((*reports)[0].changed);
  EXPECT_EQ((*reports)[0].nodes_before, 3u);
  EXPECT_EQ((*reports)[0].nodes_after, 2u);
  EXPECT_FALSE((*reports)[1].changed);
  EXPECT_FALSE((*reports)[2].changed);
  const std::string table = FormatPassReports(*reports);
  EXPECT_NE(table.find("cse"), std::string::npos);
  EXPECT_NE(table.find("3 -> 2"), std::string::npos) << table;
  EXPECT_NE(table.find("total: 3 pass runs"), std::string::npos) << table;
}

// Changes the graph the first `times` runs (renaming a node back and forth).
class ToggleLimit final : public Pass {
 public:
  explicit ToggleLimit(int times) : times_(times) {}
  std::string_view name() const override { return "toggle"; }
  StatusOr<bool> Run(ir::Graph& graph) override {
    if (runs_++ >= times_) return false;
    ir::Node* node = graph.nodes().front().get();
    HETERO_RETURN_IF_ERROR(graph.RenameNode(node, node->name() + "_"));
    return true;
  }

 private:
  int times_;
  int runs_ = 0;
};

TEST(Pipeline, DefaultRepeatsUntilNothingChanges) {
  auto g = Parse(kSmall);
  Pipeline p = Pipeline::Default();
  p.Append(std::make_unique<ToggleLimit>(2));
  auto reports = p.Run(*g);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  int toggles = 0, last_round = 0;
  for (const PassReport& r : *reports) {
    toggles += r.name == "toggle";
    last_round = r.round;
  }
  EXPECT_EQ(toggles, 3);  // changed, changed, then a round with no change ends it
  EXPECT_EQ(last_round, 2);

  Pipeline forever = Pipeline::Default();
  forever.Append(std::make_unique<ToggleLimit>(100));
  auto capped = forever.Run(*g);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->back().round, Pipeline::kMaxDefaultRounds - 1);
}

// Breaks the graph: records a wrong type on a value.
class Breaker final : public Pass {
 public:
  std::string_view name() const override { return "breaker"; }
  StatusOr<bool> Run(ir::Graph& graph) override {
    graph.nodes().front()->output(0)->set_type(TensorType{DType::kF32, Shape{7}});
    return true;
  }
};

TEST(Pipeline, VerifierNamesThePassThatBrokeTheGraph) {
  auto g = Parse(kSmall);
  auto p = Pipeline::Parse("cse");
  ASSERT_TRUE(p.ok());
  p->Append(std::make_unique<Breaker>());
  PipelineOptions verify;
  verify.verify = true;
  auto reports = p->Run(*g, verify);
  ASSERT_FALSE(reports.ok());
  EXPECT_NE(reports.status().message().find("pass 'breaker' produced an invalid graph"),
            std::string::npos)
      << reports.status().message();

  auto unchecked = Parse(kSmall);
  Pipeline q;
  q.Append(std::make_unique<Breaker>());
  EXPECT_TRUE(q.Run(*unchecked, PipelineOptions{false}).ok());
}

TEST(Pipeline, RefusesAnInvalidInputWhenVerifying) {
  auto g = Parse(R"(graph @bad {
    input %x : f32[4]
    %a = Relu(%x) : f32[5]
    output %a
  })");
  auto p = Pipeline::Parse("dce");
  ASSERT_TRUE(p.ok());
  auto reports = p->Run(*g, PipelineOptions{true});
  ASSERT_FALSE(reports.ok());
  EXPECT_NE(reports.status().message().find("the graph given to the pipeline is invalid"),
            std::string::npos)
      << reports.status().message();
}

TEST(Pipeline, ListsNodesInTopologicalOrderAfterAChange) {
  auto g = Parse(R"(graph @order {
    input %x : f32[4]
    %c = Add(%a, %b) : f32[4]
    %b = Relu(%a) : f32[4]
    %a = Neg(%x) : f32[4]
    %d = Neg(%x) : f32[4]
    output %c
  })");
  auto p = Pipeline::Parse("dce");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->Run(*g).ok());
  ASSERT_EQ(g->num_nodes(), 3u);
  EXPECT_EQ(g->nodes()[0]->name(), "a");
  EXPECT_EQ(g->nodes()[1]->name(), "b");
  EXPECT_EQ(g->nodes()[2]->name(), "c");
}

TEST(Explain, CountsAndFusions) {
  auto g = Parse(kSmall);
  EXPECT_EQ(CountOps(*g), (OpCounts{{"Add", 1}, {"Relu", 2}}));
  const OpCounts before = {{"Add", 30}, {"LayerNorm", 1}, {"MatMul", 12}};
  const OpCounts after = {{"Add", 2}, {"LayerNorm", 3}, {"Attention", 2}, {"FusedMatMul", 12}};
  EXPECT_EQ(FusionsApplied(before, after),
            (OpCounts{{"Attention", 2}, {"FusedMatMul", 12}, {"LayerNorm", 2}}));

  CompileSummary summary;
  summary.model = "builtin:demo";
  summary.ops_before = before;
  summary.ops_after = after;
  summary.nodes_before = 43;
  summary.nodes_after = 19;
  summary.memory_error = "no sizes";
  const std::string text = FormatExplain(summary);
  EXPECT_NE(text.find("builtin:demo: 43 nodes -> 19 nodes"), std::string::npos) << text;
  EXPECT_NE(text.find("fusions applied: Attention x2 FusedMatMul x12 LayerNorm x2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("MatMul                 12 -> 0"), std::string::npos) << text;
  EXPECT_NE(text.find("not planned: no sizes"), std::string::npos) << text;
}

}  // namespace
}  // namespace hetero::passes
