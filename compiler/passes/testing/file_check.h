// A small FileCheck: matches CHECK / CHECK-NEXT / CHECK-SAME / CHECK-NOT directives, in
// order, against a text (the printed IR of a golden test).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hetero/status.h"

namespace hetero::golden {

enum class CheckKind { kCheck, kNext, kSame, kNot };

// One directive as written in a test file.
struct CheckDirective {
  CheckKind kind = CheckKind::kCheck;
  std::string pattern;  // the text after "CHECK...:", trimmed
  int line = 0;         // line in the test file, for messages
};

// "CHECK", "CHECK-NEXT", ...
std::string_view CheckKindName(CheckKind kind);

// Matches `checks` in order against `output`, FileCheck style:
//  - CHECK: the pattern occurs at or after the end of the previous match;
//  - CHECK-NEXT: it occurs on the line right after the previous match's line;
//  - CHECK-SAME: it occurs on the previous match's line, after the previous match;
//  - CHECK-NOT: it does not occur between the previous match and the next positive
//    match (or the end of the output).
// A pattern is literal text (a run of spaces or tabs matches any run of them), with
// {{regex}} for an ECMAScript regex, [[NAME:regex]] to capture what the regex matched
// into NAME, and [[NAME]] for the text captured earlier. A pattern never spans lines.
// Returns OK, or InvalidArgument saying which directive failed (kind, test-file line,
// pattern) and where in the output the search began.
Status MatchChecks(const std::vector<CheckDirective>& checks, std::string_view output);

}  // namespace hetero::golden
