// The pass pipeline: parsing a pass list, running it with verification and timing.
#include "compiler/passes/pipeline.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "compiler/ir/verifier.h"
#include "compiler/passes/pass.h"

namespace hetero::passes {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Status VerifyAfter(const ir::Graph& graph, std::string_view pass_name) {
  Status s = ir::VerifyGraph(graph);
  if (s.ok()) return s;
  if (pass_name.empty()) return s.WithContext("the graph given to the pipeline is invalid");
  return Internal("pass '" + std::string(pass_name) +
                  "' produced an invalid graph: " + s.message());
}

}  // namespace

StatusOr<Pipeline> Pipeline::Parse(std::string_view spec) {
  Pipeline pipeline;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string_view::npos) comma = spec.size();
    const std::string_view name = Trim(spec.substr(start, comma - start));
    if (name.empty()) {
      return InvalidArgument("pass list '" + std::string(spec) + "' has an empty pass name");
    }
    // CreatePass checks the name and lists the known ones.
    HETERO_ASSIGN_OR_RETURN(std::unique_ptr<Pass> pass, CreatePass(name));
    pipeline.passes_.push_back(std::move(pass));
    start = comma + 1;
  }
  return pipeline;
}

Pipeline Pipeline::Default() {
  Pipeline pipeline;
  for (const PassInfo& info : AllPasses()) {
    if (info.in_default) pipeline.passes_.push_back(info.create());
  }
  pipeline.max_rounds_ = kMaxDefaultRounds;
  return pipeline;
}

void Pipeline::Append(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }

std::vector<std::string> Pipeline::pass_names() const {
  std::vector<std::string> names;
  for (const auto& pass : passes_) names.emplace_back(pass->name());
  return names;
}

StatusOr<std::vector<PassReport>> Pipeline::Run(ir::Graph& graph, const PipelineOptions& options) {
  if (options.verify) HETERO_RETURN_IF_ERROR(VerifyAfter(graph, ""));
  std::vector<PassReport> reports;
  for (int round = 0; round < max_rounds_; ++round) {
    bool round_changed = false;
    for (const auto& pass : passes_) {
      PassReport report;
      report.name = std::string(pass->name());
      report.round = round;
      report.nodes_before = graph.num_nodes();
      const auto start = std::chrono::steady_clock::now();
      auto changed = pass->Run(graph);
      report.milliseconds =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!changed.ok()) return changed.status().WithContext("pass '" + report.name + "'");
      report.changed = *changed;
      // Passes append the nodes they make; keep the list in a readable topological order.
      if (*changed) {
        HETERO_RETURN_IF_ERROR(graph.SortNodes().WithContext("after pass '" + report.name + "'"));
      }
      report.nodes_after = graph.num_nodes();
      round_changed = round_changed || report.changed;
      reports.push_back(std::move(report));
      if (options.verify && *changed) HETERO_RETURN_IF_ERROR(VerifyAfter(graph, pass->name()));
    }
    if (!round_changed) break;
  }
  return reports;
}

std::string FormatPassReports(const std::vector<PassReport>& reports) {
  std::string out = "round  pass                      changed        ms   nodes\n";
  double total = 0;
  char line[160];
  for (const PassReport& r : reports) {
    std::snprintf(line, sizeof(line), "%5d  %-24s  %-7s  %8.3f   %zu -> %zu\n", r.round,
                  r.name.c_str(), r.changed ? "yes" : "no", r.milliseconds, r.nodes_before,
                  r.nodes_after);
    out += line;
    total += r.milliseconds;
  }
  std::snprintf(line, sizeof(line), "total: %zu pass runs, %.3f ms\n", reports.size(), total);
  out += line;
  return out;
}

}  // namespace hetero::passes
