// Device option flags: --precision and --buckets turned into per-device compile option
// strings; --calibrate read into the model's calibration inputs.
#include "tools/hetero/device_flags.h"

#include <cctype>

#include "compiler/builtin/builtin.h"
#include "runtime/io/npy.h"

namespace hetero::cli {
namespace {

// The devices these flags configure: the simulated NPU's ("npu-sim:rngd", "npu-sim:2").
// Other devices compile f32 graphs as they are and take no options.
bool TakesDeviceOptions(const std::string& device) { return device.rfind("npu-sim", 0) == 0; }

// The cpu device computes f32, or f32 with bf16 weights (its precision=bf16); the other
// formats are the simulated NPU's. "" when the cpu has no such precision.
std::string CpuPrecision(const std::string& precision) {
  if (precision == "f32" || precision == "fp32") return "f32";
  if (precision == "bf16") return "bf16";
  return "";
}

Status CheckPrecision(const std::string& value) {
  static const char* const kKnown[] = {"f32", "fp32",   "bf16", "fp16", "f16",
                                       "fp8", "f8e4m3", "int8", "i8"};
  for (const char* k : kKnown) {
    if (value == k) return OkStatus();
  }
  return InvalidArgument("--precision " + value + ": expected one of f32, bf16, fp16, fp8, int8");
}

// "seq:32,64,128;batch:1,4" — parts of NAME:SIZES with positive integer sizes.
Status CheckBuckets(const std::string& value) {
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t end = value.find_first_of(";/", pos);
    if (end == std::string::npos) end = value.size();
    const std::string part = value.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = part.find(':');
    const std::string name = part.substr(0, colon);
    const std::string sizes = colon == std::string::npos ? "" : part.substr(colon + 1);
    bool ok = (name == "seq" || name == "batch") && !sizes.empty() && sizes.front() != ',' &&
              sizes.back() != ',';
    for (size_t i = 0; ok && i < sizes.size(); ++i) {
      ok = std::isdigit(static_cast<unsigned char>(sizes[i])) ||
           (sizes[i] == ',' && sizes[i - 1] != ',');
    }
    if (!ok) {
      return InvalidArgument("--buckets " + value + ": '" + part +
                             "' is not seq:SIZES or batch:SIZES (e.g. seq:64,128;batch:1,4)");
    }
  }
  return OkStatus();
}

constexpr const char* kBuiltinPrefix = "builtin:";

// "--calibrate FILE.npy" (the model's first input: name "") or
// "--calibrate NAME=FILE.npy[,NAME=FILE.npy...]"; malformed values are usage errors.
StatusOr<std::vector<std::pair<std::string, std::string>>> ParseCalibrate(
    const std::string& value) {
  const std::string usage =
      "--calibrate " + value + ": expected FILE.npy or NAME=FILE.npy[,NAME=FILE.npy...]";
  std::vector<std::pair<std::string, std::string>> files;
  if (value.find('=') == std::string::npos) {
    files.emplace_back("", value);
  } else {
    size_t pos = 0;
    while (pos <= value.size()) {
      size_t end = value.find(',', pos);
      if (end == std::string::npos) end = value.size();
      const std::string part = value.substr(pos, end - pos);
      pos = end + 1;
      const size_t eq = part.find('=');
      if (eq == std::string::npos || eq == 0) return FailedPrecondition(usage);
      const std::string name = part.substr(0, eq);
      for (const auto& [seen, file] : files) {
        if (seen == name) return FailedPrecondition("--calibrate names '" + name + "' twice");
      }
      files.emplace_back(name, part.substr(eq + 1));
    }
  }
  for (const auto& [name, file] : files) {
    if (file.size() < 5 || file.substr(file.size() - 4) != ".npy") {
      return FailedPrecondition(usage + " ('" + file + "' is not an .npy file)");
    }
    if (file.find(';') != std::string::npos) {
      return FailedPrecondition("--calibrate " + file + ": a path with ';' is not supported");
    }
  }
  return files;
}

}  // namespace

const std::vector<std::string>& DeviceOptionFlagNames() {
  static const std::vector<std::string> kNames = {"--precision", "--calibrate", "--buckets"};
  return kNames;
}

StatusOr<std::map<std::string, std::string>> CompileOptionsFromFlags(
    const Flags& flags, const std::vector<std::string>& device_names) {
  const std::string precision = flags.Get("--precision");
  const std::string buckets = flags.Get("--buckets");
  if (!precision.empty()) HETERO_RETURN_IF_ERROR(CheckPrecision(precision));
  if (!buckets.empty()) HETERO_RETURN_IF_ERROR(CheckBuckets(buckets));
  const bool int8 = precision == "int8" || precision == "i8";
  if (flags.Has("--calibrate") && !int8) {
    return InvalidArgument("--calibrate is for --precision int8");
  }
  if (int8 && !flags.Has("--calibrate")) {
    return InvalidArgument(
        "--precision int8 needs --calibrate FILE.npy (model inputs to set the int8 scales)");
  }
  std::map<std::string, std::string> options;
  bool precision_taken = false;
  for (const std::string& device : device_names) {
    if (device == "cpu") {
      const std::string cpu_precision = CpuPrecision(precision);
      if (!cpu_precision.empty()) options[device] = "precision=" + cpu_precision;
      precision_taken = precision_taken || !cpu_precision.empty();
      continue;
    }
    if (!TakesDeviceOptions(device)) continue;
    precision_taken = true;
    std::string text;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty()) return;
      if (!text.empty()) text += ";";
      text += std::string(key) + "=" + value;
    };
    add("precision", precision);
    add("buckets", buckets);  // last: its own ';' parts continue it
    if (!text.empty()) options[device] = text;
  }
  if (!precision.empty() && !precision_taken) {
    std::string list;
    for (const std::string& device : device_names) list += (list.empty() ? "" : ",") + device;
    return InvalidArgument("--precision " + precision + ": no device of " + list +
                           " computes in it (cpu: f32 or bf16; int8 weights on cpu: "
                           "--quantize int8; the other formats: npu-sim)");
  }
  return options;
}

StatusOr<std::map<std::string, Tensor>> CalibrationInputsFromFlags(const Flags& flags,
                                                                   const std::string& model_spec) {
  std::map<std::string, Tensor> inputs;
  if (!flags.Has("--calibrate")) return inputs;
  HETERO_ASSIGN_OR_RETURN(auto files, ParseCalibrate(flags.Get("--calibrate")));
  for (const auto& [name, file] : files) {
    auto t = ReadNpy(file);
    if (!t.ok()) return InvalidArgument("--calibrate: " + t.status().message());
    inputs[name] = std::move(*t);
  }
  if (model_spec.rfind(kBuiltinPrefix, 0) != 0) return inputs;
  // A built-in's inputs not given are its sample inputs, at the BATCHxSEQ of the first
  // rank-2 file given (else the built-in's default).
  const std::string builtin = model_spec.substr(std::string(kBuiltinPrefix).size());
  int64_t batch = -1, seq = -1;
  for (const BuiltinInfo& info : ListBuiltinModels()) {
    if (info.name != builtin) continue;
    batch = info.default_batch;
    seq = info.default_seq;
  }
  for (const auto& [name, t] : inputs) {
    if (t.rank() != 2) continue;
    batch = t.dims()[0];
    seq = t.dims()[1];
    break;
  }
  auto samples = BuiltinSampleInputs(builtin, batch, seq);
  if (!samples.ok()) return samples.status().WithContext("--calibrate");
  for (auto& [name, t] : *samples) inputs.emplace(name, std::move(t));
  return inputs;
}

}  // namespace hetero::cli
