// Tests of the IR text parser: the format, exact round trips, and every error path.
#include "compiler/ir/parser.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "compiler/ir/printer.h"
#include "compiler/ir/verifier.h"

namespace hetero::ir {
namespace {

TensorType F32(std::vector<Dim> dims) { return TensorType{DType::kF32, Shape(std::move(dims))}; }

std::string Names(const std::vector<Value*>& values) {
  std::string out;
  for (const Value* v : values) out += (out.empty() ? "" : ",") + (v ? v->name() : "_");
  return out;
}

// Structural equality, with a message saying where two graphs first differ.
::testing::AssertionResult SameGraph(const Graph& a, const Graph& b) {
  auto differ = [](const std::string& what) { return ::testing::AssertionFailure() << what; };
  if (a.name() != b.name()) return differ("names " + a.name() + " vs " + b.name());
  if (Names(a.inputs()) != Names(b.inputs())) return differ("inputs");
  if (Names(a.constants()) != Names(b.constants())) return differ("constants");
  if (Names(a.outputs()) != Names(b.outputs())) return differ("outputs");
  for (size_t i = 0; i < a.inputs().size(); ++i) {
    if (!(a.inputs()[i]->type() == b.inputs()[i]->type())) return differ("input type");
  }
  for (size_t i = 0; i < a.constants().size(); ++i) {
    const Tensor& x = *a.constants()[i]->constant();
    const Tensor& y = *b.constants()[i]->constant();
    if (!(x.type() == y.type()) || std::memcmp(x.raw(), y.raw(), x.byte_size()) != 0) {
      return differ("constant " + a.constants()[i]->name());
    }
  }
  if (a.num_nodes() != b.num_nodes()) return differ("node count");
  for (size_t i = 0; i < a.num_nodes(); ++i) {
    const Node& m = *a.nodes()[i];
    const Node& n = *b.nodes()[i];
    if (m.op() != n.op() || m.name() != n.name()) return differ("node " + m.name());
    if (Names(m.inputs()) != Names(n.inputs())) return differ("inputs of " + m.name());
    if (Names(m.outputs()) != Names(n.outputs())) return differ("outputs of " + m.name());
    if (!(m.attrs() == n.attrs())) return differ("attributes of " + m.name());
    for (size_t o = 0; o < m.outputs().size(); ++o) {
      if (!(m.output(o)->type() == n.output(o)->type())) return differ("types of " + m.name());
    }
  }
  return ::testing::AssertionSuccess();
}

std::unique_ptr<Graph> MustParse(std::string_view text) {
  auto g = ParseGraph(text);
  EXPECT_TRUE(g.ok()) << g.status().ToString() << "\n" << text;
  return g.ok() ? std::move(*g) : std::make_unique<Graph>("failed");
}

// Parses the text and returns the error message ("" when it parses).
std::string ParseError(std::string_view text) {
  auto g = ParseGraph(text);
  return g.ok() ? "" : g.status().message();
}

void ExpectRoundTrip(const Graph& g) {
  const PrintOptions all{.max_inline_elements = -1};
  const std::string text = PrintGraph(g, all);
  std::unique_ptr<Graph> parsed = MustParse(text);
  EXPECT_EQ(PrintGraph(*parsed, all), text);
  EXPECT_TRUE(SameGraph(g, *parsed)) << text;
}

TEST(ParserTest, ReadsTheDocumentedForm) {
  auto g = MustParse(R"(# a comment before the graph
graph @tiny {
  input %x : f32[batch, 3]     # dims may be spaced
  input %"odd name" : f32[?]
  const %w : f32[3] = [0.5, -1, 2e0]
  const %big : f32[64, 64] = elided
  %sum = Add(%x, %w) : f32[batch,3]
  %p = Softmax(%sum) {axis = -1} : f32[batch,3] @softmax_node
  output %p
  output %"odd name"
})");
  EXPECT_EQ(g->name(), "tiny");
  ASSERT_EQ(g->inputs().size(), 2u);
  EXPECT_EQ(g->inputs()[0]->type(), F32({Dim::Symbol("batch"), 3}));
  EXPECT_EQ(g->inputs()[1]->name(), "odd name");
  EXPECT_EQ(g->inputs()[1]->type(), F32({Dim::Unknown()}));
  const Tensor* w = g->FindValue("w")->constant();
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->GetDouble(0), 0.5);
  EXPECT_EQ(w->GetDouble(1), -1.0);
  EXPECT_EQ(w->GetDouble(2), 2.0);
  const Tensor* big = g->FindValue("big")->constant();
  EXPECT_EQ(big->num_elements(), 64 * 64);
  EXPECT_EQ(big->GetDouble(4095), 0.0);
  ASSERT_EQ(g->num_nodes(), 2u);
  EXPECT_EQ(g->nodes()[0]->name(), "sum");
  EXPECT_EQ(g->nodes()[1]->name(), "softmax_node");
  EXPECT_EQ(g->nodes()[1]->attrs().GetInt("axis", 0), -1);
  EXPECT_EQ(g->nodes()[1]->input(0), g->FindValue("sum"));
  EXPECT_EQ(Names(g->outputs()), "p,odd name");
  EXPECT_TRUE(VerifyGraph(*g).ok()) << VerifyGraph(*g).ToString();
}

TEST(ParserTest, RoundTripsABuiltGraph) {
  Graph g("model");
  Value* x = g.AddInput("x", F32({Dim::Symbol("batch"), Dim::Symbol("seq"), 4})).value();
  Value* scale = g.AddConstant("scale", Tensor::FromFloat({4}, {1, 0.1f, -2, 3e-7f})).value();
  Value* w = g.AddConstant("w", Tensor::FromFloat({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8})).value();
  ops::Attributes norm_attrs;
  norm_attrs.Set("epsilon", static_cast<double>(1e-5f));
  Node* norm = g.AddNode("LayerNorm", {x, scale}, norm_attrs).value();
  Node* mm = g.AddNode("MatMul", {norm->output(0), w}, {}, 1, "proj", {"/model/proj:0"}).value();
  ops::Attributes gelu_attrs;
  gelu_attrs.Set("approximate", std::string("tanh"));
  Node* gelu = g.AddNode("Gelu", {mm->output(0)}, gelu_attrs, 1, "act", {"act"}).value();
  ops::Attributes sum_attrs;
  sum_attrs.Set("axes", std::vector<int64_t>{});
  sum_attrs.Set("keepdims", int64_t{0});
  Node* sum = g.AddNode("ReduceSum", {gelu->output(0)}, sum_attrs, 1, "total sum").value();
  g.AddOutput(sum->output(0));
  g.AddOutput(gelu->output(0));
  ASSERT_TRUE(VerifyGraph(g).ok());
  ExpectRoundTrip(g);
}

TEST(ParserTest, RoundTripsConstantsOfEveryDTypeExactly) {
  Graph g("constants");
  std::mt19937 rng(7);
  std::vector<float> f32_bits;
  for (int i = 0; i < 200; ++i) {
    float f = std::bit_cast<float>(static_cast<uint32_t>(rng()));
    if (!std::isnan(f)) f32_bits.push_back(f);
  }
  f32_bits.insert(f32_bits.end(), {0.0f, -0.0f, 1e-45f, -3.4028235e38f, INFINITY, -INFINITY});
  const int64_t n = static_cast<int64_t>(f32_bits.size());
  ASSERT_TRUE(g.AddConstant("f32", Tensor::FromFloat({n}, f32_bits)).ok());
  // Every bit pattern of the narrow float types except NaNs (their payload is not kept).
  for (DType dtype : {DType::kF16, DType::kBF16, DType::kF8E4M3}) {
    const int64_t count = DTypeSize(dtype) == 2 ? 65536 : 256;
    Tensor t = Tensor::Allocate(dtype, {count}).value();
    for (int64_t i = 0; i < count; ++i) {
      if (dtype == DType::kF8E4M3) {
        t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>((i & 0x7f) == 0x7f ? 0 : i);
      } else {
        t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(i);
        if (std::isnan(t.GetDouble(i))) t.mutable_data<uint16_t>()[i] = 0;
      }
    }
    ASSERT_TRUE(g.AddConstant(std::string(DTypeName(dtype)), t).ok());
  }
  ASSERT_TRUE(g.AddConstant("i64", Tensor::FromInt64({3}, {INT64_MIN, -1, INT64_MAX})).ok());
  ASSERT_TRUE(
      g.AddConstant("i32", Tensor::FromInt64({2}, {INT32_MIN, INT32_MAX}, DType::kI32)).ok());
  ASSERT_TRUE(g.AddConstant("i8", Tensor::FromInt64({2}, {-128, 127}, DType::kI8)).ok());
  ASSERT_TRUE(g.AddConstant("u8", Tensor::FromInt64({2}, {0, 255}, DType::kU8)).ok());
  ASSERT_TRUE(g.AddConstant("bool", Tensor::FromInt64({2, 1}, {1, 0}, DType::kBool)).ok());
  ASSERT_TRUE(g.AddConstant("scalar", Tensor::FromFloat({}, {2.5f})).ok());
  ASSERT_TRUE(g.AddConstant("empty", Tensor::FromFloat({0, 4}, {})).ok());
  ExpectRoundTrip(g);
}

TEST(ParserTest, NaNConstantsStayNaN) {
  auto g = MustParse("graph @n { const %c : f32[3] = [nan, -nan, +inf] }");
  const Tensor* c = g->FindValue("c")->constant();
  EXPECT_TRUE(std::isnan(c->GetDouble(0)));
  EXPECT_TRUE(std::isnan(c->GetDouble(1)));
  EXPECT_EQ(c->GetDouble(2), INFINITY);
  auto f8 = MustParse("graph @n { const %c : f8e4m3[2] = [nan, -nan] }");
  EXPECT_EQ(f8->FindValue("c")->constant()->data<uint8_t>()[0], 0x7f);
  EXPECT_EQ(f8->FindValue("c")->constant()->data<uint8_t>()[1], 0xff);
}

TEST(ParserTest, AttributeValuesRoundTripExactly) {
  std::mt19937_64 rng(11);
  std::vector<ops::AttrValue> values = {int64_t{0},
                                        int64_t{INT64_MIN},
                                        1.0,
                                        -0.0,
                                        1e-300,
                                        INFINITY,
                                        std::string(""),
                                        std::string("q\"\\\n\t\x7f ü"),
                                        std::vector<int64_t>{},
                                        std::vector<int64_t>{1, -2, INT64_MAX},
                                        std::vector<double>{},
                                        std::vector<double>{1, 0.5, -1e10},
                                        std::vector<std::string>{},
                                        std::vector<std::string>{"a", "b c"}};
  for (int i = 0; i < 500; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (!std::isnan(d)) values.emplace_back(d);
    values.emplace_back(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(rng()))));
  }
  for (const ops::AttrValue& v : values) {
    if (const auto* d = std::get_if<double>(&v); d && std::isnan(*d)) continue;
    const std::string text = PrintAttrValue(v);
    auto parsed = ParseAttrValue(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(ops::KindOf(*parsed), ops::KindOf(v)) << text;
    EXPECT_EQ(PrintAttrValue(*parsed), text);
    if (const auto* d = std::get_if<double>(&v)) {
      EXPECT_EQ(std::bit_cast<uint64_t>(std::get<double>(*parsed)), std::bit_cast<uint64_t>(*d))
          << text;
    }
  }
}

