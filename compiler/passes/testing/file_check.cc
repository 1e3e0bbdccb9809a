// The FileCheck-style matcher of golden tests: patterns to regexes, directives in order.
#include "compiler/passes/testing/file_check.h"

#include <map>
#include <optional>
#include <regex>

namespace hetero::golden {
namespace {

struct Compiled {
  std::regex re;
  std::vector<std::pair<std::string, size_t>> captures;  // variable, group index
};

// Capturing groups a raw regex opens: '(' not escaped and not followed by '?'.
size_t CountGroups(std::string_view re) {
  size_t count = 0;
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
    } else if (re[i] == '(' && (i + 1 >= re.size() || re[i + 1] != '?')) {
      ++count;
    }
  }
  return count;
}

void AppendLiteral(std::string& out, char c) {
  static const std::string_view kSpecial = "\\^$.|?*+()[]{}/";
  if (kSpecial.find(c) != std::string_view::npos) out += '\\';
  out += c;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) AppendLiteral(out, c);
  return out;
}

StatusOr<Compiled> Compile(std::string_view pattern,
                           const std::map<std::string, std::string>& vars) {
  std::string re;
  Compiled compiled;
  size_t groups = 0;
  for (size_t i = 0; i < pattern.size();) {
    const std::string_view rest = pattern.substr(i);
    if (rest.starts_with("{{") || rest.starts_with("[[")) {
      const bool is_regex = rest[0] == '{';
      const size_t close = rest.find(is_regex ? "}}" : "]]", 2);
      if (close == std::string_view::npos) {
        return InvalidArgument(std::string("unclosed '") + (is_regex ? "{{" : "[[") + "'");
      }
      const std::string_view inner = rest.substr(2, close - 2);
      if (is_regex) {
        re += "(?:" + std::string(inner) + ")";
        groups += CountGroups(inner);
      } else if (size_t colon = inner.find(':'); colon != std::string_view::npos) {
        const std::string_view sub = inner.substr(colon + 1);
        compiled.captures.emplace_back(std::string(inner.substr(0, colon)), ++groups);
        re += "(" + std::string(sub) + ")";
        groups += CountGroups(sub);
      } else {
        auto it = vars.find(std::string(inner));
        if (it == vars.end()) {
          return InvalidArgument("variable '" + std::string(inner) + "' is not defined yet");
        }
        re += Escape(it->second);
      }
      i += close + 2;
    } else if (rest[0] == ' ' || rest[0] == '\t') {
      while (i < pattern.size() && (pattern[i] == ' ' || pattern[i] == '\t')) ++i;
      re += "[ \\t]+";
    } else {
      AppendLiteral(re, rest[0]);
      ++i;
    }
  }
  try {
    compiled.re = std::regex(re, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgument("bad regex '" + re + "': " + e.what());
  }
  return compiled;
}

struct Match {
  size_t line, begin, end;
};

class Matcher {
 public:
  explicit Matcher(std::string_view output) {
    size_t start = 0;
    while (start <= output.size()) {
      size_t nl = output.find('\n', start);
      if (nl == std::string_view::npos) nl = output.size();
      lines_.push_back(output.substr(start, nl - start));
      start = nl + 1;
    }
  }

  Status Run(const std::vector<CheckDirective>& checks);

 private:
  // Searches line `l` between columns [from, to); records captures when `bind`.
  std::optional<Match> SearchLine(const Compiled& c, size_t l, size_t from, size_t to, bool bind) {
    if (l >= lines_.size()) return std::nullopt;
    const std::string_view line = lines_[l];
    to = std::min(to, line.size());
    if (from > to) return std::nullopt;
    auto flags = std::regex_constants::match_default;
    if (from > 0) flags |= std::regex_constants::match_prev_avail;
    if (to < line.size()) flags |= std::regex_constants::match_not_eol;
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(line.begin() + from, line.begin() + to, m, c.re, flags)) {
      return std::nullopt;
    }
    if (bind) {
      for (const auto& [name, group] : c.captures) vars_[name] = m[group].str();
    }
    const size_t begin = from + static_cast<size_t>(m.position(0));
    return Match{l, begin, begin + static_cast<size_t>(m.length(0))};
  }

  // CHECK-NOT patterns must not occur between the previous match and `limit`.
  Status CheckNots(const Match& limit) {
    for (const CheckDirective* d : nots_) {
      auto c = Compile(d->pattern, vars_);
      if (!c.ok()) return Describe(*d, c.status().message());
      for (size_t l = pos_.line; l <= limit.line && l < lines_.size(); ++l) {
        const size_t from = l == pos_.line ? pos_.end : 0;
        const size_t to = l == limit.line ? limit.begin : std::string_view::npos;
        if (auto m = SearchLine(*c, l, from, to, false)) {
          return Describe(
              *d, "found on output line " + std::to_string(l + 1) + ": " + std::string(lines_[l]));
        }
      }
    }
    nots_.clear();
    return OkStatus();
  }

  Status Describe(const CheckDirective& d, const std::string& what) const {
    return InvalidArgument("test line " + std::to_string(d.line) + ": " +
                           std::string(CheckKindName(d.kind)) + ": " + d.pattern + "\n  " + what);
  }

  Status Positive(const CheckDirective& d);

  std::vector<std::string_view> lines_;
  std::map<std::string, std::string> vars_;
  std::vector<const CheckDirective*> nots_;
  Match pos_{0, 0, 0};  // the previous match (line, begin, end)
  bool matched_any_ = false;
};

