// The OpenCL plugin's own behaviour: properties read from the driver, the program
// cache, build failures and allocation limits reported as clean errors.
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"

namespace hetero {
namespace {

namespace fs = std::filesystem;

// A fresh registry (and so a fresh plugin instance) per call.
std::shared_ptr<plugins::Device> OpenDevice() {
  static std::vector<std::unique_ptr<plugins::PluginRegistry>> keep;
  keep.push_back(plugins::LoadPluginRegistry({HETERO_OPENCL_PLUGIN_PATH}, 1));
  auto device = keep.back()->OpenDevice("opencl:0");
  return device.ok() ? *device : nullptr;
}

// The first OpenCL device, asked directly of the driver.
cl_device_id FirstClDevice() {
  cl_platform_id platform = nullptr;
  cl_uint n = 0;
  if (clGetPlatformIDs(1, &platform, &n) != CL_SUCCESS || n == 0) return nullptr;
  cl_device_id id = nullptr;
  if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &id, &n) != CL_SUCCESS) return nullptr;
  return id;
}

// y = Relu(x) + x: small enough to compile quickly, uses two kernels.
std::unique_ptr<ir::Graph> SmallGraph() {
  auto g = std::make_unique<ir::Graph>("small");
  auto* x = g->AddInput("x", TensorType{DType::kF32, Shape({4})}).value();
  auto* r = g->AddNode("Relu", {x}).value()->output(0);
  g->AddOutput(g->AddNode("Add", {r, x}).value()->output(0));
  return g;
}

class OpenclPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    device_ = OpenDevice();
    if (device_ == nullptr) GTEST_SKIP() << "no OpenCL device on this machine";
    cache_ = fs::temp_directory_path() / ("hetero_opencl_test_" + std::to_string(::getpid()));
    fs::remove_all(cache_);
    ::setenv("HETERO_CACHE_DIR", cache_.c_str(), 1);
  }
  void TearDown() override {
    if (!cache_.empty()) fs::remove_all(cache_);
  }
  std::vector<fs::path> CacheFiles() const {
    std::vector<fs::path> files;
    if (!fs::exists(cache_)) return files;
    for (const auto& e : fs::directory_iterator(cache_)) files.push_back(e.path());
    return files;
  }
  std::shared_ptr<plugins::Device> device_;
  fs::path cache_;
};

TEST_F(OpenclPlugin, PropertiesComeFromTheDriver) {
  cl_device_id id = FirstClDevice();
  ASSERT_NE(id, nullptr);
  char name[256] = {};
  cl_ulong global = 0, max_alloc = 0;
  ASSERT_EQ(clGetDeviceInfo(id, CL_DEVICE_NAME, sizeof(name) - 1, name, nullptr), CL_SUCCESS);
  ASSERT_EQ(clGetDeviceInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(global), &global, nullptr),
            CL_SUCCESS);
  ASSERT_EQ(
      clGetDeviceInfo(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(max_alloc), &max_alloc, nullptr),
      CL_SUCCESS);
  const auto& p = device_->properties();
  EXPECT_EQ(p.name, std::string(name).substr(0, 127));
  EXPECT_EQ(p.memory_bytes, global);
  EXPECT_EQ(p.max_allocation_bytes, max_alloc);
  EXPECT_TRUE(p.Has(HETERO_CAP_ASYNC));
  EXPECT_TRUE(p.Has(HETERO_CAP_EVENTS));
  EXPECT_GT(p.PeakFlops(DType::kF32), 0);
}

TEST_F(OpenclPlugin, ProgramBinaryIsCachedAndReused) {
  auto g = SmallGraph();
  auto view = plugins::GraphView::FromGraph(*g);
  ASSERT_TRUE(view.ok());
  auto first = device_->Compile(**view);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto files = CacheFiles();
  ASSERT_EQ(files.size(), 1u) << "one binary per (device, driver, options, sources)";
  const auto written = fs::last_write_time(files[0]);
  auto again = OpenDevice()->Compile(**view);  // a second plugin instance
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(CacheFiles().size(), 1u);
  EXPECT_EQ(fs::last_write_time(files[0]), written) << "the cached binary was rebuilt";
  // A corrupt entry is ignored and replaced.
  { std::ofstream(files[0], std::ios::binary | std::ios::trunc) << "not a binary"; }
  auto rebuilt = OpenDevice()->Compile(**view);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_GT(fs::file_size(files[0]), 100u);
}

TEST_F(OpenclPlugin, FailedBuildIsACleanErrorWithTheLogsFirstLine) {
  auto g = SmallGraph();
  auto view = plugins::GraphView::FromGraph(*g);
  ASSERT_TRUE(view.ok());
  auto compiled = device_->Compile(**view, "cl_options=-DHETERO_TEST_BROKEN_BUILD");
  ASSERT_FALSE(compiled.ok());
  const std::string message = compiled.status().message();
  EXPECT_NE(message.find("building the kernels"), std::string::npos) << message;
  EXPECT_NE(message.find("meant to fail"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  EXPECT_TRUE(CacheFiles().empty()) << "a failed build must not be cached";
}

TEST_F(OpenclPlugin, BufferBeyondTheLargestAllocationIsRefused) {
  const uint64_t max_alloc = device_->properties().max_allocation_bytes;
  ASSERT_GT(max_alloc, 0u);
  auto buffer = device_->Allocate(max_alloc + 1);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(buffer.status().message().find("largest allocation"), std::string::npos)
      << buffer.status().message();
}

TEST_F(OpenclPlugin, IntermediateBeyondTheLargestAllocationIsNamed) {
  const uint64_t max_alloc = device_->properties().max_allocation_bytes;
  const int64_t elements = static_cast<int64_t>(max_alloc / 4 + 1);
  if (elements > INT32_MAX) GTEST_SKIP() << "the largest allocation exceeds 32-bit indexing";
  ir::Graph g("big");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({1})}).value();
  auto* shape = g.AddConstant("shape", Tensor::FromInt64({1}, {elements})).value();
  auto* big = g.AddNode("Expand", {x, shape}, {}, 1, "huge_expand").value()->output(0);
  g.AddOutput(g.AddNode("ReduceSum", {big}).value()->output(0));
  auto executor = DeviceExecutor::Create(g, device_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto got = (*executor)->Run({{"x", Tensor::FromFloat({1}, {1.0f})}});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("huge_expand"), std::string::npos)
      << got.status().message();
  EXPECT_NE(got.status().message().find("largest allocation"), std::string::npos)
      << got.status().message();
}

}  // namespace
}  // namespace hetero
