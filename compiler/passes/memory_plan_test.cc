// Memory planning on small graphs whose liveness, buffers and peaks are worked out by hand.
#include "compiler/passes/memory_plan.h"

#include "compiler/builtin/builtin.h"
#include "compiler/ir/parser.h"
#include "compiler/passes/pipeline.h"
#include "gtest/gtest.h"

namespace hetero::passes {
namespace {

std::unique_ptr<ir::Graph> Parse(const char* text) {
  auto g = ir::ParseGraph(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : nullptr;
}

const PlannedValue& Find(const MemoryPlan& plan, const std::string& name) {
  for (const PlannedValue& v : plan.values) {
    if (v.value->name() == name) return v;
  }
  static PlannedValue none;
  ADD_FAILURE() << "no planned value " << name;
  return none;
}

// x -> Relu -> Exp -> Neg, 4096 bytes each. Steps 0, 1, 2; the output lives to step 3.
constexpr char kChain[] = R"(graph @chain {
  input %x : f32[1024]
  %a = Relu(%x) : f32[1024]
  %b = Exp(%a) : f32[1024]
  %c = Neg(%b) : f32[1024]
  output %c
})";

TEST(MemoryPlan, ChainInPlace) {
  auto g = Parse(kChain);
  auto plan = PlanMemory(*g, {});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // a cannot overwrite the graph input; b overwrites a, c overwrites b: one buffer.
  EXPECT_FALSE(Find(*plan, "a").in_place);
  EXPECT_TRUE(Find(*plan, "b").in_place);
  EXPECT_TRUE(Find(*plan, "c").in_place);
  EXPECT_EQ(plan->in_place_count, 2);
  EXPECT_EQ(plan->buffer_bytes, std::vector<int64_t>{4096});
  EXPECT_EQ(plan->peak_bytes, 4096);
  EXPECT_EQ(plan->total_bytes, 3 * 4096);
  EXPECT_EQ(plan->max_live_bytes, 4096);
  EXPECT_EQ(Find(*plan, "a").first, 0);
  EXPECT_EQ(Find(*plan, "a").last, 1);
  EXPECT_EQ(Find(*plan, "c").last, 3);  // a graph output lives to the end
}

TEST(MemoryPlan, ChainWithoutInPlace) {
  auto g = Parse(kChain);
  MemoryPlanOptions options;
  options.in_place = false;
  auto plan = PlanMemory(*g, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // a [0,1], b [1,2], c [2,3]: a and c share, b overlaps both.
  EXPECT_EQ(plan->buffer_bytes.size(), 2u);
  EXPECT_EQ(plan->peak_bytes, 8192);
  EXPECT_EQ(plan->max_live_bytes, 8192);
  EXPECT_EQ(Find(*plan, "a").buffer, Find(*plan, "c").buffer);
  EXPECT_NE(Find(*plan, "a").buffer, Find(*plan, "b").buffer);
}

// p [0,1] 512 B; q1 [1,2], q2 [1,3], r [2,3], s [3,5], u [4,5] 256 B each.
TEST(MemoryPlan, GreedyBySizeBestFit) {
  auto g = Parse(R"(graph @best_fit {
    input %x : f32[64]
    %p = Concat(%x, %x) {axis = 0} : f32[128]
    %q1, %q2 = Split(%p) {axis = 0} : f32[64], f32[64]
    %r = Neg(%q1) : f32[64]
    %s = Add(%r, %q2) : f32[64]
    %u = Exp(%x) : f32[64]
    output %s, %u
  })");
  MemoryPlanOptions options;
  options.in_place = false;
  auto plan = PlanMemory(*g, options);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // p takes buffer 0 (512); q1 and q2 overlap it and each other: buffers 1 and 2; r fits
  // only in buffer 0; s in buffer 1; u could take 0 (512) or 2 (256): best fit is 2.
  EXPECT_EQ(plan->buffer_bytes, (std::vector<int64_t>{512, 256, 256}));
  EXPECT_EQ(Find(*plan, "p").buffer, 0);
  EXPECT_EQ(Find(*plan, "q1").buffer, 1);
  EXPECT_EQ(Find(*plan, "q2").buffer, 2);
  EXPECT_EQ(Find(*plan, "r").buffer, 0);
  EXPECT_EQ(Find(*plan, "s").buffer, 1);
  EXPECT_EQ(Find(*plan, "u").buffer, 2);
  EXPECT_EQ(plan->peak_bytes, 1024);
  EXPECT_EQ(plan->total_bytes, 512 + 5 * 256);
  EXPECT_EQ(plan->max_live_bytes, 1024);  // step 1: p, q1, q2
}

TEST(MemoryPlan, InPlaceOnlyWhenTheInputDies) {
  auto g = Parse(R"(graph @reuse {
    input %x : f32[16]
    %a = Relu(%x) : f32[16]
    %b = Exp(%a) : f32[16]
    %c = Add(%a, %b) : f32[16]
    %d = Neg(%c) : f32[16]
    output %c, %d
  })");
  auto plan = PlanMemory(*g, {});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_FALSE(Find(*plan, "b").in_place);  // a is read again by c
  EXPECT_TRUE(Find(*plan, "c").in_place);   // a and b both die at c; c takes a's buffer
  EXPECT_EQ(Find(*plan, "c").buffer, Find(*plan, "a").buffer);
  EXPECT_FALSE(Find(*plan, "d").in_place);  // c is a graph output: never overwritten
  // Groups {a, c} [0,4], b [1,2], d [3,4]: d reuses b's buffer.
  EXPECT_EQ(plan->buffer_bytes.size(), 2u);
  EXPECT_EQ(Find(*plan, "d").buffer, Find(*plan, "b").buffer);
  EXPECT_EQ(plan->peak_bytes, 2 * 64);
}