TEST(ParserTest, AttributeListsTakeTheirKindFromTheElements) {
  EXPECT_EQ(std::get<std::vector<double>>(*ParseAttrValue("[1, 2.5]")),
            (std::vector<double>{1, 2.5}));
  EXPECT_EQ(std::get<std::vector<double>>(*ParseAttrValue("[1, 2] : floats")),
            (std::vector<double>{1, 2}));
  EXPECT_EQ(std::get<std::vector<int64_t>>(*ParseAttrValue("[+3, -4]")),
            (std::vector<int64_t>{3, -4}));
  EXPECT_EQ(ParseAttrValue("[]").status().message(),
            "line 1, column 3: expected ':' and a kind after an empty list ('[] : ints', "
            "'floats' or 'strings'), found the end of the text");
  EXPECT_EQ(ParseAttrValue("[1.5] : ints").status().message(),
            "line 1, column 9: expected a kind that fits the list's elements (floats), "
            "found 'ints'");
  EXPECT_EQ(ParseAttrValue("[\"a\", 1]").status().message(),
            "line 1, column 7: expected a string (a list holds one kind), found '1'");
  EXPECT_EQ(ParseAttrValue("99999999999999999999").status().message(),
            "line 1, column 1: integer '99999999999999999999' does not fit in 64 bits");
  EXPECT_EQ(ParseAttrValue("1e999").status().message(),
            "line 1, column 1: number '1e999' is out of range");
}

