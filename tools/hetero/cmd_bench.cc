// `hetero bench MODEL --devices LIST ...`: measures every configuration of the sweep on the
// same inputs in one process and writes md, json or csv (plus an html report and a trace).
// `hetero bench compare A.json B.json` is dispatched from here.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "profiler/report.h"
#include "profiler/trace_writer.h"
#include "tools/hetero/cmd_bench_runner.h"
#include "tools/hetero/cmd_bench_support.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/device_flags.h"
#include "tools/hetero/flags.h"
#include "tools/hetero/run_support.h"
#include "tools/hetero/session_flags.h"

namespace hetero::cli {

namespace {

std::set<std::string> BenchValuedFlags() {
  std::set<std::string> valued = {
      "--devices", "--device",      "--shape",    "--warmup",     "--warmup-max",   "--iters",
      "--time",    "--max-iters",   "--scenario", "--format",     "--out",          "--report",
      "--trace",   "--percentiles", "--threads",  "--target-qps", "--p99-bound-ms", "--baseline",
      "--input",   "--plugin",      "--seed",     "--quantize"};
  for (const std::string& name : DeviceOptionFlagNames()) valued.insert(name);
  return valued;
}

StatusOr<double> NumberFlag(const Flags& flags, const std::string& name, double fallback, double lo,
                            double hi) {
  if (!flags.Has(name)) return fallback;
  const std::string text = flags.Get(name);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= lo && v <= hi)) {
    return FailedPrecondition(name + " expects a number in [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "], got '" + text + "'");
  }
  return v;
}

StatusOr<std::vector<double>> NumberList(const std::string& name, const std::string& text,
                                         double lo, double hi) {
  std::vector<double> values;
  for (const std::string& part : SplitList(text)) {
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (*end != '\0' || !(v >= lo && v <= hi)) {
      return FailedPrecondition(name + ": '" + part + "' is not a number in range");
    }
    values.push_back(v);
  }
  if (values.empty()) return FailedPrecondition(name + " lists nothing");
  return values;
}

// Warm-up, iteration, time, scenario and output settings from the flags.
StatusOr<BenchSettings> SettingsFromFlags(const Flags& flags, const std::string& model) {
  BenchSettings s;
  s.model = model;
  s.input_flags = flags.GetAll("--input");
  s.plugin_paths = flags.GetAll("--plugin");
  const std::string warmup = flags.Get("--warmup", "3");
  s.warmup_stable = warmup == "stable";
  HETERO_ASSIGN_OR_RETURN(double warmup_runs, s.warmup_stable
                                                  ? StatusOr<double>(0.0)
                                                  : NumberFlag(flags, "--warmup", 3, 0, 1e6));
  HETERO_ASSIGN_OR_RETURN(double warmup_max, NumberFlag(flags, "--warmup-max", 50, 1, 1e6));
  const double default_iters = flags.Has("--time") ? 1 : 20;
  HETERO_ASSIGN_OR_RETURN(double iters, NumberFlag(flags, "--iters", default_iters, 1, 1e7));
  HETERO_ASSIGN_OR_RETURN(s.time_s, NumberFlag(flags, "--time", 0, 0, 86400));
  HETERO_ASSIGN_OR_RETURN(double max_iters, NumberFlag(flags, "--max-iters", 100000, 1, 1e8));
  s.warmup = static_cast<int>(warmup_runs);
  s.warmup_max = static_cast<int>(warmup_max);
  s.iters = static_cast<int>(iters);
  s.max_iters = std::max(static_cast<int>(max_iters), s.iters);
  HETERO_ASSIGN_OR_RETURN(s.target_qps, NumberFlag(flags, "--target-qps", 10, 1e-3, 1e6));
  HETERO_ASSIGN_OR_RETURN(s.p99_bound_ms, NumberFlag(flags, "--p99-bound-ms", 0, 0, 1e9));
  HETERO_ASSIGN_OR_RETURN(double seed, NumberFlag(flags, "--seed", 1, 0, 1e15));
  s.seed = static_cast<uint64_t>(seed);
  s.profiling = !flags.Has("--no-profile");
  s.keep_trace = flags.Has("--trace");
  s.progress = isatty(STDERR_FILENO) && !flags.Has("--no-progress");
  return s;
}

// The sweep: every device item × threads × shape. "a+b" is one session over devices a, b.
StatusOr<std::vector<BenchConfig>> ConfigsFromFlags(const Flags& flags) {
  std::string device_list = flags.Get("--devices", flags.Get("--device", "cpu"));
  std::vector<std::string> items = SplitList(device_list);
  if (items.empty()) return FailedPrecondition("--devices lists no device");
  HETERO_ASSIGN_OR_RETURN(auto threads,
                          NumberList("--threads", flags.Get("--threads", "0"), 0, 4096));
  std::vector<std::string> shapes = {""};
  if (flags.Has("--shape")) {
    const std::string arg = flags.Get("--shape");
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      return FailedPrecondition("--shape expects NAME=BxS[,BxS...], got '" + arg + "'");
    }
    shapes = SplitList(arg.substr(eq + 1));
  }
  std::vector<BenchConfig> configs;
  for (const std::string& item : items) {
    for (double t : threads) {
      for (const std::string& shape : shapes) {
        BenchConfig c;
        std::string rest = item;
        for (size_t plus; (plus = rest.find('+')) != std::string::npos;
             rest = rest.substr(plus + 1)) {
          c.devices.push_back(rest.substr(0, plus));
        }
        c.devices.push_back(rest);
        c.threads = static_cast<int>(t);
        c.shape = shape;
        c.label = item;
        if (threads.size() > 1) c.label += " threads=" + std::to_string(c.threads);
        if (shapes.size() > 1) c.label += " shape=" + shape;
        configs.push_back(std::move(c));
      }
    }
  }
  return configs;
}

