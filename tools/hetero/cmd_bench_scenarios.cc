// Runs the scenarios of a bench over its configurations, then adds speedups against the
// baseline and warnings about thin samples.
#include <algorithm>
#include <cstdio>
#include <tuple>

#include "profiler/report.h"
#include "profiler/stats.h"
#include "tools/hetero/cmd_bench_runner.h"

namespace hetero::cli {

namespace {

void AddDevices(const PreparedRun& run, profiler::BenchReport* report) {
  auto& devices = report->environment.devices;
  for (const profiler::DeviceInfo& d : run.devices) {
    const bool known = std::any_of(devices.begin(), devices.end(),
                                   [&](const profiler::DeviceInfo& x) { return x.name == d.name; });
    if (!known) devices.push_back(d);
  }
}

void Note(const BenchSettings& settings, const std::string& what) {
  if (settings.progress) std::fprintf(stderr, "%s\n", what.c_str());
}

Status RunLoaded(const std::vector<BenchConfig>& configs, const std::string& scenario,
                 const BenchSettings& settings, profiler::BenchReport* report,
                 std::vector<profiler::Event>* trace) {
  for (const BenchConfig& config : configs) {
    Note(settings, "bench: " + scenario + " " + config.label);
    HETERO_ASSIGN_OR_RETURN(PreparedRun run, PrepareRun(config, settings));
    if (scenario == "offline") {
      HETERO_RETURN_IF_ERROR(RunOffline(run, settings, trace));
    } else {
      HETERO_RETURN_IF_ERROR(RunServer(run, settings, trace));
    }
    FinishResult(run);
    AddDevices(run, report);
    report->results.push_back(std::move(run.result));
  }
  return OkStatus();
}

std::string ItemOf(const profiler::BenchResult& r) {
  std::string item = r.devices;
  std::replace(item.begin(), item.end(), ',', '+');
  return item;
}

const std::vector<double>& DeviceSamples(const profiler::BenchResult& r) {
  return r.device_total_ms;
}

}  // namespace

Status RunBenchScenarios(const std::vector<BenchConfig>& configs,
                         const std::vector<std::string>& scenarios, const BenchSettings& settings,
                         profiler::BenchReport* report, std::vector<profiler::Event>* trace) {
  for (const std::string& scenario : scenarios) {
    if (scenario != "single") {
      HETERO_RETURN_IF_ERROR(RunLoaded(configs, scenario, settings, report, trace));
      continue;
    }
    std::vector<PreparedRun> runs;
    for (const BenchConfig& config : configs) {
      Note(settings, "bench: preparing " + config.label);
      HETERO_ASSIGN_OR_RETURN(PreparedRun run, PrepareRun(config, settings));
      runs.push_back(std::move(run));
    }
    std::vector<std::string> warnings;
    HETERO_RETURN_IF_ERROR(RunSingleStream(runs, settings, trace, &warnings));
    for (const std::string& w : warnings) report->warnings.push_back(w);
    ShareNodeCosts(runs);
    for (PreparedRun& run : runs) {
      FinishResult(run);
      AddDevices(run, report);
      report->results.push_back(std::move(run.result));
    }
  }
  for (const profiler::BenchResult& r : report->results) {
    if (r.simulated) {
      report->warnings.push_back(r.label + " uses a simulated device: its device times are a " +
                                 "model's predictions, not measurements");
    }
  }
  return OkStatus();
}

void AddSpeedups(const std::string& baseline_item, profiler::BenchReport* report) {
  report->baseline = baseline_item;
  for (profiler::BenchResult& r : report->results) {
    const auto base = std::find_if(
        report->results.begin(), report->results.end(), [&](const profiler::BenchResult& b) {
          return ItemOf(b) == baseline_item && b.scenario == r.scenario && b.threads == r.threads &&
                 b.shape == r.shape;
        });
    if (base == report->results.end()) continue;
    const bool by_device =
        r.scenario == "single" && !DeviceSamples(r).empty() && !DeviceSamples(*base).empty();
    const auto& mine = by_device ? DeviceSamples(r) : r.wall_ms;
    const auto& theirs = by_device ? DeviceSamples(*base) : base->wall_ms;
    r.speedup = profiler::BootstrapMedianRatio(theirs, mine);
    r.speedup_metric =
        by_device ? (r.all_simulated || base->all_simulated ? "device time (simulated where marked)"
                                                            : "device time")
                  : "wall time";
  }
}

void AddSampleWarnings(profiler::BenchReport* report) {
  for (const profiler::BenchResult& r : report->results) {
    for (double p : report->percentiles) {
      const size_t need = profiler::MinSamplesForPercentile(p);
      if (r.primary_ms().size() < need) {
        report->warnings.push_back(r.label + ": " + std::to_string(r.primary_ms().size()) +
                                   " samples are too few for " + profiler::PercentileName(p) +
                                   " (needs " + std::to_string(need) +
                                   "): it is interpolated between the largest samples");
      }
    }
    // No silent fallback: say when the device a result is named after ran nothing.
    const std::string first = r.devices.substr(0, r.devices.find(','));
    const bool ran = std::any_of(r.ops.begin(), r.ops.end(), [&](const profiler::OpRow& o) {
      return o.device == first && o.status == "run";
    });
    if (!r.ops.empty() && !ran) {
      report->warnings.push_back(r.label + ": " + first +
                                 " ran no node; every node fell back to the next device");
    }
    if (r.failed > 0) {
      report->warnings.push_back(r.label + ": " + std::to_string(r.failed) + " queries failed");
    }
  }
}

}  // namespace hetero::cli
