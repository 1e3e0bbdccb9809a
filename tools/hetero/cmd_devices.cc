// `hetero devices [--json] [--plugin PATH]...`: every device, its properties and the
// plugin it came from, and the plugins that could not be used, with their reasons.
#include <cmath>
#include <cstdio>
#include <string>

#include "hetero/dtype.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {
namespace {

using plugins::DeviceEntry;
using plugins::PluginLibrary;
using plugins::PluginRegistry;

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonNumber(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

std::string PluginJson(const PluginLibrary& lib) {
  return "{\"name\": " + JsonString(lib.name()) + ", \"version\": " + JsonString(lib.version()) +
         ", \"path\": " + (lib.builtin() ? "null" : JsonString(lib.path())) +
         ", \"builtin\": " + (lib.builtin() ? "true" : "false") +
         ", \"abi_major\": " + std::to_string(lib.api().abi_major) +
         ", \"abi_minor\": " + std::to_string(lib.plugin_abi_minor()) +
         ", \"negotiated_minor\": " + std::to_string(lib.negotiated_minor()) + "}";
}

std::string DeviceJson(const DeviceEntry& device) {
  const plugins::DeviceProperties& p = device.properties;
  std::string flops;
  for (DType dtype : kAllDTypes) {
    if (!flops.empty()) flops += ", ";
    flops += JsonString(DTypeName(dtype)) + ": " + JsonNumber(p.PeakFlops(dtype));
  }
  std::string caps;
  for (const std::string& cap : plugins::CapabilityNames(p.capabilities)) {
    caps += (caps.empty() ? "" : ", ") + JsonString(cap);
  }
  return "{\"name\": " + JsonString(device.name) +
         ", \"kind\": " + JsonString(plugins::DeviceKindName(p.kind)) +
         ", \"index\": " + std::to_string(device.index) +
         ", \"device_name\": " + JsonString(p.name) + ", \"vendor\": " + JsonString(p.vendor) +
         ", \"driver_version\": " + JsonString(p.driver_version) +
         ", \"memory_bytes\": " + std::to_string(p.memory_bytes) +
         ", \"max_allocation_bytes\": " + std::to_string(p.MaxAllocation()) +
         ", \"peak_flops\": {" + flops + "}" +
         ", \"memory_bandwidth\": " + JsonNumber(p.memory_bandwidth) +
         ", \"host_link_bandwidth\": " + JsonNumber(p.host_link_bandwidth) +
         ", \"launch_overhead_ns\": " + JsonNumber(p.launch_overhead_ns) + ", \"capabilities\": [" +
         caps + "], \"plugin\": " + PluginJson(device.plugin->library()) + "}";
}

void PrintJson(const PluginRegistry& registry) {
  std::string out = "{\"abi\": {\"major\": " + std::to_string(plugins::kHostAbiMajor) +
                    ", \"minor\": " + std::to_string(plugins::kHostAbiMinor) + "},\n";
  out += " \"devices\": [";
  for (size_t i = 0; i < registry.devices().size(); ++i) {
    out += (i ? ",\n  " : "\n  ") + DeviceJson(registry.devices()[i]);
  }
  out += "],\n \"broken_plugins\": [";
  for (size_t i = 0; i < registry.broken().size(); ++i) {
    const plugins::BrokenPlugin& broken = registry.broken()[i];
    out += std::string(i ? ",\n  " : "\n  ") + "{\"source\": " + JsonString(broken.source) +
           ", \"reason\": " + JsonString(broken.reason) + "}";
  }
  out += "]}\n";
  std::fputs(out.c_str(), stdout);
}

// 1536 with base 1024 -> "1.5 KiB"; 1.2e-6 "s" -> "1.2 us"; "-" when unknown.
std::string Human(double value, const char* unit, double base = 1000) {
  if (!(value > 0) || !std::isfinite(value)) return "-";
  static const char* kLarge[] = {"", "K", "M", "G", "T", "P", "E"};
  static const char* kSmall[] = {"", "m", "u", "n", "p"};
  const char* prefix = "";
  int i = 0;
  if (value >= 1) {
    while (value >= base && i < 6) value /= base, ++i;
    prefix = kLarge[i];
  } else {
    while (value < 1 && i < 4) value *= 1000, ++i;
    prefix = kSmall[i];
  }
  char text[48];
  std::snprintf(text, sizeof(text), "%.3g %s%s%s", value, prefix,
                base == 1024 && *prefix ? "i" : "", unit);
  return text;
}

void PrintDevice(const DeviceEntry& device) {
  const plugins::DeviceProperties& p = device.properties;
  const PluginLibrary& lib = device.plugin->library();
  std::printf("%-12s %-11s %s%s%s\n", device.name.c_str(), plugins::DeviceKindName(p.kind).c_str(),
              p.name.c_str(), p.vendor.empty() ? "" : ", ", p.vendor.c_str());
  std::printf("    plugin %s %s (%s, ABI %u.%u)\n", lib.name().c_str(), lib.version().c_str(),
              lib.builtin() ? "built-in" : lib.path().c_str(), lib.api().abi_major,
              lib.plugin_abi_minor());
  std::printf("    memory %s, bandwidth %s, host link %s, launch overhead %s\n",
              Human(static_cast<double>(p.memory_bytes), "B", 1024).c_str(),
              Human(p.memory_bandwidth, "B/s").c_str(), Human(p.host_link_bandwidth, "B/s").c_str(),
              Human(p.launch_overhead_ns * 1e-9, "s").c_str());
  std::string flops;
  for (DType dtype : kAllDTypes) {
    if (p.PeakFlops(dtype) > 0) {
      flops += (flops.empty() ? "" : ", ") + std::string(DTypeName(dtype)) + " " +
               Human(p.PeakFlops(dtype), "FLOP/s");
    }
  }
  std::printf("    peak %s\n", flops.empty() ? "-" : flops.c_str());
  std::string caps;
  for (const std::string& cap : plugins::CapabilityNames(p.capabilities)) {
    caps += (caps.empty() ? "" : ", ") + cap;
  }
  std::printf("    capabilities %s\n", caps.empty() ? "-" : caps.c_str());
}

void PrintText(const PluginRegistry& registry) {
  if (registry.devices().empty()) std::printf("no devices\n");
  for (const DeviceEntry& device : registry.devices()) PrintDevice(device);
  if (!registry.broken().empty()) {
    std::printf("broken plugins (ignored):\n");
    for (const plugins::BrokenPlugin& broken : registry.broken()) {
      std::printf("  %s: %s\n", broken.source.c_str(), broken.reason.c_str());
    }
  }
}

}  // namespace

int DevicesCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args, {"--plugin"}, {"--json"}, &error);
  if (!flags) return Fail(kExitUsage, "devices: " + error);
  if (!flags->positional().empty()) return Fail(kExitUsage, "devices: takes no arguments");
  auto registry = plugins::LoadPluginRegistry(flags->GetAll("--plugin"), /*num_threads=*/1);
  if (flags->Has("--json")) {
    PrintJson(*registry);
  } else {
    PrintText(*registry);
  }
  return kExitOk;
}

}  // namespace hetero::cli
