// Splitting golden IR test files into cases and reading their directives.
#include "compiler/passes/testing/golden_case.h"

#include <utility>

namespace hetero::golden {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Status LineError(int line, const std::string& what) {
  return InvalidArgument("line " + std::to_string(line) + ": " + what);
}

// "--passes a,b" or "--passes=a,b".
StatusOr<std::string> ParseRun(std::string_view args, int line) {
  args = Trim(args);
  std::string_view value;
  if (args.starts_with("--passes=")) {
    value = args.substr(9);
  } else if (args.starts_with("--passes ")) {
    value = args.substr(9);
  } else {
    return LineError(line,
                     "expected 'RUN: --passes a,b,c', found 'RUN: " + std::string(args) + "'");
  }
  value = Trim(value);
  if (value.empty() || value.find(' ') != std::string_view::npos) {
    return LineError(line, "the pass list after --passes must be one word: a,b,c");
  }
  return std::string(value);
}

const std::pair<std::string_view, CheckKind> kDirectives[] = {
    {"CHECK-NEXT:", CheckKind::kNext},
    {"CHECK-SAME:", CheckKind::kSame},
    {"CHECK-NOT:", CheckKind::kNot},
    {"CHECK:", CheckKind::kCheck},
};

// Reads one `//` comment line into the case; other comments are ignored.
Status ReadDirective(std::string_view body, int line, GoldenCase& c) {
  body = Trim(body);
  if (body.starts_with("RUN:")) {
    HETERO_ASSIGN_OR_RETURN(c.passes, ParseRun(body.substr(4), line));
    c.run_line = line;
    return OkStatus();
  }
  if (body.starts_with("EXPECT-ERROR:")) {
    c.expect_error = std::string(Trim(body.substr(13)));
    if (c.expect_error.empty()) return LineError(line, "EXPECT-ERROR needs the text expected");
    return OkStatus();
  }
  for (const auto& [prefix, kind] : kDirectives) {
    if (body.starts_with(prefix)) {
      const std::string_view pattern = Trim(body.substr(prefix.size()));
      if (pattern.empty()) {
        return LineError(line, std::string(prefix) + " needs a pattern");
      }
      c.checks.push_back(CheckDirective{kind, std::string(pattern), line});
      return OkStatus();
    }
  }
  if (body.starts_with("CHECK") || body.starts_with("RUN") || body.starts_with("EXPECT")) {
    return LineError(line, "unknown directive '" + std::string(body) + "'");
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<GoldenCase>> SplitGoldenFile(std::string_view text) {
  std::vector<GoldenCase> cases;
  GoldenCase current;
  current.first_line = 1;
  std::string previous_passes;
  int previous_run_line = 0;
  bool has_ir = false;
  auto finish = [&](int next_line) -> Status {
    if (current.passes.empty()) {
      current.passes = previous_passes;
      current.run_line = previous_run_line;
    }
    const bool has_directives = !current.checks.empty() || !current.expect_error.empty();
    if (has_ir || has_directives) {
      if (current.passes.empty()) {
        return LineError(current.first_line, "case has no RUN line and none came before it");
      }
      if (!has_directives) {
        return LineError(current.first_line, "case has no CHECK or EXPECT-ERROR line");
      }
      previous_passes = current.passes;
      previous_run_line = current.run_line;
      cases.push_back(std::move(current));
    } else if (!current.passes.empty()) {
      // A RUN line alone (a file header) sets the passes for the cases after it.
      previous_passes = current.passes;
      previous_run_line = current.run_line;
    }
    current = GoldenCase{};
    current.first_line = next_line;
    current.ir_text = std::string(static_cast<size_t>(next_line - 1), '\n');
    has_ir = false;
    return OkStatus();
  };
  int line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    const std::string_view trimmed = Trim(line);
    if (trimmed.starts_with("// -----")) {
      HETERO_RETURN_IF_ERROR(finish(line_no + 1));
      continue;
    }
    if (trimmed.starts_with("//")) {
      HETERO_RETURN_IF_ERROR(ReadDirective(trimmed.substr(2), line_no, current));
      current.ir_text += '\n';
      continue;
    }
    if (!trimmed.empty() && !trimmed.starts_with("#")) has_ir = true;
    current.ir_text += std::string(line) + '\n';
  }
  HETERO_RETURN_IF_ERROR(finish(line_no + 1));
  return cases;
}

}  // namespace hetero::golden
