// The pass pipeline: passes run in order from a string or the default list, with
// verification between passes and a timing report per pass run.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "compiler/passes/pass.h"
#include "hetero/status.h"

namespace hetero::passes {

// Whether the verifier runs between passes unless told otherwise: on in debug builds.
#ifndef NDEBUG
inline constexpr bool kVerifyBetweenPassesByDefault = true;
#else
inline constexpr bool kVerifyBetweenPassesByDefault = false;
#endif

// One run of one pass.
struct PassReport {
  std::string name;
  bool changed = false;
  double milliseconds = 0;
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  int round = 0;  // 0-based round of a repeated pipeline
};

struct PipelineOptions {
  // Runs ir::VerifyGraph before the first pass and after every pass that changed the
  // graph; a failure names the pass that broke it.
  bool verify = kVerifyBetweenPassesByDefault;
};

// An ordered list of passes, optionally repeated until a whole round changes nothing.
// Owns its passes (move-only). Not thread-safe (passes may keep state between runs);
// build one per thread.
class Pipeline {
 public:
  // "canonicalize,cse,dce": names from AllPasses(), separated by commas (spaces around
  // names are ignored). Fails listing the known names when one is unknown, and on an
  // empty list or an empty name.
  static StatusOr<Pipeline> Parse(std::string_view spec);
  // Every pass in AllPasses() order, repeated until a round changes nothing (at most
  // kMaxDefaultRounds rounds): a fusion can expose folding and the other way round.
  static Pipeline Default();
  static constexpr int kMaxDefaultRounds = 4;

  // Adds a pass at the end (tools and tests can run passes that are not registered).
  void Append(std::unique_ptr<Pass> pass);

  std::vector<std::string> pass_names() const;
  int max_rounds() const { return max_rounds_; }

  // Runs the passes on `graph`; returns one report per pass run, in order. On an error
  // the graph is left as the failing pass left it (possibly partly rewritten).
  StatusOr<std::vector<PassReport>> Run(ir::Graph& graph, const PipelineOptions& options = {});

 private:
  std::vector<std::unique_ptr<Pass>> passes_;
  int max_rounds_ = 1;
};

// The `--time-passes` table: one line per pass run (round, name, changed, ms, nodes
// before -> after) and a total.
std::string FormatPassReports(const std::vector<PassReport>& reports);

}  // namespace hetero::passes
