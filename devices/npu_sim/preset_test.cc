// Preset files: the shipped ones parse to the published figures; bad files fail cleanly,
// naming the file and line.
#include "devices/npu_sim/preset.h"

#include <gtest/gtest.h>

namespace hetero::npu_sim {
namespace {

const std::string kDir = HETERO_NPU_SIM_PRESET_DIR;

TEST(Preset, ShippedPresetsParse) {
  auto presets = LoadPresetDir(kDir);
  ASSERT_TRUE(presets.ok()) << presets.status().ToString();
  std::vector<std::string> names;
  for (const Preset& p : *presets) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"atom", "npu-small", "rngd", "warboy"}));
}

TEST(Preset, RngdFiguresMatchThePublishedSpec) {
  auto p = LoadPresetFile(kDir + "/rngd.preset");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->cores, 8);
  EXPECT_DOUBLE_EQ(p->peak_flops_bf16, 256e12);           // F2: BF16 256 TF
  EXPECT_DOUBLE_EQ(p->peak_flops_fp8, 512e12);            // F2: FP8 512 TF
  EXPECT_DOUBLE_EQ(p->dram_bytes_per_s, 1500e9);          // F2: 1.5 TB/s
  EXPECT_DOUBLE_EQ(p->SramBytes(), 256.0 * 1024 * 1024);  // 256 MB over 8 PEs
  // Gen5 x16 raw 63 GB/s; npu-chips.md gives ~30 GB/s effective.
  EXPECT_NEAR(p->HostLinkBytesPerS(), 30e9, 1e9);
  EXPECT_TRUE(p->Supports(DType::kF8E4M3));
  EXPECT_EQ(p->default_dtype, DType::kBF16);
}

TEST(Preset, OnlyRngdHasFp8AndWarboyIsInt8Only) {
  auto atom = LoadPresetFile(kDir + "/atom.preset");
  auto warboy = LoadPresetFile(kDir + "/warboy.preset");
  ASSERT_TRUE(atom.ok() && warboy.ok());
  EXPECT_FALSE(atom->Supports(DType::kF8E4M3));
  EXPECT_TRUE(atom->Supports(DType::kF16));
  EXPECT_DOUBLE_EQ(atom->dram_bytes_per_s, 256e9);
  EXPECT_EQ(warboy->dtypes, std::vector<DType>{DType::kI8});
  EXPECT_DOUBLE_EQ(warboy->peak_ops_int8, 64e12);
  EXPECT_NEAR(warboy->HostLinkBytesPerS(), 1.969e9 * 8 * 0.8, 1e6);  // Gen4 x8
}

std::string Status_(const char* text) {
  auto p = ParsePreset(text, "bad.preset");
  return p.ok() ? "ok" : p.status().message();
}

TEST(Preset, BadFilesNameFileAndLine) {
  EXPECT_NE(Status_("# c\ncores 8  # source: x\n").find("bad.preset:2"), std::string::npos);
  EXPECT_NE(Status_("bogus = 1  # source: x\n").find("unknown key 'bogus'"), std::string::npos);
  EXPECT_NE(Status_("cores = 8\n").find("bad.preset:1"), std::string::npos);  // no source
  EXPECT_NE(Status_("cores = 8 # source: a\ncores = 8 # source: a\n").find("given twice"),
            std::string::npos);
  EXPECT_NE(Status_("cores = -3 # source: a\n").find("bad.preset:1: cores"), std::string::npos);
  EXPECT_NE(Status_("clock_ghz = abc # source: a\n").find("not a finite"), std::string::npos);
  EXPECT_NE(Status_("cores = 8 # source: a\n").find("missing key"), std::string::npos);
}

TEST(Preset, DefaultDtypeMustBeListed) {
  auto p = LoadPresetFile(kDir + "/rngd.preset");
  ASSERT_TRUE(p.ok());
  // Rebuild rngd with fp16 as default: rngd has no fp16.
  auto bad = ParsePreset(
      "name = x # source: a\ndisplay_name = x # source: a\nvendor = x # source: a\n"
      "cores = 1 # source: a\nclock_ghz = 1 # source: a\npeak_tflops_bf16 = 1 # source: a\n"
      "vector_gelems = 1 # source: a\nsram_per_core_mib = 1 # source: a\n"
      "dram_gib = 1 # source: a\ndram_gbps = 1 # source: a\ndma_engines = 1 # source: a\n"
      "dma_setup_cycles = 0 # source: a\npcie_gen = 4 # source: a\npcie_lanes = 4 # source: a\n"
      "host_link_efficiency = 1 # source: a\nlaunch_overhead_us = 1 # source: a\n"
      "command_overhead_ns = 1 # source: a\ndtypes = bf16 # source: a\n"
      "default_dtype = fp16 # source: a\n",
      "x.preset");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("default_dtype f16 is not in dtypes"), std::string::npos)
      << bad.status().message();
}

TEST(Preset, MissingFileIsAnError) {
  EXPECT_FALSE(LoadPresetFile(kDir + "/no-such.preset").ok());
  EXPECT_FALSE(LoadPresetDir(kDir + "/no-such-dir").ok());
}

}  // namespace
}  // namespace hetero::npu_sim
