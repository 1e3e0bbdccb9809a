// Input binding over a Session, the environment block and stored calibrations.
#include "tools/hetero/cmd_bench_support.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/builtin/builtin.h"
#include "profiler/json.h"
#include "runtime/io/npy.h"
#include "runtime/session/compiled_model.h"
#include "tools/hetero/run_support.h"

#ifndef HETERO_VERSION
#define HETERO_VERSION "unknown"
#endif
#ifndef HETERO_GIT_COMMIT
#define HETERO_GIT_COMMIT "unknown"
#endif

namespace hetero::cli {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

StatusOr<NamedTensors> BindSessionInputs(const std::string& model_spec,
                                         const std::vector<std::string>& input_flags,
                                         const std::string& shape) {
  NamedTensors inputs;
  for (const std::string& arg : input_flags) {
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size()) {
      return FailedPrecondition("--input expects NAME=VALUE, got '" + arg + "'");
    }
    HETERO_ASSIGN_OR_RETURN(Tensor t, ReadNpy(arg.substr(eq + 1)));
    inputs[arg.substr(0, eq)] = std::move(t);
  }
  const std::string prefix = "builtin:";
  std::string source = model_spec;
  if (IsCompiledModelFile(model_spec)) {  // compiled from a built-in: its sample inputs
    HETERO_ASSIGN_OR_RETURN(CompiledModelFile file, ReadCompiledModel(model_spec));
    source = file.source;
  }
  if (source.rfind(prefix, 0) != 0) return inputs;
  const std::string name = source.substr(prefix.size());
  int64_t batch = -1, seq = -1;
  if (!shape.empty()) {
    HETERO_ASSIGN_OR_RETURN(auto dims, ParseDims(shape));
    if (dims.size() != 2) {
      return InvalidArgument("--shape " + shape + ": built-in inputs are BATCHxSEQ");
    }
    batch = dims[0];
    seq = dims[1];
  }
  for (const BuiltinInfo& info : ListBuiltinModels()) {
    if (info.name != name) continue;
    if (batch < 0) batch = info.default_batch;
    if (seq < 0) seq = info.default_seq;
  }
  HETERO_ASSIGN_OR_RETURN(auto samples, BuiltinSampleInputs(name, batch, seq));
  for (auto& [input, t] : samples) inputs.emplace(input, std::move(t));
  return inputs;
}

std::string DescribeSessionPlacement(const Session& session,
                                     const std::map<std::string, std::string>& renames) {
  std::vector<std::string> used;
  int segments = 0;
  for (const NodePlacement& p : session.placement()) {
    segments = std::max(segments, p.segment + 1);
    auto it = renames.find(p.device);
    const std::string& device = it == renames.end() ? p.device : it->second;
    if (std::find(used.begin(), used.end(), device) == used.end()) used.push_back(device);
  }
  std::string text;
  for (const std::string& device : used) text += (text.empty() ? "" : "+") + device;
  if (segments > 1) text += " (" + std::to_string(segments) + " segments)";
  return text;
}

profiler::DeviceInfo DeviceInfoOf(const SessionDevice& device) {
  profiler::DeviceInfo info;
  info.name = device.name;
  info.kind = device.kind;
  info.description = device.description;
  info.simulated = device.simulated;
  info.peak_flops = device.peak_flops;
  info.memory_bandwidth = device.memory_bandwidth;
  LoadCalibration(&info);
  return info;
}

void ScaleToThreads(int threads, profiler::DeviceInfo* info) {
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  if (threads <= 0 || threads >= cores) return;
  const double share = static_cast<double>(threads) / static_cast<double>(cores);
  for (auto& [dtype, flops] : info->peak_flops) flops *= share;
  for (auto& [dtype, flops] : info->measured_flops) flops *= share;
}

std::map<std::string, std::string> DeviceRenames(const Session& session,
                                                 const std::vector<std::string>& requested) {
  std::map<std::string, std::string> renames;
  const std::vector<SessionDevice> devices = session.devices();
  for (size_t i = 0; i < devices.size() && i < requested.size(); ++i) {
    renames[devices[i].name] = requested[i];
  }
  return renames;
}

void RenameTracks(const std::map<std::string, std::string>& renames,
                  std::vector<profiler::Event>* events) {
  for (profiler::Event& e : *events) {
    auto it = renames.find(e.track);
    if (it != renames.end()) e.track = it->second;
  }
}

namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

profiler::Environment CollectEnvironment(const std::vector<std::string>& argv) {
  profiler::Environment env;
  env.hetero_version = HETERO_VERSION;
  env.commit = HETERO_GIT_COMMIT;
  env.compiler = std::string("gcc ") + __VERSION__;
#ifdef __clang__
  env.compiler = std::string("clang ") + __clang_version__;
#endif
  utsname uts{};
  if (uname(&uts) == 0) env.os = std::string(uts.sysname) + " " + uts.release + " " + uts.machine;
  env.cpu_model = CpuModel();
  env.cpu_cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  env.timestamp = UtcNow();
  env.command_line = "hetero bench";
  for (const std::string& arg : argv) env.command_line += " " + arg;
  return env;
}

double PeakRssMb() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

std::string CalibrationPath(const std::string& device) {
  std::string dir;
  if (const char* cache = std::getenv("HETERO_CACHE_DIR"); cache != nullptr && *cache) {
    dir = cache;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
    dir = std::string(home) + "/.cache/hetero";
  } else {
    dir = "/tmp/hetero-cache";
  }
  return dir + "/calibration/" + SafeFileName(device) + ".json";
}

void LoadCalibration(profiler::DeviceInfo* device) {
  auto doc = profiler::ReadJsonFile(CalibrationPath(device->name));
  if (!doc.ok() || !doc->is_object()) return;
  if (const profiler::JsonValue* flops = doc->Find("flops"); flops && flops->is_object()) {
    for (const auto& [dtype, v] : flops->members()) {
      if (v.is_number() && v.as_number() > 0) device->measured_flops[dtype] = v.as_number();
    }
  }
  device->measured_bandwidth = doc->NumberOr("bandwidth", 0);
}

}  // namespace hetero::cli
