// Writers of a BenchReport: markdown for people, JSON (raw samples, schema version), CSV
// (one row per result or per op), and one self-contained HTML page with charts.
#pragma once

#include <string>

#include "hetero/status.h"
#include "profiler/bench_result.h"
#include "profiler/json.h"

namespace hetero::profiler {

std::string BenchMarkdown(const BenchReport& report);
std::string BenchJson(const BenchReport& report);
// Results: one row per result. The header line is kBenchCsvColumns.
std::string BenchCsv(const BenchReport& report);
// The per-op table of every result as CSV (header kOpCsvColumns).
std::string OpsCsv(const BenchReport& report);
std::string BenchHtml(const BenchReport& report);

extern const char kBenchCsvColumns[];
extern const char kOpCsvColumns[];

// "p99", "p99.9": the name a percentile gets in every output.
std::string PercentileName(double p);

// Reads back what BenchJson wrote (for `bench compare`); fails naming what is missing.
StatusOr<BenchReport> BenchReportFromJson(const JsonValue& doc);

}  // namespace hetero::profiler