TEST(MemoryPlan, SizesSymbolsAndAlignment) {
  auto g = Parse(R"(graph @sym {
    input %x : f32[batch,seq]
    %y = Relu(%x) : f32[batch,seq]
    %z = ReduceSum(%y) {axes = [1], keepdims = 0} : f32[batch]
    output %z
  })");
  auto plan = PlanMemory(*g, MemoryPlanOptions{{{"batch", 2}, {"seq", 8}}});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(Find(*plan, "y").bytes, 2 * 8 * 4);
  EXPECT_EQ(Find(*plan, "z").bytes, 8);
  EXPECT_EQ(plan->total_bytes, 64 + 64);  // 8 bytes round up to 64

  auto missing = PlanMemory(*g, MemoryPlanOptions{{{"batch", 2}}});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'seq'"), std::string::npos)
      << missing.status().message();
}

TEST(MemoryPlan, ComputedShapesAreSized) {
  // The Reshape's shape comes from Shape ops: sized from the concrete dims.
  auto g = Parse(R"(graph @computed {
    input %x : f32[batch,12]
    input %shape : i64[2]
    const %i0 : i64[] = [0]
    const %three : i64[1] = [3]
    const %four : i64[1] = [4]
    %s = Shape(%x) : i64[2]
    %b = Gather(%s, %i0) : i64[]
    %b1 = Unsqueeze(%b) {axes = [0]} : i64[1]
    %t = Concat(%b1, %three, %four) {axis = 0} : i64[3]
    %y = Reshape(%x, %t) : f32[?,?,?]
    %z = Reshape(%x, %shape) : f32[?,?]
    output %y
  })");
  auto plan = PlanMemory(*g, MemoryPlanOptions{{{"batch", 5}}});
  ASSERT_FALSE(plan.ok());  // %z's shape is data: it cannot be sized
  EXPECT_NE(plan.status().message().find("'z'"), std::string::npos) << plan.status().message();
  ASSERT_TRUE(g->RemoveNodes({g->FindNode("z")}).ok());
  plan = PlanMemory(*g, MemoryPlanOptions{{{"batch", 5}}});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(Find(*plan, "y").bytes, 5 * 12 * 4);
}

// On a whole model: the plan is never above the sum nor below the live lower bound, and
// two values share a buffer only when their lifetimes are apart or one overwrites in place.
TEST(MemoryPlan, BuiltinModelInvariants) {
  for (const char* name : {"gpt2-tiny", "bert-tiny", "llama-tiny"}) {
    auto g = BuildBuiltinModel(name);
    ASSERT_TRUE(g.ok());
    ASSERT_TRUE(Pipeline::Default().Run(**g).ok());
    auto plan = PlanMemory(**g, MemoryPlanOptions{{{"batch", 2}, {"seq", 16}}});
    ASSERT_TRUE(plan.ok()) << name << ": " << plan.status().ToString();
    EXPECT_LE(plan->max_live_bytes, plan->peak_bytes) << name;
    EXPECT_LT(plan->peak_bytes, plan->total_bytes) << name;
    for (size_t i = 0; i < plan->values.size(); ++i) {
      for (size_t j = i + 1; j < plan->values.size(); ++j) {
        const PlannedValue &a = plan->values[i], &b = plan->values[j];
        if (a.buffer != b.buffer || a.buffer < 0) continue;
        const bool apart = a.last < b.first || b.last < a.first;
        EXPECT_TRUE(apart || b.in_place) << name << ": " << a.value->name() << " and "
                                         << b.value->name() << " share a buffer while both live";
      }
    }
  }
}

TEST(MemoryPlan, FormatBytes) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(3 * 1024 * 1024), "3.0 MiB");
}

}  // namespace
}  // namespace hetero::passes
