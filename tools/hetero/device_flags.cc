// Device option flags: --precision, --calibrate, --buckets, turned into per-device
// compile option strings.
#include "tools/hetero/device_flags.h"

namespace hetero::cli {

const std::vector<std::string>& DeviceOptionFlagNames() {
  static const std::vector<std::string> kNames = {"--precision", "--calibrate", "--buckets"};
  return kNames;
}

StatusOr<std::map<std::string, std::string>> CompileOptionsFromFlags(
    const Flags& flags, const std::vector<std::string>& device_names) {
  std::map<std::string, std::string> options;
  for (const std::string& device : device_names) {
    std::string text;
    auto add = [&](const char* key, const std::string& value) {
      if (value.empty()) return;
      if (!text.empty()) text += ";";
      text += std::string(key) + "=" + value;
    };
    add("precision", flags.Get("--precision"));
    add("calibrate", flags.Get("--calibrate"));
    add("buckets", flags.Get("--buckets"));
    if (!text.empty()) options[device] = text;
  }
  return options;
}

}  // namespace hetero::cli
