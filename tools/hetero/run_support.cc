// Device-list checks and input binding for the CLI.
#include "tools/hetero/run_support.h"

#include <sstream>

#include "compiler/builtin/builtin.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/reference_executor.h"

namespace hetero::cli {

Status CheckDeviceList(const std::string& list, const std::vector<std::string>& plugin_paths) {
  auto registry = plugins::LoadPluginRegistry(plugin_paths);
  std::stringstream ss(list);
  std::string device;
  while (std::getline(ss, device, ',')) {
    HETERO_RETURN_IF_ERROR(registry->FindDevice(device).status());
  }
  return OkStatus();
}

StatusOr<std::vector<int64_t>> ParseDims(const std::string& text) {
  std::vector<int64_t> dims;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, 'x')) {
    char* end = nullptr;
    const long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v < 0) {
      return InvalidArgument("bad shape '" + text + "' (expected dims like 2x16)");
    }
    dims.push_back(v);
  }
  return dims;
}

std::string SafeFileName(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (c == '/' || c == ':' || c == '\\') c = '_';
  }
  return out;
}

int ExitStatusFor(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition ? kExitUsage : kExitError;
}

namespace {

StatusOr<std::pair<std::string, std::string>> SplitAssignment(const std::string& flag,
                                                              const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    // A malformed flag is a usage error (exit 2).
    return FailedPrecondition(flag + " expects NAME=VALUE, got '" + text + "'");
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

}  // namespace

StatusOr<std::map<std::string, Tensor>> BindInputs(const LoadedModel& model, const Flags& flags) {
  std::map<std::string, Tensor> inputs;
  for (const std::string& arg : flags.GetAll("--input")) {
    HETERO_ASSIGN_OR_RETURN(auto kv, SplitAssignment("--input", arg));
    HETERO_ASSIGN_OR_RETURN(Tensor t, ReadNpy(kv.second));
    inputs[kv.first] = std::move(t);
  }
  if (!model.builtin_name.empty()) {
    int64_t batch = -1, seq = -1;
    for (const std::string& arg : flags.GetAll("--shape")) {
      HETERO_ASSIGN_OR_RETURN(auto kv, SplitAssignment("--shape", arg));
      HETERO_ASSIGN_OR_RETURN(auto dims, ParseDims(kv.second));
      if (dims.size() != 2) {
        return InvalidArgument("--shape " + arg + ": built-in inputs are BATCHxSEQ");
      }
      batch = dims[0];
      seq = dims[1];
    }
    for (const BuiltinInfo& info : ListBuiltinModels()) {
      if (info.name != model.builtin_name) continue;
      if (batch < 0) batch = info.default_batch;
      if (seq < 0) seq = info.default_seq;
    }
    HETERO_ASSIGN_OR_RETURN(auto samples, BuiltinSampleInputs(model.builtin_name, batch, seq));
    for (auto& [name, t] : samples) inputs.emplace(name, std::move(t));
  }
  HETERO_RETURN_IF_ERROR(CheckInputs(*model.graph, inputs));
  return inputs;
}

}  // namespace hetero::cli