// Text written in the printer's own layout reads back and prints unchanged.
TEST(ParserTest, CanonicalTextPrintsBackUnchanged) {
  for (const char* op : {"Gather", "Split", "Slice", "Reshape", "Softmax"}) {
    ASSERT_NE(ops::FindOp(op), nullptr) << op;
  }
  const std::string text = R"(graph @gpt2_tiny {
  input %input_ids : i64[batch,seq]
  const %wte : f32[2,3] = [0.5, -1, 2, 3, 4, 5]
  const %sizes : i64[2] = [1, 2]
  const %starts : i64[1] = [0]
  const %ends : i64[1] = [2]
  const %steps : i64[1] = [1]
  const %flat : i64[1] = [-1]
  const %big : f32[768,768] = elided
  %h = Gather(%wte, %input_ids) {axis = 0} : f32[batch,seq,3]
  %a, %b = Split(%h, %sizes) {axis = -1} : f32[batch,seq,1], f32[batch,seq,2] @"split node"
  %s = Slice(%b, %starts, %ends, _, %steps) : f32[?,seq,2]
  %r = Reshape(%s, %flat) : f32[?]
  %p = Softmax(%a) {axis = -1} : f32[batch,seq,1]
  output %r
  output %p
}
)";
  std::unique_ptr<Graph> g = MustParse(text);
  EXPECT_EQ(PrintGraph(*g), text);
  EXPECT_TRUE(VerifyGraph(*g).ok()) << VerifyGraph(*g).ToString();
  const Node& split = *g->FindNode("split node");
  EXPECT_EQ(Names(split.outputs()), "a,b");
  EXPECT_EQ(split.output(1)->type(),
            (TensorType{DType::kF32, Shape({Dim::Symbol("batch"), Dim::Symbol("seq"), 2})}));
  EXPECT_EQ(Names(g->FindNode("s")->inputs()), "b,starts,ends,_,steps");
  ExpectRoundTrip(*g);
}

