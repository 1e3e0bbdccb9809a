// `hetero run`: create a Session for a model on a device list, bind inputs, run once,
// write and summarize the outputs; optionally explain the placement and write a trace.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "hetero/session.h"
#include "profiler/trace_writer.h"
#include "runtime/io/npy.h"
#include "tools/hetero/cmd_bench_support.h"
#include "tools/hetero/device_flags.h"
#include "tools/hetero/flags.h"
#include "tools/hetero/placement_flags.h"
#include "tools/hetero/run_support.h"
#include "tools/hetero/session_flags.h"

namespace hetero::cli {
namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void PrintSummary(const std::string& name, const Tensor& t) {
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t non_finite = 0;
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    const double v = t.GetDouble(i);
    if (!std::isfinite(v)) {
      ++non_finite;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  const int64_t n = t.num_elements() - non_finite;
  std::printf("  %-24s %-22s min %-11.5g max %-11.5g mean %-11.5g", name.c_str(),
              t.type().ToString().c_str(), n ? lo : 0.0, n ? hi : 0.0, n ? sum / n : 0.0);
  if (non_finite) std::printf(" non-finite %lld", static_cast<long long>(non_finite));
  std::printf("\n    first:");
  for (int64_t i = 0; i < std::min<int64_t>(t.num_elements(), 6); ++i) {
    std::printf(" %.6g", t.GetDouble(i));
  }
  std::printf("\n");
}

std::set<std::string> RunValuedFlags() {
  std::set<std::string> valued = {"--device",  "--input",          "--shape", "--output-dir",
                                  "--seed",    "--plugin",         "--pin",   "--min-segment",
                                  "--threads", "--profile-guided", "--trace", "--quantize"};
  for (const std::string& name : DeviceOptionFlagNames()) valued.insert(name);
  return valued;
}

Status WriteOutputs(const Session& session, const NamedTensors& outputs, const std::string& dir) {
  for (const std::string& name : session.output_names()) {
    auto it = outputs.find(name);
    if (it == outputs.end()) return Internal("output '" + name + "' is missing");
    PrintSummary("out " + name, it->second);
    if (dir.empty()) continue;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    HETERO_RETURN_IF_ERROR(WriteNpy(dir + "/" + SafeFileName(name) + ".npy", it->second));
  }
  return OkStatus();
}

}  // namespace

int RunModelCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags =
      Flags::Parse(args, RunValuedFlags(), {"--no-optimize", "--no-fallback", "--explain"}, &error);
  if (!flags) return Fail(kExitUsage, "run: " + error);
  if (flags->positional().size() != 1) {
    return Fail(kExitUsage, "run: expected one MODEL (a .onnx path or builtin:NAME)");
  }
  auto options = SessionOptionsFromFlags(*flags);
  if (!options.ok())
    return Fail(ExitStatusFor(options.status()), "run: " + options.status().message());
  const std::string spec = flags->positional()[0];
  auto session = Session::Create(spec, *options);
  if (!session.ok()) return Fail(kExitError, session.status().message());
  std::string shape;
  for (const std::string& arg : flags->GetAll("--shape")) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      return Fail(kExitUsage, "--shape expects NAME=VALUE, got '" + arg + "'");
    }
    shape = arg.substr(eq + 1);
  }
  auto inputs = BindSessionInputs(spec, flags->GetAll("--input"), shape);
  if (!inputs.ok()) return Fail(ExitStatusFor(inputs.status()), inputs.status().message());

  const Session& s = **session;
  const auto run_start = std::chrono::steady_clock::now();
  auto outputs = s.Run(*inputs);
  if (!outputs.ok()) return Fail(kExitError, outputs.status().message());
  const double run_ms = MillisSince(run_start);

  if (flags->Has("--explain")) std::printf("%s\n", s.ExplainPlacement().c_str());
  const SessionTimings& t = s.timings();
  std::printf("model %s: %zu nodes (%zu imported), %zu inputs, %zu outputs on %s\n", spec.c_str(),
              t.compiled_nodes, t.imported_nodes, s.input_names().size(), s.output_names().size(),
              DescribeSessionPlacement(s, DeviceRenames(s, options->devices)).c_str());
  for (const auto& [name, tensor] : *inputs) PrintSummary("in  " + name, tensor);
  if (Status st = WriteOutputs(s, *outputs, flags->Get("--output-dir")); !st.ok()) {
    return Fail(kExitError, st.message());
  }
  std::printf("time: load %.1f ms, compile %.1f ms, run %.1f ms\n", t.load_ms,
              t.optimize_ms + t.compile_ms, run_ms);
  if (flags->Has("--trace")) {
    const std::string path = flags->Get("--trace");
    std::vector<profiler::Event> events = s.TakeProfile();
    RenameTracks(DeviceRenames(s, options->devices), &events);
    if (Status st = profiler::WriteChromeTrace(path, events); !st.ok()) {
      return Fail(kExitError, "run --trace: " + st.message());
    }
    std::printf("trace: %s\n", path.c_str());
  }
  return kExitOk;
}

}  // namespace hetero::cli
