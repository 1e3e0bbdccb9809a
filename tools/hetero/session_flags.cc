// SessionOptionsFromFlags: --device, --pin, --no-fallback, --min-segment, --no-optimize,
// --plugin, --profile-guided, --trace, --threads, --quantize and the device option flags.
#include "tools/hetero/session_flags.h"

#include <cstdlib>

#include "tools/hetero/cmd_bench_support.h"
#include "tools/hetero/device_flags.h"
#include "tools/hetero/placement_flags.h"

namespace hetero::cli {

StatusOr<std::string> QuantizeFromFlags(const Flags& flags) {
  if (!flags.Has("--quantize")) return std::string();
  const std::string value = flags.Get("--quantize");
  if (value != "int8") return FailedPrecondition("--quantize expects int8, got '" + value + "'");
  return value;
}

// SessionOptions from the flags; a malformed flag is a usage error (FailedPrecondition).
StatusOr<SessionOptions> SessionOptionsFromFlags(const Flags& flags) {
  SessionOptions options;
  options.devices = SplitList(flags.Get("--device", "cpu"));
  if (options.devices.empty()) return FailedPrecondition("--device lists no device");
  auto placement = PlacementOptionsFromFlags(flags);
  if (!placement.ok()) return FailedPrecondition(placement.status().message());
  options.pins = flags.GetAll("--pin");
  options.no_fallback = flags.Has("--no-fallback");
  options.min_segment_nodes = static_cast<int>(placement->min_segment_nodes);
  if (!flags.Has("--min-segment")) options.min_segment_nodes = 0;
  options.optimize = !flags.Has("--no-optimize");
  options.plugin_paths = flags.GetAll("--plugin");
  options.profile_guided = flags.Get("--profile-guided");
  options.profiling = flags.Has("--trace");
  HETERO_ASSIGN_OR_RETURN(options.quantize, QuantizeFromFlags(flags));
  if (flags.Has("--threads")) {
    const std::string text = flags.Get("--threads");
    char* end = nullptr;
    const long threads = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || threads < 0 || threads > 4096) {
      return FailedPrecondition("--threads expects a count >= 0, got '" + text + "'");
    }
    options.threads = static_cast<int>(threads);
  }
  auto compile_options = CompileOptionsFromFlags(flags, options.devices);
  if (!compile_options.ok()) return FailedPrecondition(compile_options.status().message());
  options.compile_options = *compile_options;
  const std::string model = flags.positional().empty() ? "" : flags.positional()[0];
  HETERO_ASSIGN_OR_RETURN(options.calibration_inputs, CalibrationInputsFromFlags(flags, model));
  return options;
}

}  // namespace hetero::cli
