// Bench writers: the JSON document's schema (and that it reads back), the CSV columns,
// the markdown labels, the html page's self-containment, and `bench compare`.
#include "profiler/report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "profiler/compare.h"

namespace hetero::profiler {
namespace {

BenchResult MakeResult(const std::string& label, bool simulated, double base_ms) {
  BenchResult r;
  r.label = label;
  r.devices = label;
  r.simulated = simulated;
  r.all_simulated = simulated;
  for (int i = 0; i < 20; ++i) {
    r.wall_ms.push_back(base_ms + 0.01 * i);
    r.device_ms.push_back(base_ms * 0.8);
    if (simulated) r.simulated_ms.push_back(base_ms * 0.5 + 0.001 * i);
    r.device_total_ms.push_back(r.device_ms.back() + (simulated ? r.simulated_ms.back() : 0));
  }
  r.completed = 20;
  r.throughput = 1000.0 / base_ms;
  OpRow op;
  op.node = "mm_0";
  op.op = "MatMul";
  op.device = label;
  op.time_ms = base_ms / 2;
  op.flops = 2e6;
  op.bytes = 1e5;
  op.simulated = simulated;
  op.bytes_source = "device";
  for (int i = 0; i < 20; ++i) op.samples_ms.push_back(base_ms / 2 + 0.001 * i);
  r.ops.push_back(op);
  DeviceMemory memory;
  memory.device = label;
  memory.available = true;
  memory.peak_bytes = 3 * 1048576.0;
  memory.bytes_in_use = 1048576.0;
  memory.covers = {"buffers", "intermediates"};
  if (simulated) memory.covers.push_back("simulated");
  r.device_memory.push_back(memory);
  return r;
}

BenchReport MakeReport() {
  BenchReport report;
  report.model = "builtin:gpt2-tiny";
  report.baseline = "cpu";
  report.environment.commit = "abc123";
  DeviceInfo cpu;
  cpu.name = "cpu";
  cpu.peak_flops["f32"] = 1e11;
  cpu.memory_bandwidth = 2e10;
  report.environment.devices.push_back(cpu);
  report.results.push_back(MakeResult("cpu", false, 2.0));
  report.results.push_back(MakeResult("npu-sim:rngd", true, 1.0));
  return report;
}

TEST(ReportTest, JsonHasSchemaVersionSamplesAndTheOpsPlacementReads) {
  auto doc = ParseJson(BenchJson(MakeReport()));
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->StringOr("schema_version", ""), kBenchSchemaVersion);
  const JsonValue* results = doc->Find("results");
  ASSERT_TRUE(results != nullptr && results->is_array());
  ASSERT_EQ(results->items().size(), 2u);
  for (const JsonValue& r : results->items()) {
    for (const char* key : {"label", "scenario", "latency_ms", "wall_ms", "samples", "ops",
                            "throughput_per_s", "first_inference_ms", "speedup", "simulated"}) {
      EXPECT_NE(r.Find(key), nullptr) << key;
    }
    const JsonValue* latency = r.Find("latency_ms");
    for (const char* key : {"count", "mean", "stddev", "cv", "min", "p50", "p90", "p99", "max"}) {
      EXPECT_NE(latency->Find(key), nullptr) << key;
    }
    EXPECT_EQ(r.Find("samples")->Find("wall_ms")->items().size(), 20u);
    const JsonValue& op = r.Find("ops")->items().at(0);
    EXPECT_EQ(op.StringOr("node", ""), "mm_0");
    EXPECT_EQ(op.StringOr("op", ""), "MatMul");
    EXPECT_FALSE(op.StringOr("device", "").empty());
    EXPECT_GT(op.NumberOr("time_ms", 0), 0);
  }
  // The simulated result's latency is its device time (0.8 ms measured + 0.5 ms
  // simulated at least), not its wall time, and it says so.
  const JsonValue& sim = results->items()[1];
  EXPECT_EQ(sim.StringOr("latency_metric", ""), "simulated device");
  EXPECT_NEAR(sim.Find("latency_ms")->NumberOr("min", 0), 1.3, 1e-12);
  EXPECT_TRUE(sim.Find("simulated")->as_bool());
}

TEST(ReportTest, JsonSchemaOneOneAddsDeviceMemoryAndOpSamples) {
  BenchReport report = MakeReport();
  DeviceMemory old_plugin;
  old_plugin.device = "partial-abi10:0";
  old_plugin.reason = "device_memory_stats: unimplemented by plugin 'partial-abi10'";
  report.results[0].device_memory.push_back(old_plugin);
  auto doc = ParseJson(BenchJson(report));
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->StringOr("schema_version", ""), "1.1");
  const JsonValue& cpu = doc->Find("results")->items().at(0);
  const JsonValue* memory = cpu.Find("device_memory");
  ASSERT_TRUE(memory != nullptr && memory->is_array());
  ASSERT_EQ(memory->items().size(), 2u);
  const JsonValue& reported = memory->items()[0];
  EXPECT_EQ(reported.StringOr("device", ""), "cpu");
  EXPECT_TRUE(reported.Find("available")->as_bool());
  EXPECT_EQ(reported.NumberOr("peak_bytes", 0), 3 * 1048576.0);
  EXPECT_EQ(reported.NumberOr("bytes_in_use", 0), 1048576.0);
  EXPECT_EQ(reported.Find("covers")->items().size(), 2u);
  const JsonValue& unavailable = memory->items()[1];
  EXPECT_FALSE(unavailable.Find("available")->as_bool());
  EXPECT_EQ(unavailable.Find("peak_bytes"), nullptr);  // absent, not a misleading 0
  EXPECT_NE(unavailable.StringOr("reason", "").find("unimplemented"), std::string::npos);
  const JsonValue& op = cpu.Find("ops")->items().at(0);
  EXPECT_EQ(op.Find("samples_ms")->items().size(), 20u);
  EXPECT_EQ(op.StringOr("bytes_source", ""), "device");

