// Device option flags: --precision, --calibrate, --buckets, turned into per-device
// compile option strings.
#include "tools/hetero/device_flags.h"

#include <cctype>

namespace hetero::cli {
namespace {

// The devices these flags configure: the simulated NPU's ("npu-sim:rngd", "npu-sim:2").
// Other devices compile f32 graphs as they are and take no options.
bool TakesDeviceOptions(const std::string& device) { return device.rfind("npu-sim", 0) == 0; }

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

}  // namespace

const std::vector<std::string>& DeviceOptionFlagNames() {
  static const std::vector<std::string> kNames = {"--precision", "--calibrate", "--buckets"};
  return kNames;
}

StatusOr<std::map<std::string, std::string>> CompileOptionsFromFlags(
    const Flags& flags, const std::vector<std::string>& device_names) {
  const std::string precision = flags.Get("--precision");
  const std::string calibrate = flags.Get("--calibrate");
  const std::string buckets = flags.Get("--buckets");
  if (!precision.empty()) HETERO_RETURN_IF_ERROR(CheckPrecision(precision));
  if (!buckets.empty()) HETERO_RETURN_IF_ERROR(CheckBuckets(buckets));
  if (!calibrate.empty() &&
      (calibrate.size() < 5 || calibrate.substr(calibrate.size() - 4) != ".npy")) {
    return InvalidArgument("--calibrate " + calibrate + ": expected an .npy file");
  }
  if (calibrate.find(';') != std::string::npos) {
    return InvalidArgument("--calibrate " + calibrate + ": a path with ';' is not supported");
  }
  std::map<std::string, std::string> options;
  for (const std::string& device : device_names) {
    if (!TakesDeviceOptions(device)) continue;
    std::string text;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty()) return;
      if (!text.empty()) text += ";";
      text += std::string(key) + "=" + value;
    };
    add("precision", precision);
    add("calibrate", calibrate);
    add("buckets", buckets);  // last: its own ';' parts continue it
    if (!text.empty()) options[device] = text;
  }
  return options;
}

}  // namespace hetero::cli