TEST(ParserTest, ForwardReferencesResolveAtTheEnd) {
  auto g = MustParse(R"(graph @fwd {
  output %b          # outputs may come first
  %b = Neg(%a) : f32[2]
  %a = Add(%x, %x) : f32[2]
  input %x : f32[2]
})");
  ASSERT_EQ(g->num_nodes(), 2u);
  EXPECT_EQ(g->nodes()[0]->input(0), g->FindValue("a"));
  EXPECT_EQ(g->outputs()[0], g->FindValue("b"));
  EXPECT_TRUE(VerifyGraph(*g).ok()) << VerifyGraph(*g).ToString();
}

TEST(ParserTest, AbsentInputsAreUnderscores) {
  auto g = MustParse(R"(graph @g {
  input %x : f32[2,4]
  input %s : f32[4]
  %y = LayerNorm(%x, _, %s) : f32[2,4]
  %z = LayerNorm(%x, %s, _) : f32[2,4]
})");
  EXPECT_EQ(Names(g->nodes()[0]->inputs()), "x,_,s");
  EXPECT_EQ(Names(g->nodes()[1]->inputs()), "x,s");  // trailing absent inputs are dropped
  EXPECT_NE(PrintGraph(*g).find("%y = LayerNorm(%x, _, %s) : f32[2,4]\n"), std::string::npos);
}

TEST(ParserTest, ErrorsSayWhereAndWhatWasExpected) {
  EXPECT_EQ(ParseError("graph @g {\n  input %x f32[2]\n}"),
            "line 2, column 12: expected ':' after the value name, found 'f32'");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f64[2]\n}"),
            "line 2, column 14: unknown dtype 'f64' (expected f32, f16, bf16, f8e4m3, i64, i32, "
            "i8, u8 or bool)");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2,-1]\n}"),
            "line 2, column 20: expected a dim (a non-negative integer, a symbol or '?'), "
            "found '-1'");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  input %x : f32[2]\n}"),
            "line 3, column 9: value '%x' is already defined on line 2");
  EXPECT_EQ(ParseError("graph @g {\n  %y = Frobnicate(%x) : f32[2]\n}"),
            "line 2, column 8: unknown op 'Frobnicate'");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  %y = Add(%x, %z) : f32[2]\n}"),
            "line 3, column 16: node 'y' (Add) uses 'z', which is never defined");
  EXPECT_EQ(ParseError("graph @g {\n  output %nope\n}"),
            "line 2, column 10: graph output 'nope', which is never defined");
  // The schema check's own words follow the node's position and name.
  const std::string arity =
      ParseError("graph @g {\n  input %x : f32[2]\n  %y = Add(%x) : f32[2]\n}");
  EXPECT_EQ(arity.rfind("line 3, column 3: node 'y' (Add): ", 0), 0u) << arity;
  EXPECT_NE(arity.find("got 1"), std::string::npos) << arity;
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  %y = Softmax(%x) {dim = 1} : f32[2]\n}"),
            "line 3, column 3: node 'y' (Softmax): Softmax has no attribute 'dim'");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  %y = Neg(%x) : f32[2], f32[2]\n}"),
            "line 3, column 24: expected no more types (one type per result, 1 result), found ','");
}

