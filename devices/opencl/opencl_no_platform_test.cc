// With no OpenCL platform the plugin lists no devices, and hetero keeps working.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "runtime/plugins/plugin_registry.h"

namespace hetero {
namespace {

TEST(OpenclNoPlatform, ListsNoDevicesAndTheCpuStillOpens) {
  // The ICD loader reads its vendor list once, on the process's first OpenCL call, which
  // this test makes: an empty vendor folder means no platform.
  const auto empty = std::filesystem::temp_directory_path() / "hetero_no_icd_vendors";
  std::filesystem::create_directories(empty);
  ::setenv("OCL_ICD_VENDORS", empty.c_str(), 1);
  auto registry = plugins::LoadPluginRegistry({HETERO_OPENCL_PLUGIN_PATH}, 1);
  auto opencl = registry->OpenDevice("opencl:0");
  ASSERT_FALSE(opencl.ok());
  EXPECT_EQ(opencl.status().code(), StatusCode::kNotFound) << opencl.status().ToString();
  auto cpu = registry->OpenDevice("cpu");
  EXPECT_TRUE(cpu.ok()) << cpu.status().ToString();
}

}  // namespace
}  // namespace hetero
