// Tests of the golden-test matcher and the golden file splitter: what passes, what fails.
#include "compiler/passes/testing/file_check.h"

#include "compiler/passes/testing/golden_case.h"
#include "gtest/gtest.h"

namespace hetero::golden {
namespace {

constexpr char kOutput[] =
    "graph @g {\n"
    "  input %x : f32[2,3]\n"
    "  %y = Add(%x, %x) : f32[2,3]\n"
    "  %z = Relu(%y) : f32[2,3]\n"
    "  output %z\n"
    "}\n";

CheckDirective D(CheckKind kind, std::string pattern) { return {kind, std::move(pattern), 1}; }

Status Match(std::vector<CheckDirective> checks) { return MatchChecks(checks, kOutput); }

TEST(FileCheck, PlainChecksInOrder) {
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "%y = Add"), D(CheckKind::kCheck, "Relu(%y)")}).ok());
  // Out of order fails.
  Status s = Match({D(CheckKind::kCheck, "Relu"), D(CheckKind::kCheck, "Add")});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CHECK: Add"), std::string::npos) << s.message();
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "Softmax")}).ok());
}

TEST(FileCheck, NextAndSame) {
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "input %x"), D(CheckKind::kNext, "%y = Add"),
                     D(CheckKind::kSame, ": f32[2,3]")})
                  .ok());
  // NEXT must be exactly the next line.
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "input %x"), D(CheckKind::kNext, "Relu")}).ok());
  // SAME must be after the previous match on its line.
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "Add(%x"), D(CheckKind::kSame, "%y")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kNext, "graph")}).ok());
}

TEST(FileCheck, NotBetweenMatches) {
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "Add"), D(CheckKind::kNot, "Add"),
                     D(CheckKind::kCheck, "output")})
                  .ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "input"), D(CheckKind::kNot, "Add"),
                      D(CheckKind::kCheck, "output")})
                   .ok());
  // A trailing NOT covers the rest of the output.
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "Add"), D(CheckKind::kNot, "Relu")}).ok());
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "Relu"), D(CheckKind::kNot, "Add")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kNot, "Relu")}).ok());
}

TEST(FileCheck, RegexAndVariables) {
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "%{{[a-z]}} = Add")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "%{{[0-9]}} = Add")}).ok());
  EXPECT_TRUE(
      Match({D(CheckKind::kCheck, "%[[SUM:[a-z]+]] = Add"), D(CheckKind::kCheck, "Relu(%[[SUM]])")})
          .ok());
  EXPECT_FALSE(
      Match({D(CheckKind::kCheck, "%[[V:[a-z]+]] = Relu"), D(CheckKind::kCheck, "Add(%[[V]]")})
          .ok());
  // Literal regex characters are escaped; whitespace runs match any run.
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "f32[2,3]")}).ok());
  EXPECT_TRUE(Match({D(CheckKind::kCheck, "%y   =  Add(%x,   %x)")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "Add(%x,%x)")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "[[UNDEFINED]]")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "{{[}}")}).ok());
  EXPECT_FALSE(Match({D(CheckKind::kCheck, "{{unclosed")}).ok());
}

TEST(GoldenFile, SplitsCasesAndInheritsRun) {
  constexpr char kFile[] =
      "// RUN: --passes dce\n"
      "graph @a {\n"
      "  input %x : f32[2]\n"
      "  output %x\n"
      "}\n"
      "// CHECK: output %x\n"
      "// -----\n"
      "// A comment that is not a directive.\n"
      "graph @b {\n"
      "  input %x : f32[2]\n"
      "  output %x\n"
      "}\n"
      "// CHECK-NOT: Add\n"
      "// -----\n"
      "// RUN: --passes=cse,dce\n"
      "graph @c { input %x : f32[2] output %x }\n"
      "// EXPECT-ERROR: boom\n";
  auto cases = SplitGoldenFile(kFile);
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].passes, "dce");
  EXPECT_EQ((*cases)[1].passes, "dce");
  EXPECT_EQ((*cases)[1].first_line, 8);
  EXPECT_EQ((*cases)[1].checks.at(0).line, 13);
  EXPECT_EQ((*cases)[1].checks.at(0).kind, CheckKind::kNot);
  EXPECT_EQ((*cases)[2].passes, "cse,dce");
  EXPECT_EQ((*cases)[2].expect_error, "boom");
  // Line numbers are kept: the IR of case 2 starts on file line 9.
  const std::string& ir = (*cases)[1].ir_text;
  EXPECT_EQ(ir.substr(0, ir.find("graph @b")), std::string(8, '\n'));
}

TEST(GoldenFile, RejectsBadDirectives) {
  EXPECT_FALSE(SplitGoldenFile("// RUN: --passes dce\ngraph @a {}\n// CHECK-NXT: x\n").ok());
  EXPECT_FALSE(SplitGoldenFile("// RUN: -p dce\ngraph @a {}\n// CHECK: x\n").ok());
  EXPECT_FALSE(SplitGoldenFile("graph @a {}\n// CHECK: x\n").ok());           // no RUN
  EXPECT_FALSE(SplitGoldenFile("// RUN: --passes dce\ngraph @a {}\n").ok());  // no CHECK
  EXPECT_FALSE(SplitGoldenFile("// RUN: --passes dce\ngraph @a {}\n// CHECK:\n").ok());
}

}  // namespace
}  // namespace hetero::golden