TEST(ParserTest, MoreErrors) {
  EXPECT_EQ(ParseError(""),
            "line 1, column 1: expected 'graph' at the start of the text, "
            "found the end of the text");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n"),
            "line 3, column 1: expected 'input', 'const', 'output', a node ('%name = Op(...) : "
            "type') or '}', found the end of the text");
  EXPECT_EQ(ParseError("graph @g {\n} extra"),
            "line 2, column 3: expected the end of the text after '}', found 'extra'");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : f32[3] = [1, 2]\n}"),
            "line 2, column 28: expected 3 values for f32[3] (got 2), found ']'");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : f32[1] = [1, 2]\n}"),
            "line 2, column 25: expected ']' (f32[1] has 1 element(s)), found ','");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : u8[1] = [256]\n}"),
            "line 2, column 23: value 256 is out of range for u8");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : i64[1] = [1.5]\n}"),
            "line 2, column 24: expected an integer for i64, found '1.5'");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : bool[1] = [1]\n}"),
            "line 2, column 25: expected true or false for a bool, found '1'");
  EXPECT_EQ(ParseError("graph @g {\n  const %c : f32[n] = elided\n}"),
            "line 2, column 14: a constant needs static dims, found f32[n]");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  %y = Gelu(%x) {approximate = \"tanh"),
            "line 3, column 32: unterminated string (a closing '\"' is missing)");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2] $\n}"),
            "line 2, column 21: unexpected character '$'");
  EXPECT_EQ(ParseError("graph @g {\n  input % : f32[2]\n}"),
            "line 2, column 9: expected a name or a quoted string after '%'");
  EXPECT_EQ(ParseError("graph @g {\n  input %x : f32[2]\n  %y = Gelu(%x) {approximate = \"\\q\"}"),
            "line 3, column 33: unknown escape in a string (use \\\" \\\\ \\n \\t \\r \\xHH)");
}

TEST(ParserTest, AbsurdElidedConstantsAreRefused) {
  auto g = ParseGraph("graph @g {\n  const %c : f32[1000000000000,1000000000000] = elided\n}");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(g.status().message().rfind("line 2, column 49: ", 0), 0u) << g.status().message();
}

TEST(ParserTest, NamesThatNeedQuotesRoundTrip) {
  Graph g("quoted \"graph\"");
  Value* a = g.AddInput("a b", F32({Dim::Symbol("dim with space"), Dim::Symbol("x:"), 2})).value();
  Value* b =
      g.AddInput("ends:", F32({Dim::Symbol("dim with space"), Dim::Symbol("x:"), 2})).value();
  Node* add = g.AddNode("Add", {a, b}, {}, 1, "node\nname", {"Add:0"}).value();
  Node* neg = g.AddNode("Neg", {add->output(0)}, {}, 1, "", {"ünïcode/name-1.2"}).value();
  g.AddOutput(neg->output(0));
  ExpectRoundTrip(g);
  EXPECT_NE(PrintGraph(g).find("%Add:0 = Add(%\"a b\", %\"ends:\")"), std::string::npos);
}

// Damaged text gives an error or a graph, never a crash; whatever parses also verifies
// (with or without an error) and prints.
TEST(ParserTest, SurvivesDamagedText) {
  const std::string text = R"(graph @g {
  input %x : f32[batch,4]
  const %w : f32[4,2] = [1, 2, 3, 4, 5, 6, 7, 8]
  const %k : i64[1] = [-1]
  %y = MatMul(%x, %w) {transpose_b = 0} : f32[batch,2] @"mm"
  %z, %u = Split(%y) {axis = -1} : f32[batch,1], f32[batch,1]
  %r = Reshape(%z, %k) : f32[?]
  output %r
})";
  std::mt19937 rng(3);
  const std::string alphabet = "%@\"#{}()[],=:?_-.0123456789abcxyz \n\\";
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string damaged = text;
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0; --edits) {
      const size_t at = rng() % damaged.size();
      switch (rng() % 3) {
        case 0: damaged.erase(at, 1 + rng() % 4); break;
        case 1: damaged.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        default: damaged[at] = static_cast<char>(rng() % 256); break;
      }
    }
    auto g = ParseGraph(damaged);
    if (!g.ok()) {
      EXPECT_EQ(g.status().message().rfind("line ", 0), 0u) << g.status().message();
      continue;
    }
    ++parsed;
    VerifyGraph(**g).IgnoreError();
    EXPECT_FALSE(PrintGraph(**g).empty());
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace hetero::ir
