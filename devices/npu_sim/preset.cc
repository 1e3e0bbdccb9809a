// Parsing preset files: `key = value  # source|assumption: ...` lines, checked strictly.
#include "devices/npu_sim/preset.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace hetero::npu_sim {
namespace {

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

StatusOr<double> ParseNumber(const std::string& value) {
  if (value.empty()) return InvalidArgument("empty number");
  errno = 0;
  char* end = nullptr;
  const double d = std::strtod(value.c_str(), &end);
  if (errno != 0 || end == nullptr || *end != '\0' || !std::isfinite(d) || d < 0) {
    return InvalidArgument("'" + value + "' is not a finite non-negative number");
  }
  return d;
}

using Setter = std::function<Status(Preset&, const std::string&)>;

Setter Num(double Preset::*field, double scale) {
  return [field, scale](Preset& p, const std::string& v) -> Status {
    HETERO_ASSIGN_OR_RETURN(double d, ParseNumber(v));
    p.*field = d * scale;
    return OkStatus();
  };
}

Setter Int(int Preset::*field, int min, int max) {
  return [field, min, max](Preset& p, const std::string& v) -> Status {
    HETERO_ASSIGN_OR_RETURN(double d, ParseNumber(v));
    if (d != std::floor(d) || d < min || d > max) {
      return InvalidArgument("'" + v + "' is not an integer in [" + std::to_string(min) + ", " +
                             std::to_string(max) + "]");
    }
    p.*field = static_cast<int>(d);
    return OkStatus();
  };
}

Setter Text(std::string Preset::*field) {
  return [field](Preset& p, const std::string& v) -> Status {
    if (v.empty()) return InvalidArgument("empty value");
    p.*field = v;
    return OkStatus();
  };
}

Status SetDTypes(Preset& p, const std::string& v) {
  p.dtypes.clear();
  std::stringstream in(v);
  std::string item;
  while (std::getline(in, item, ',')) {
    HETERO_ASSIGN_OR_RETURN(DType d, ParseComputeDType(Trim(item)));
    p.dtypes.push_back(d);
  }
  if (p.dtypes.empty()) return InvalidArgument("no dtypes listed");
  return OkStatus();
}

const std::map<std::string, Setter>& Keys() {
  static const auto* keys = new std::map<std::string, Setter>{
      {"name", Text(&Preset::name)},
      {"display_name", Text(&Preset::display_name)},
      {"vendor", Text(&Preset::vendor)},
      {"cores", Int(&Preset::cores, 1, 4096)},
      {"clock_ghz", Num(&Preset::clock_hz, 1e9)},
      {"peak_tflops_f32", Num(&Preset::peak_flops_f32, 1e12)},
      {"peak_tflops_bf16", Num(&Preset::peak_flops_bf16, 1e12)},
      {"peak_tflops_fp16", Num(&Preset::peak_flops_fp16, 1e12)},
      {"peak_tflops_fp8", Num(&Preset::peak_flops_fp8, 1e12)},
      {"peak_tops_int8", Num(&Preset::peak_ops_int8, 1e12)},
      {"vector_gelems", Num(&Preset::vector_elems_per_s, 1e9)},
      {"sram_per_core_mib", Num(&Preset::sram_per_core_bytes, 1024.0 * 1024.0)},
      {"dram_gib", Num(&Preset::dram_bytes, 1024.0 * 1024.0 * 1024.0)},
      {"dram_gbps", Num(&Preset::dram_bytes_per_s, 1e9)},
      {"dma_engines", Int(&Preset::dma_engines, 1, 1024)},
      {"dma_setup_cycles", Num(&Preset::dma_setup_cycles, 1)},
      {"pcie_gen", Int(&Preset::pcie_gen, 1, 6)},
      {"pcie_lanes", Int(&Preset::pcie_lanes, 1, 32)},
      {"host_link_efficiency", Num(&Preset::host_link_efficiency, 1)},
      {"launch_overhead_us", Num(&Preset::launch_overhead_ns, 1e3)},
      {"command_overhead_ns", Num(&Preset::command_overhead_ns, 1)},
      {"dtypes", &SetDTypes},
      {"default_dtype",
       [](Preset& p, const std::string& v) -> Status {
         HETERO_ASSIGN_OR_RETURN(p.default_dtype, ParseComputeDType(v));
         return OkStatus();
       }},
  };
  return *keys;
}

// Whole-preset checks once every line is read.
Status CheckPreset(const Preset& p) {
  if (p.clock_hz <= 0) return InvalidArgument("clock_ghz must be > 0");
  if (p.vector_elems_per_s <= 0) return InvalidArgument("vector_gelems must be > 0");
  if (p.sram_per_core_bytes <= 0) return InvalidArgument("sram_per_core_mib must be > 0");
  if (p.dram_bytes_per_s <= 0) return InvalidArgument("dram_gbps must be > 0");
  if (p.host_link_efficiency <= 0 || p.host_link_efficiency > 1) {
    return InvalidArgument("host_link_efficiency must be in (0, 1]");
  }
  if (!p.Supports(p.default_dtype)) {
    return InvalidArgument("default_dtype " + std::string(DTypeName(p.default_dtype)) +
                           " is not in dtypes");
  }
  for (DType d : p.dtypes) {
    if (p.MatrixPeak(d) <= 0) {
      return InvalidArgument("dtypes lists " + std::string(DTypeName(d)) +
                             " but its matrix-engine peak is 0");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<DType> ParseComputeDType(std::string_view name) {
  if (name == "bf16") return DType::kBF16;
  if (name == "fp16" || name == "f16") return DType::kF16;
  if (name == "fp8" || name == "f8e4m3") return DType::kF8E4M3;
  if (name == "int8" || name == "i8") return DType::kI8;
  if (name == "f32" || name == "fp32") return DType::kF32;
  return InvalidArgument("unknown compute dtype '" + std::string(name) +
                         "' (bf16, fp16, fp8, int8, f32)");
}

double Preset::HostLinkBytesPerS() const {
  // Raw bytes per second per lane and direction after line coding (128b/130b from Gen3).
  static constexpr double kLaneGbps[] = {0, 0.25, 0.5, 0.985, 1.969, 3.938, 7.877};
  const int gen = std::clamp(pcie_gen, 0, 6);
  return kLaneGbps[gen] * 1e9 * pcie_lanes * host_link_efficiency;
}

double Preset::MatrixPeak(DType dtype) const {
  switch (dtype) {
    case DType::kF32: return peak_flops_f32;
    case DType::kBF16: return peak_flops_bf16;
    case DType::kF16: return peak_flops_fp16;
    case DType::kF8E4M3: return peak_flops_fp8;
    case DType::kI8: return peak_ops_int8;
    default: return 0;
  }
}

bool Preset::Supports(DType dtype) const {
  return std::find(dtypes.begin(), dtypes.end(), dtype) != dtypes.end();
}

StatusOr<Preset> ParsePreset(std::string_view text, const std::string& file) {
  Preset p;
  p.file = file;
  std::set<std::string> seen;
  std::stringstream in{std::string(text)};
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string where = file + ":" + std::to_string(line_no);
    const size_t hash = raw.find('#');
    const std::string body = Trim(raw.substr(0, hash));
    if (body.empty()) continue;
    const std::string comment = hash == std::string::npos ? "" : raw.substr(hash + 1);
    const size_t eq = body.find('=');
    if (eq == std::string::npos) return InvalidArgument(where + ": expected 'key = value'");
    const std::string key = Trim(body.substr(0, eq));
    const std::string value = Trim(body.substr(eq + 1));
    auto it = Keys().find(key);
    if (it == Keys().end()) return InvalidArgument(where + ": unknown key '" + key + "'");
    if (!seen.insert(key).second) return InvalidArgument(where + ": '" + key + "' given twice");
    if (comment.find("source:") == std::string::npos &&
        comment.find("assumption:") == std::string::npos) {
      return InvalidArgument(where + ": '" + key +
                             "' has no '# source: ...' or '# assumption: ...' comment");
    }
    Status s = it->second(p, value);
    if (!s.ok()) return InvalidArgument(where + ": " + key + ": " + s.message());
  }
  for (const auto& [key, setter] : Keys()) {
    const bool optional = key.rfind("peak_", 0) == 0;
    if (!optional && !seen.count(key)) return InvalidArgument(file + ": missing key '" + key + "'");
  }
  Status s = CheckPreset(p);
  if (!s.ok()) return InvalidArgument(file + ": " + s.message());
  return p;
}

StatusOr<Preset> LoadPresetFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound("cannot read preset file " + path);
  std::stringstream text;
  text << f.rdbuf();
  return ParsePreset(text.str(), path);
}

StatusOr<std::vector<Preset>> LoadPresetDir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".preset") files.push_back(entry.path().string());
  }
  if (ec) return NotFound("cannot list preset directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Preset> presets;
  for (const std::string& f : files) {
    HETERO_ASSIGN_OR_RETURN(Preset p, LoadPresetFile(f));
    presets.push_back(std::move(p));
  }
  return presets;
}

}  // namespace hetero::npu_sim