Status Matcher::Positive(const CheckDirective& d) {
  auto c = Compile(d.pattern, vars_);
  if (!c.ok()) return Describe(d, c.status().message());
  std::optional<Match> m;
  const std::string where = "output line " + std::to_string(pos_.line + 1);
  switch (d.kind) {
    case CheckKind::kCheck:
      for (size_t l = pos_.line; l < lines_.size() && !m; ++l) {
        m = SearchLine(*c, l, l == pos_.line ? pos_.end : 0, std::string_view::npos, true);
      }
      if (!m) return Describe(d, "not found in the output from " + where + " on");
      break;
    case CheckKind::kNext:
      if (!matched_any_) return Describe(d, "CHECK-NEXT needs a CHECK before it");
      m = SearchLine(*c, pos_.line + 1, 0, std::string_view::npos, true);
      if (!m) return Describe(d, "not found on the line after " + where);
      break;
    case CheckKind::kSame:
      if (!matched_any_) return Describe(d, "CHECK-SAME needs a CHECK before it");
      m = SearchLine(*c, pos_.line, pos_.end, std::string_view::npos, true);
      if (!m) return Describe(d, "not found on " + where + " after the previous match");
      break;
    case CheckKind::kNot: return Internal("CHECK-NOT is not a positive directive");
  }
  HETERO_RETURN_IF_ERROR(CheckNots(*m));
  pos_ = *m;
  matched_any_ = true;
  return OkStatus();
}

Status Matcher::Run(const std::vector<CheckDirective>& checks) {
  for (const CheckDirective& d : checks) {
    if (d.kind == CheckKind::kNot) {
      nots_.push_back(&d);
    } else {
      HETERO_RETURN_IF_ERROR(Positive(d));
    }
  }
  const size_t last = lines_.empty() ? 0 : lines_.size() - 1;
  return CheckNots(Match{last, std::string_view::npos, std::string_view::npos});
}

}  // namespace

std::string_view CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kCheck: return "CHECK";
    case CheckKind::kNext: return "CHECK-NEXT";
    case CheckKind::kSame: return "CHECK-SAME";
    case CheckKind::kNot: return "CHECK-NOT";
  }
  return "CHECK";
}

Status MatchChecks(const std::vector<CheckDirective>& checks, std::string_view output) {
  Matcher matcher(output);
  return matcher.Run(checks);
}

}  // namespace hetero::golden
