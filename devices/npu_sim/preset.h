// Chip presets of the simulated NPU: the data files in presets/ and their parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hetero/dtype.h"
#include "hetero/status.h"

namespace hetero::npu_sim {

// One chip. Rates are per second, sizes in bytes; a peak of 0 means the chip lacks the
// format on its matrix engine.
struct Preset {
  std::string name;          // "rngd"
  std::string display_name;  // "FuriosaAI RNGD (simulated)"
  std::string vendor;
  std::string file;  // where it was read from
  int cores = 0;
  double clock_hz = 0;
  double peak_flops_f32 = 0;
  double peak_flops_bf16 = 0;
  double peak_flops_fp16 = 0;
  double peak_flops_fp8 = 0;
  double peak_ops_int8 = 0;
  double vector_elems_per_s = 0;  // elementwise results per second, whole chip
  double sram_per_core_bytes = 0;
  double dram_bytes = 0;
  double dram_bytes_per_s = 0;
  int dma_engines = 0;
  double dma_setup_cycles = 0;
  int pcie_gen = 0;
  int pcie_lanes = 0;
  double host_link_efficiency = 0;
  double launch_overhead_ns = 0;   // one execute: doorbell, command fetch
  double command_overhead_ns = 0;  // each command (op) of the stream
  std::vector<DType> dtypes;       // compute formats the chip offers
  DType default_dtype = DType::kBF16;

  // PCIe raw per direction x lanes x efficiency, bytes per second.
  double HostLinkBytesPerS() const;
  // Matrix-engine peak in FLOP/s for a compute format, 0 when the chip lacks it.
  double MatrixPeak(DType dtype) const;
  bool Supports(DType dtype) const;
  double SramBytes() const { return sram_per_core_bytes * cores; }
};

// Parses a preset file's text. Lines are `key = value  # source: ...` or
// `# assumption: ...`; blank lines and whole-line comments are skipped. Every key line
// must say where its figure comes from. Errors name `file` and the line.
StatusOr<Preset> ParsePreset(std::string_view text, const std::string& file);
StatusOr<Preset> LoadPresetFile(const std::string& path);
// Every *.preset of a directory, sorted by name. An unreadable directory is an error.
StatusOr<std::vector<Preset>> LoadPresetDir(const std::string& dir);

// "bf16", "fp16"/"f16", "fp8"/"f8e4m3", "int8"/"i8", "f32"/"fp32".
StatusOr<DType> ParseComputeDType(std::string_view name);

}  // namespace hetero::npu_sim