  auto back = BenchReportFromJson(*doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->results[0].device_memory.size(), 2u);
  EXPECT_TRUE(back->results[0].device_memory[0].available);
  EXPECT_EQ(back->results[0].device_memory[0].peak_bytes, 3 * 1048576.0);
  EXPECT_FALSE(back->results[0].device_memory[1].available);
  EXPECT_EQ(back->results[0].ops[0].samples_ms, report.results[0].ops[0].samples_ms);
  // A 1.0 document (no device_memory, no per-op samples) still reads.
  auto v10 = ParseJson(
      "{\"schema_version\": \"1.0\", \"results\": [{\"label\": \"cpu\", \"samples\": "
      "{\"wall_ms\": [1, 2]}, \"ops\": [{\"node\": \"n\", \"device\": \"cpu\", "
      "\"time_ms\": 0.5}]}]}");
  ASSERT_TRUE(v10.ok());
  auto old = BenchReportFromJson(*v10);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->results[0].device_memory.empty());
  EXPECT_TRUE(old->results[0].ops[0].samples_ms.empty());
}

TEST(ReportTest, DeviceMemoryPeakInMarkdownCsvAndHtml) {
  BenchReport report = MakeReport();
  DeviceMemory old_plugin;
  old_plugin.device = "partial-abi10:0";
  report.results[0].device_memory.push_back(old_plugin);
  const std::string md = BenchMarkdown(report);
  EXPECT_NE(md.find("device memory peak MB"), std::string::npos);
  EXPECT_NE(md.find("| cpu 3.00; partial-abi10:0 n/a |"), std::string::npos);
  EXPECT_NE(md.find("npu-sim:rngd 3.00 (sim)"), std::string::npos);
  const std::string csv = BenchCsv(report);
  EXPECT_NE(csv.find(",3,cpu=3MB partial-abi10:0=n/a\n"), std::string::npos) << csv;
  const std::string html = BenchHtml(report);
  EXPECT_NE(html.find("<th>device memory peak MB</th>"), std::string::npos);
  EXPECT_NE(html.find("<td>3.00</td><td>1.00</td><td>buffers, intermediates</td>"),
            std::string::npos);
}

TEST(ReportTest, JsonReadsBackForCompare) {
  const BenchReport original = MakeReport();
  auto doc = ParseJson(BenchJson(original));
  ASSERT_TRUE(doc.ok());
  auto back = BenchReportFromJson(*doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->results.size(), 2u);
  EXPECT_EQ(back->results[1].simulated_ms, original.results[1].simulated_ms);
  EXPECT_EQ(back->results[1].device_total_ms, original.results[1].device_total_ms);
  EXPECT_EQ(back->results[1].primary_name(), "simulated device");
  EXPECT_EQ(back->results[0].wall_ms, original.results[0].wall_ms);
  EXPECT_EQ(back->results[0].ops.at(0).node, "mm_0");
  auto not_ours = ParseJson("{\"results\": []}");
  EXPECT_FALSE(BenchReportFromJson(*not_ours).ok());
  auto future = ParseJson("{\"schema_version\": \"9.0\", \"results\": []}");
  EXPECT_FALSE(BenchReportFromJson(*future).ok());
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  return cells;
}

