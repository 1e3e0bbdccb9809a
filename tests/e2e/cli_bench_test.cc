// `hetero bench`, `bench compare` and `run --trace` through the CLI: machine-readable
// output that parses and is never mixed with progress text, simulated devices labelled,
// the per-op rows placement reads, traces with strictly nested slices.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "profiler/json.h"
#include "profiler/report.h"
#include "profiler/roofline.h"
#include "tests/e2e/bad_models.h"
#include "tests/e2e/cli_runner.h"

namespace hetero::testing {
namespace {

using profiler::JsonValue;

class CliBenchTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("cli-bench"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  CliResult Bench(std::vector<std::string> extra) {
    std::vector<std::string> args = {"bench", "builtin:gpt2-tiny", "--warmup", "1",
                                     "--no-progress"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(HETERO_CLI, args);
  }

  JsonValue ReadJson(const std::string& path) {
    auto doc = profiler::ReadJsonFile(path);
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return doc.ok() ? *doc : JsonValue();
  }

  std::string dir_;
};

struct Slice {
  double ts, end;
};

// Every thread's slices nest strictly; every pid and tid used is named. Returns the
// process names.
std::map<int, std::string> CheckTrace(const JsonValue& doc) {
  std::map<int, std::string> processes;
  std::map<std::pair<int, int>, bool> named_threads;
  std::map<std::pair<int, int>, std::vector<Slice>> slices;
  const JsonValue* events = doc.Find("traceEvents");
  EXPECT_TRUE(events != nullptr && events->is_array());
  if (events == nullptr) return processes;
  for (const JsonValue& e : events->items()) {
    const std::string ph = e.StringOr("ph", "");
    const int pid = static_cast<int>(e.NumberOr("pid", -1));
    const int tid = static_cast<int>(e.NumberOr("tid", -1));
    if (ph == "M" && e.StringOr("name", "") == "process_name") {
      processes[pid] = e.Find("args")->StringOr("name", "");
    } else if (ph == "M" && e.StringOr("name", "") == "thread_name") {
      named_threads[{pid, tid}] = true;
    } else if (ph == "X") {
      const double ts = e.NumberOr("ts", -1);
      EXPECT_GE(ts, 0);
      slices[{pid, tid}].push_back({ts, ts + e.NumberOr("dur", -1)});
    }
  }
  for (auto& [key, list] : slices) {
    EXPECT_TRUE(processes.count(key.first) && named_threads.count(key));
    std::sort(list.begin(), list.end(), [](const Slice& a, const Slice& b) {
      return a.ts < b.ts || (a.ts == b.ts && a.end > b.end);
    });
    std::vector<double> open;  // ends of the enclosing slices
    for (const Slice& s : list) {
      // Times are µs with ns resolution: compare with a tolerance below 1 ns.
      while (!open.empty() && open.back() <= s.ts + 1e-4) open.pop_back();
      if (!open.empty()) {
        EXPECT_LE(s.end, open.back() + 1e-4) << "overlapping slices on a thread";
      }
      open.push_back(s.end);
    }
  }
  return processes;
}

TEST_F(CliBenchTest, JsonTraceAndReportForTwoDevices) {
  CliResult r =
      Bench({"--devices", "cpu,npu-sim:rngd+cpu", "--iters", "5", "--format", "json", "--out",
             Path("b.json"), "--trace", Path("t.json"), "--report", Path("r.html")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, "");  // the document went to --out; nothing else on stdout
  const JsonValue doc = ReadJson(Path("b.json"));
  EXPECT_EQ(doc.StringOr("schema_version", ""), profiler::kBenchSchemaVersion);
  const JsonValue* results = doc.Find("results");
  ASSERT_TRUE(results != nullptr && results->items().size() == 2);
  const JsonValue& cpu = results->items()[0];
  const JsonValue& npu = results->items()[1];
  EXPECT_EQ(cpu.StringOr("label", ""), "cpu");
  EXPECT_FALSE(cpu.Find("simulated")->as_bool());
  EXPECT_TRUE(npu.Find("simulated")->as_bool());
  EXPECT_EQ(npu.StringOr("label", ""), "npu-sim:rngd+cpu");
  EXPECT_EQ(npu.StringOr("latency_metric", ""), "device (simulated + measured)");
  EXPECT_EQ(cpu.Find("samples")->Find("wall_ms")->items().size(), 5u);
  EXPECT_EQ(npu.Find("samples")->Find("simulated_ms")->items().size(), 5u);
  EXPECT_NEAR(cpu.Find("speedup")->NumberOr("estimate", 0), 1.0, 1e-9);  // the baseline
  EXPECT_GT(npu.Find("speedup")->NumberOr("estimate", 0), 0);
  for (const JsonValue* result : {&cpu, &npu}) {
    const JsonValue* ops = result->Find("ops");
    ASSERT_TRUE(ops != nullptr && !ops->items().empty());
    size_t ran = 0;
    for (const JsonValue& op : ops->items()) {
      EXPECT_FALSE(op.StringOr("node", "").empty());
      EXPECT_FALSE(op.StringOr("op", "").empty());
      EXPECT_FALSE(op.StringOr("device", "").empty());
      EXPECT_NE(op.Find("time_ms"), nullptr);
      if (op.StringOr("status", "") == "run") ++ran;
    }
    EXPECT_GT(ran, 0u);
  }
  // Device memory peaks (plugin ABI 1.1): every device of each result, labelled.
  const auto& cpu_memory = cpu.Find("device_memory")->items();
  ASSERT_EQ(cpu_memory.size(), 1u);
  EXPECT_EQ(cpu_memory[0].StringOr("device", ""), "cpu");
  EXPECT_TRUE(cpu_memory[0].Find("available")->as_bool());
  EXPECT_GT(cpu_memory[0].NumberOr("peak_bytes", 0), 0);
  bool npu_memory = false;
  for (const JsonValue& m : npu.Find("device_memory")->items()) {
    if (m.StringOr("device", "") != "npu-sim:rngd") continue;
    npu_memory = true;
    EXPECT_TRUE(m.Find("available")->as_bool());
    const auto& covers = m.Find("covers")->items();
    EXPECT_TRUE(std::any_of(covers.begin(), covers.end(),
                            [](const JsonValue& c) { return c.as_string() == "simulated"; }));
  }
  EXPECT_TRUE(npu_memory);
  // npu-sim's records carry their own FLOPs and bytes (in the chip's formats).
  size_t npu_matmuls = 0;
  for (const JsonValue& op : npu.Find("ops")->items()) {
    const std::string type = op.StringOr("op", "");
    if (op.StringOr("device", "") != "npu-sim:rngd" || op.StringOr("status", "") != "run" ||
        (type != "MatMul" && type != "FusedMatMul"))
      continue;
    ++npu_matmuls;
    EXPECT_EQ(op.StringOr("bytes_source", ""), "device") << op.StringOr("node", "");
    EXPECT_GT(op.NumberOr("flops", 0), 0);
    EXPECT_GT(op.NumberOr("bytes", 0), 0);
    EXPECT_EQ(op.Find("samples_ms")->items().size(), 5u);
  }
  EXPECT_GT(npu_matmuls, 0u);
  const auto processes = CheckTrace(ReadJson(Path("t.json")));
  bool cpu_seen = false, npu_seen = false;
  for (const auto& [pid, name] : processes) {
    cpu_seen = cpu_seen || name == "cpu";
    npu_seen = npu_seen || name == "npu-sim:rngd (simulated)";
  }
  EXPECT_TRUE(cpu_seen && npu_seen);
  EXPECT_TRUE(std::filesystem::file_size(Path("r.html")) > 1000);
}

// With --threads 1 the cpu can reach one core's share of its compute peak: attainment
// is taken against that roof (the environment still lists the device's whole peak).
TEST_F(CliBenchTest, CpuAttainmentIsAgainstTheCoresTheRunHad) {
  CliResult r = Bench({"--devices", "cpu", "--threads", "1", "--iters", "2", "--format", "json",
                       "--out", Path("one.json")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  const JsonValue doc = ReadJson(Path("one.json"));
  profiler::Roof roof;
  for (const JsonValue& d : doc.Find("environment")->Find("devices")->items()) {
    if (d.StringOr("name", "") != "cpu") continue;
    roof.peak_flops = d.Find("peak_flops")->NumberOr("f32", 0);
    roof.bandwidth = d.NumberOr("memory_bandwidth", 0);
  }
  ASSERT_GT(roof.peak_flops, 0);
  roof.peak_flops /= static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  size_t checked = 0;
  for (const JsonValue& op : doc.Find("results")->items()[0].Find("ops")->items()) {
    const double flops = op.NumberOr("flops", 0), bytes = op.NumberOr("bytes", 0);
    if (flops <= 0 || op.NumberOr("attainment", 0) <= 0) continue;
    const double want = profiler::Attainment(roof, flops, bytes, op.NumberOr("time_ms", 0) / 1e3);
    EXPECT_NEAR(op.NumberOr("attainment", 0), want, 1e-9 * want) << op.StringOr("node", "");
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

TEST_F(CliBenchTest, CsvOnStdoutIsOnlyCsv) {
  CliResult r = Bench({"--devices", "cpu", "--iters", "3", "--format", "csv"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  std::stringstream ss(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(ss, line));
  EXPECT_EQ(line, profiler::kBenchCsvColumns);
  const auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
  int rows = 0;
  while (std::getline(ss, line)) {
    EXPECT_EQ(commas(line), commas(profiler::kBenchCsvColumns)) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 1);
}

TEST_F(CliBenchTest, MarkdownSweepsThreadsAndLabelsSimulated) {
  CliResult r = Bench({"--devices", "cpu,npu-sim:atom+cpu", "--threads", "1,2", "--iters", "2"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  for (const char* piece : {"| cpu threads=1 ", "| cpu threads=2 ",
                            "npu-sim:atom+cpu threads=1 **(simulated)**", "## Environment"}) {
    EXPECT_NE(r.out.find(piece), std::string::npos) << piece << "\n" << r.out;
  }
}

TEST_F(CliBenchTest, ServerAndOfflineScenarios) {
  CliResult r = Bench({"--scenario", "server,offline", "--target-qps", "200", "--iters", "8",
                       "--p99-bound-ms", "60000", "--format", "json", "--out", Path("s.json")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  const JsonValue doc = ReadJson(Path("s.json"));
  const auto& results = doc.Find("results")->items();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].StringOr("scenario", ""), "server");
  EXPECT_TRUE(results[0].Find("server")->Find("bound_held")->as_bool());
  EXPECT_EQ(results[0].NumberOr("completed", 0), 8);
  EXPECT_EQ(results[1].StringOr("scenario", ""), "offline");
  EXPECT_GT(results[1].NumberOr("throughput_per_s", 0), 0);
  // Per-op tables in both: each query's ops found through its request.
  for (const JsonValue& result : results) {
    size_t ran = 0;
    for (const JsonValue& op : result.Find("ops")->items()) {
      if (op.StringOr("status", "") != "run") continue;
      ++ran;
      EXPECT_GT(op.NumberOr("time_ms", 0), 0);
      EXPECT_EQ(op.Find("samples_ms")->items().size(), 8u) << op.StringOr("node", "");
    }
    EXPECT_GT(ran, 0u) << result.StringOr("scenario", "");
  }
}

TEST_F(CliBenchTest, CompareTwoRuns) {
  for (const char* name : {"a.json", "b.json"}) {
    ASSERT_EQ(Bench({"--iters", "9", "--format", "json", "--out", Path(name)}).exit_status, 0);
  }
  CliResult r = RunCli(HETERO_CLI, {"bench", "compare", Path("a.json"), Path("b.json")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("| cpu · single | wall |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("### Per op"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The 10 most changed of "), std::string::npos) << r.out;
  CliResult top =
      RunCli(HETERO_CLI, {"bench", "compare", Path("a.json"), Path("b.json"), "--top-ops", "3"});
  ASSERT_EQ(top.exit_status, 0) << top.err;
  EXPECT_NE(top.out.find("The 3 most changed of "), std::string::npos) << top.out;
  CliResult all =
      RunCli(HETERO_CLI, {"bench", "compare", Path("a.json"), Path("b.json"), "--all-ops"});
  ASSERT_EQ(all.exit_status, 0) << all.err;
  EXPECT_EQ(all.out.find("most changed"), std::string::npos);
  EXPECT_GT(all.out.size(), top.out.size());
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--top-ops", "0"},
                                              {"--top-ops", "x"},
                                              {"--top-ops", "2", "--all-ops"}}) {
    std::vector<std::string> args = {"bench", "compare", Path("a.json"), Path("b.json")};
    args.insert(args.end(), bad.begin(), bad.end());
    CliResult usage = RunCli(HETERO_CLI, args);
    EXPECT_EQ(usage.exit_status, 2) << bad[0];
    EXPECT_NE(usage.err.find("--top-ops"), std::string::npos) << usage.err;
  }
  EXPECT_EQ(RunCli(HETERO_CLI, {"bench", "compare", Path("a.json")}).exit_status, 2);
  CliResult missing = RunCli(HETERO_CLI, {"bench", "compare", Path("a.json"), Path("no.json")});
  EXPECT_EQ(missing.exit_status, 1);
  EXPECT_NE(missing.err.find("no.json"), std::string::npos);
}

TEST_F(CliBenchTest, RunWritesATrace) {
  CliResult r = RunCli(HETERO_CLI, {"run", "builtin:gpt2-tiny", "--threads", "1", "--explain",
                                    "--trace", Path("run.json")});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  const auto processes = CheckTrace(ReadJson(Path("run.json")));
  bool cpu_seen = false;
  for (const auto& [pid, name] : processes) cpu_seen = cpu_seen || name == "cpu";
  EXPECT_TRUE(cpu_seen);
}

TEST_F(CliBenchTest, CalibrationIsStoredAndReusedByBench) {
  setenv("HETERO_CACHE_DIR", Path("cache").c_str(), 1);
  CliResult cal = RunCli(HETERO_CLI, {"calibrate", "cpu", "--size", "64", "--elements", "65536",
                                      "--dtypes", "f32", "--repeats", "2"});
  ASSERT_EQ(cal.exit_status, 0) << cal.err;
  const JsonValue stored = ReadJson(Path("cache/calibration/cpu.json"));
  const double flops = stored.Find("flops")->NumberOr("f32", 0);
  EXPECT_GT(flops, 0);
  EXPECT_GT(stored.NumberOr("bandwidth", 0), 0);
  ASSERT_EQ(Bench({"--iters", "2", "--format", "json", "--out", Path("c.json")}).exit_status, 0);
  const JsonValue doc = ReadJson(Path("c.json"));
  const JsonValue& device = doc.Find("environment")->Find("devices")->items().at(0);
  EXPECT_EQ(device.Find("measured_flops")->NumberOr("f32", 0), flops);
  unsetenv("HETERO_CACHE_DIR");
  EXPECT_EQ(RunCli(HETERO_CLI, {"calibrate"}).exit_status, 2);
}

TEST_F(CliBenchTest, UsageAndDeviceErrors) {
  EXPECT_EQ(RunCli(HETERO_CLI, {"bench"}).exit_status, 2);
  EXPECT_EQ(Bench({"--format", "xml"}).exit_status, 2);
  EXPECT_EQ(Bench({"--iters", "zero"}).exit_status, 2);
  EXPECT_EQ(Bench({"--scenario", "burst"}).exit_status, 2);
  CliResult r = Bench({"--devices", "tpu:9"});
  EXPECT_EQ(r.exit_status, 1);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("tpu:9"), std::string::npos);
}

}  // namespace
}  // namespace hetero::testing