std::vector<std::string> AllDevices(const std::vector<BenchConfig>& configs) {
  std::vector<std::string> devices;
  for (const BenchConfig& c : configs) {
    for (const std::string& d : c.devices) {
      if (std::find(devices.begin(), devices.end(), d) == devices.end()) devices.push_back(d);
    }
  }
  return devices;
}

// The trace, the html report and the report in `format` (stdout unless --out).
Status WriteBenchOutputs(const Flags& flags, const std::string& format,
                         const profiler::BenchReport& report,
                         const std::vector<profiler::Event>& trace) {
  if (flags.Has("--trace")) {
    HETERO_RETURN_IF_ERROR(profiler::WriteChromeTrace(flags.Get("--trace"), trace));
  }
  if (flags.Has("--report")) {
    HETERO_RETURN_IF_ERROR(
        profiler::WriteTextFile(flags.Get("--report"), profiler::BenchHtml(report)));
  }
  const std::string text = format == "json"      ? profiler::BenchJson(report)
                           : format == "csv"     ? profiler::BenchCsv(report)
                           : format == "ops-csv" ? profiler::OpsCsv(report)
                                                 : profiler::BenchMarkdown(report);
  if (flags.Has("--out")) return profiler::WriteTextFile(flags.Get("--out"), text);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return OkStatus();
}

}  // namespace

int BenchCommand(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "compare") {
    return BenchCompareCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::string error;
  auto flags = Flags::Parse(args, BenchValuedFlags(), {"--no-progress", "--no-profile"}, &error);
  if (!flags) return Fail(kExitUsage, "bench: " + error);
  if (flags->positional().size() != 1) {
    return Fail(kExitUsage, "bench: expected one MODEL (a .onnx path or builtin:NAME)");
  }
  const std::string format = flags->Get("--format", "md");
  if (format != "md" && format != "json" && format != "csv" && format != "ops-csv") {
    return Fail(kExitUsage, "bench: --format is md, json, csv or ops-csv, not '" + format + "'");
  }
  auto settings = SettingsFromFlags(*flags, flags->positional()[0]);
  if (!settings.ok()) return Fail(kExitUsage, "bench: " + settings.status().message());
  profiler::BenchReport report;
  report.model = settings->model;
  auto percentiles = NumberList("--percentiles", flags->Get("--percentiles", "50,90,99"), 0, 100);
  if (!percentiles.ok()) return Fail(kExitUsage, "bench: " + percentiles.status().message());
  report.percentiles = *percentiles;
  report.environment = CollectEnvironment(args);
  std::vector<profiler::Event> trace;
  auto configs = ConfigsFromFlags(*flags);
  if (!configs.ok()) return Fail(kExitUsage, "bench: " + configs.status().message());
  auto scenarios = SplitList(flags->Get("--scenario", "single"));
  for (const std::string& scenario : scenarios) {
    if (scenario != "single" && scenario != "offline" && scenario != "server") {
      return Fail(kExitUsage,
                  "bench: --scenario is single, offline or server, not '" + scenario + "'");
    }
  }
  auto compile_options = CompileOptionsFromFlags(*flags, AllDevices(*configs));
  if (!compile_options.ok())
    return Fail(kExitUsage, "bench: " + compile_options.status().message());
  settings->compile_options = *compile_options;
  auto quantize = QuantizeFromFlags(*flags);
  if (!quantize.ok()) return Fail(kExitUsage, "bench: " + quantize.status().message());
  settings->quantize = *quantize;
  auto calibration = CalibrationInputsFromFlags(*flags, flags->positional()[0]);
  if (!calibration.ok()) {
    return Fail(ExitStatusFor(calibration.status()), "bench: " + calibration.status().message());
  }
  settings->calibration_inputs = std::move(*calibration);
  if (Status s = RunBenchScenarios(*configs, scenarios, *settings, &report, &trace); !s.ok()) {
    return Fail(ExitStatusFor(s), "bench: " + s.message());
  }
  const auto baseline =
      SplitList(flags->Get("--baseline", flags->Get("--devices", flags->Get("--device", "cpu"))));
  if (!baseline.empty()) AddSpeedups(baseline[0], &report);
  AddSampleWarnings(&report);
  if (settings->keep_trace && trace.size() >= settings->max_trace_events) {
    report.warnings.push_back("the trace holds the first " + std::to_string(trace.size()) +
                              " events only (a cap that keeps it loadable)");
  }
  if (Status s = WriteBenchOutputs(*flags, format, report, trace); !s.ok()) {
    return Fail(kExitError, "bench: " + s.message());
  }
  return kExitOk;
}

}  // namespace hetero::cli