TEST(ReportTest, CsvRowsMatchTheColumns) {
  const BenchReport report = MakeReport();
  for (const auto& [text, columns] :
       {std::make_pair(BenchCsv(report), std::string(kBenchCsvColumns)),
        std::make_pair(OpsCsv(report), std::string(kOpCsvColumns))}) {
    std::stringstream ss(text);
    std::string line;
    ASSERT_TRUE(std::getline(ss, line));
    EXPECT_EQ(line, columns);
    const size_t width = SplitCsvLine(columns).size();
    int rows = 0;
    while (std::getline(ss, line)) {
      EXPECT_EQ(SplitCsvLine(line).size(), width) << line;
      ++rows;
    }
    EXPECT_EQ(rows, 2);
  }
  EXPECT_NE(BenchCsv(report).find("npu-sim:rngd,npu-sim:rngd,single,0,,true"), std::string::npos);
}

// The md per-op table marks where each row's FLOPs and bytes came from, with a legend.
TEST(ReportTest, MarkdownOpRowsMarkWhereFlopsAndBytesCameFrom) {
  BenchReport report = MakeReport();
  OpRow borrowed = report.results[0].ops[0];
  borrowed.node = "add_1";
  borrowed.bytes_source = "other device";
  OpRow bare = borrowed;
  bare.node = "reshape_2";
  bare.flops = 0;
  bare.bytes = 0;
  bare.bytes_source = "";
  report.results[0].ops.push_back(borrowed);
  report.results[0].ops.push_back(bare);
  const std::string md = BenchMarkdown(report);
  EXPECT_NE(md.find("| MFLOP | MB | src |"), std::string::npos);
  EXPECT_NE(md.find("src: where MFLOP and MB come from: d = this device's records, o = another "
                    "device's record"),
            std::string::npos);
  EXPECT_NE(md.find("| 2.000 | 0.100 | d |"), std::string::npos);
  EXPECT_NE(md.find("| 2.000 | 0.100 | o |"), std::string::npos);
  EXPECT_NE(md.find("| 0.000 | 0.000 | – |"), std::string::npos);
}

TEST(ReportTest, MarkdownLabelsSimulatedResults) {
  const std::string md = BenchMarkdown(MakeReport());
  EXPECT_NE(md.find("npu-sim:rngd **(simulated)**"), std::string::npos);
  EXPECT_NE(md.find("| p50 | p90 | p99 |"), std::string::npos);
  EXPECT_NE(md.find("simulated device"), std::string::npos);
  EXPECT_NE(md.find("abc123"), std::string::npos);
}

TEST(ReportTest, HtmlIsSelfContained) {
  BenchReport report = MakeReport();
  report.results[0].label = "</script><b>";
  const std::string html = BenchHtml(report);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find("id=\"roofline\""), std::string::npos);
}

TEST(ReportTest, CompareMatchesRowsAndMarksSignificance) {
  BenchReport a = MakeReport();
  BenchReport b = MakeReport();
  for (double& v : b.results[0].wall_ms) v /= 2;  // cpu twice as fast in B
  b.results.pop_back();                           // npu-sim only in A
  const Comparison c = CompareReports(a, b);
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].key, "cpu · single");
  EXPECT_NEAR(c.rows[0].ratio.estimate,
              Percentile(b.results[0].wall_ms, 50) / Percentile(a.results[0].wall_ms, 50), 1e-12);
  EXPECT_TRUE(c.rows[0].significant);
  ASSERT_EQ(c.only_in_a.size(), 1u);
  const Comparison same = CompareReports(a, a);
  for (const ComparisonRow& row : same.rows) EXPECT_FALSE(row.significant);
  EXPECT_NE(ComparisonMarkdown(c, "a.json", "b.json").find("| * |"), std::string::npos);
}

}  // namespace
}  // namespace hetero::profiler
