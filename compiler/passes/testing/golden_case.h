// Golden IR test files: cases separated by `// -----`, each with a RUN line, input IR and
// CHECK directives (docs/compiler.md describes the format).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/passes/testing/file_check.h"
#include "hetero/status.h"

namespace hetero::golden {

struct GoldenCase {
  int first_line = 0;  // 1-based line of the case's first line in the file
  // The case's text with every `//` line blanked, preceded by first_line - 1 empty lines,
  // so that parse errors give file line numbers.
  std::string ir_text;
  std::string passes;        // from `// RUN: --passes a,b`, or the previous case's
  int run_line = 0;          // where that RUN line is
  std::string expect_error;  // from `// EXPECT-ERROR: text`; empty when none
  std::vector<CheckDirective> checks;
};

// Splits a golden file into cases. A case without a RUN line takes the one of the case
// before it. Fails (naming the line) on a CHECK-like directive it does not know, a RUN
// line it cannot read, or a case with neither a RUN line to use nor any directive.
StatusOr<std::vector<GoldenCase>> SplitGoldenFile(std::string_view text);

}  // namespace hetero::golden
