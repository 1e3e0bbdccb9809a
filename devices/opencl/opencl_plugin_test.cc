// The OpenCL plugin's own behaviour: properties read from the driver, the program
// cache, both MatMul kernels, build failures, allocation limits and enqueue failures
// reported as clean errors.
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/reference_executor.h"

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
  auto good = device_->Compile(**view);
  EXPECT_TRUE(good.ok()) << "the device still compiles after a failed build: "
                         << good.status().ToString();
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

// The kernels index with 32 bits: a tensor that claims 2^31 elements or more is refused
// by name before anything is allocated for it, on the device or on the host. bool
// elements make 2 GiB, which is within PoCL's largest allocation, so only the index
// check stands between the claim and the allocation.
TEST_F(OpenclPlugin, TensorOf2To31ElementsIsRefusedBeforeAllocation) {
  const int64_t kElements = int64_t{1} << 31;
  for (DType dtype : {DType::kF32, DType::kBool}) {
    for (const std::string op : {"Expand", "ConstantOfShape"}) {
      ir::Graph g("claims");
      auto* x = g.AddInput("x", TensorType{dtype, Shape({1})}).value();
      auto* shape = g.AddConstant("shape", Tensor::FromInt64({1}, {kElements})).value();
      ir::Value* big = nullptr;
      if (op == "Expand") {
        big = g.AddNode("Expand", {x, shape}, {}, 1, "huge").value()->output(0);
      } else {  // shape arithmetic: runs on the host
        ops::Attributes attrs;
        attrs.Set("value", int64_t{1});
        attrs.Set("dtype", std::string(DTypeName(dtype)));
        big = g.AddNode("ConstantOfShape", {shape}, attrs, 1, "huge").value()->output(0);
      }
      auto* starts = g.AddConstant("starts", Tensor::FromInt64({1}, {0})).value();
      auto* ends = g.AddConstant("ends", Tensor::FromInt64({1}, {1})).value();
      auto* first = g.AddNode("Slice", {big, starts, ends}).value()->output(0);
      g.AddOutput(g.AddNode("Equal", {first, x}).value()->output(0));
      auto executor = DeviceExecutor::Create(g, device_);
      ASSERT_TRUE(executor.ok()) << executor.status().ToString();
      auto got = (*executor)->Run({{"x", Tensor::FromInt64({1}, {1}, dtype)}});
      ASSERT_FALSE(got.ok()) << op << " " << DTypeName(dtype);
      const std::string message = got.status().message();
      EXPECT_EQ(got.status().code(), StatusCode::kUnimplemented) << message;
      EXPECT_NE(message.find("'huge'"), std::string::npos) << message;
      EXPECT_NE(message.find(big->name()), std::string::npos) << message;
      EXPECT_NE(message.find("[2147483648]"), std::string::npos) << message;
      EXPECT_NE(message.find("index with 32 bits"), std::string::npos) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

// Deterministic values in [-1.5, 1.5].
Tensor Filled(std::vector<int64_t> dims, int seed) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = float((i * 7 + size_t(seed) * 13) % 25) / 8 - 1.5f;
  return Tensor::FromFloat(dims, v);
}

// MatMul shapes that hit every edge of both kernels: partial row and column blocks, K
// not a multiple of 4, broadcast batch dims, transpose flags, bias and activation.
TEST_F(OpenclPlugin, MatMulKernelsMatchTheReference) {
  struct Case {
    std::vector<int64_t> a, b, bias;
    int64_t ta, tb;
    std::string act;
  };
  const std::vector<Case> cases = {{{2, 1, 13, 19}, {3, 19, 37}, {}, 0, 0, "none"},
                                   {{14, 64}, {64, 100}, {100}, 0, 0, "gelu"},
                                   {{2, 9, 33}, {2, 48, 33}, {48}, 0, 1, "relu"},
                                   {{20, 7}, {20, 16}, {}, 1, 0, "silu"},
                                   {{1, 64}, {64, 256}, {256}, 0, 0, "none"}};
  for (const std::string options : {"", "matmul=tiled", "matmul=blocked"}) {
    for (const Case& c : cases) {
      ir::Graph g("mm");
      auto* a = g.AddInput("a", TensorType{DType::kF32, Shape::FromStatic(c.a)}).value();
      auto* b = g.AddInput("b", TensorType{DType::kF32, Shape::FromStatic(c.b)}).value();
      std::vector<ir::Value*> ins = {a, b};
      if (!c.bias.empty()) ins.push_back(g.AddConstant("bias", Filled(c.bias, 3)).value());
      ops::Attributes attrs;
      attrs.Set("transpose_a", c.ta);
      attrs.Set("transpose_b", c.tb);
      attrs.Set("activation", c.act);
      auto node = g.AddNode("FusedMatMul", ins, attrs);
      ASSERT_TRUE(node.ok()) << node.status().ToString();
      g.AddOutput((*node)->output(0));
      const std::map<std::string, Tensor> inputs = {{"a", Filled(c.a, 1)}, {"b", Filled(c.b, 2)}};
      auto want = RunReference(g, inputs);
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      auto executor = DeviceExecutor::Create(g, device_, options);
      ASSERT_TRUE(executor.ok()) << executor.status().ToString();
      auto got = (*executor)->Run(inputs);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ((*got)[0].dims(), (*want)[0].dims());
      int64_t bad = 0;
      for (int64_t e = 0; e < (*want)[0].num_elements(); ++e) {
        const double w = (*want)[0].GetDouble(e), v = (*got)[0].GetDouble(e);
        if (!(std::fabs(w - v) <= 1e-4 * std::max(1.0, std::fabs(w)))) ++bad;
      }
      EXPECT_EQ(bad, 0) << "options '" << options << "', a " << Shape::FromStatic(c.a).ToString()
                        << " b " << Shape::FromStatic(c.b).ToString();
    }
  }
  auto g = SmallGraph();
  auto view = plugins::GraphView::FromGraph(*g);
  ASSERT_TRUE(view.ok());
  auto bad_option = device_->Compile(**view, "matmul=fast");
  ASSERT_FALSE(bad_option.ok());
  EXPECT_NE(bad_option.status().message().find("matmul='fast'"), std::string::npos);
}

// HETERO_OPENCL_MAX_ALLOC lowers the largest allocation, so tensors beyond it are reached
// with small graphs: each refusal names the tensor.
TEST_F(OpenclPlugin, LoweredLargestAllocationNamesTheTensor) {
  ::setenv("HETERO_OPENCL_MAX_ALLOC", "4096", 1);
  auto device = OpenDevice();
  ::unsetenv("HETERO_OPENCL_MAX_ALLOC");
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(device->properties().max_allocation_bytes, 4096u);
  ir::Graph g("limit");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({1024})}).value();
  ops::Attributes axis0;
  axis0.Set("axis", int64_t{0});
  ir::Value* wide = g.AddNode("Concat", {x, x}, axis0, 1, "too_wide").value()->output(0);
  g.AddOutput(g.AddNode("ReduceSum", {wide}).value()->output(0));
  auto executor = DeviceExecutor::Create(g, device);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto got = (*executor)->Run({{"x", Filled({1024}, 0)}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kResourceExhausted) << got.status().ToString();
  EXPECT_NE(got.status().message().find("too_wide"), std::string::npos) << got.status().message();
  // A constant beyond the limit is refused at compile, by name.
  ir::Graph c("constant");
  auto* y = c.AddInput("y", TensorType{DType::kF32, Shape({2048})}).value();
  auto* w = c.AddConstant("big_weight", Filled({2048}, 1)).value();
  c.AddOutput(c.AddNode("Add", {y, w}).value()->output(0));
  auto refused = DeviceExecutor::Create(c, device);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("big_weight"), std::string::npos)
      << refused.status().message();
  // Within the limit the same device runs.
  auto small_graph = SmallGraph();  // outlives its executor
  auto small = DeviceExecutor::Create(*small_graph, device);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_TRUE((*small)->Run({{"x", Filled({4}, 0)}}).ok());
}

// HETERO_OPENCL_FAIL_ENQUEUE makes one kernel's enqueue fail with CL_OUT_OF_RESOURCES:
// the run fails naming the node and the kernel, and the executor runs again afterwards.
TEST_F(OpenclPlugin, OutOfResourcesAtEnqueueIsACleanError) {
  ir::Graph g("oor");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({4})}).value();
  auto* e = g.AddNode("Exp", {x}, {}, 1, "the_exp").value()->output(0);
  g.AddOutput(g.AddNode("Add", {e, x}).value()->output(0));
  auto executor = DeviceExecutor::Create(g, device_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  const std::map<std::string, Tensor> inputs = {{"x", Filled({4}, 0)}};
  ::setenv("HETERO_OPENCL_FAIL_ENQUEUE", "unary_f32", 1);
  auto failed = (*executor)->Run(inputs);
  ::unsetenv("HETERO_OPENCL_FAIL_ENQUEUE");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kResourceExhausted) << failed.status().ToString();
  const std::string message = failed.status().message();
  EXPECT_NE(message.find("the_exp"), std::string::npos) << message;
  EXPECT_NE(message.find("unary_f32"), std::string::npos) << message;
  EXPECT_NE(message.find("CL_OUT_OF_RESOURCES"), std::string::npos) << message;
  auto again = (*executor)->Run(inputs);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto want = RunReference(g, inputs);
  ASSERT_TRUE(want.ok());
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_NEAR((*again)[0].GetDouble(i), (*want)[0].GetDouble(i), 1e-5);
}

// Integer Div (truncating, wrapping MIN / -1), Neg and Relu, and f32 Pow run on the
// device and match the reference; a zero divisor is an error naming the node.
TEST_F(OpenclPlugin, IntegerOpsAndPowMatchTheReference) {
  for (DType dtype : {DType::kI32, DType::kI64}) {
    const int64_t min = dtype == DType::kI32 ? INT32_MIN : INT64_MIN;
    ir::Graph g("ints");
    auto* a = g.AddInput("a", TensorType{dtype, Shape({6})}).value();
    auto* b = g.AddInput("b", TensorType{dtype, Shape({6})}).value();
    auto* q = g.AddNode("Div", {a, b}, {}, 1, "the_div").value()->output(0);
    g.AddOutput(q);
    g.AddOutput(g.AddNode("Neg", {q}).value()->output(0));
    g.AddOutput(g.AddNode("Relu", {a}).value()->output(0));
    auto executor = DeviceExecutor::Create(g, device_);
    ASSERT_TRUE(executor.ok()) << executor.status().ToString();
    std::map<std::string, Tensor> inputs = {
        {"a", Tensor::FromInt64({6}, {7, -7, 7, -7, min, 5}, dtype)},
        {"b", Tensor::FromInt64({6}, {2, 2, -2, -2, -1, 7}, dtype)}};
    auto want = RunReference(g, inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), 3u);
    EXPECT_EQ((*got)[0].ToInt64Vector(), (std::vector<int64_t>{3, -3, -3, 3, min, 0}));
    for (size_t o = 0; o < 3; ++o) {
      EXPECT_EQ((*got)[o].ToInt64Vector(), (*want)[o].ToInt64Vector()) << "output " << o;
    }
    inputs["b"] = Tensor::FromInt64({6}, {1, 1, 1, 0, 1, 1}, dtype);
    auto zero = (*executor)->Run(inputs);
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.status().message().find("the_div"), std::string::npos)
        << zero.status().message();
    EXPECT_NE(zero.status().message().find("division by zero at element 3"), std::string::npos)
        << zero.status().message();
  }
  ir::Graph p("pow");
  auto* x = p.AddInput("x", TensorType{DType::kF32, Shape({5})}).value();
  auto* y = p.AddInput("y", TensorType{DType::kF32, Shape({5})}).value();
  p.AddOutput(p.AddNode("Pow", {x, y}).value()->output(0));
  auto executor = DeviceExecutor::Create(p, device_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  const std::map<std::string, Tensor> inputs = {
      {"x", Tensor::FromFloat({5}, {2, 4, 1.5f, -2, 0})},
      {"y", Tensor::FromFloat({5}, {10, 0.5f, -2.25f, 3, 0})}};
  auto want = RunReference(p, inputs);
  auto got = (*executor)->Run(inputs);
  ASSERT_TRUE(want.ok() && got.ok());
  const std::vector<double> exact = {1024, 2, std::pow(1.5, -2.25), -8, 1};
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_NEAR((*got)[0].GetDouble(i), exact[size_t(i)], 1e-5 * std::fabs(exact[size_t(i)]));
    EXPECT_NEAR((*got)[0].GetDouble(i), (*want)[0].GetDouble(i),
                1e-5 * std::fabs(exact[size_t(i)]));
  }
}

// Integer Pow (by squaring, wrapping; negative exponents truncate 1 / base^n) and
// integer ReduceSum (wrapping), ReduceMean (truncating) and ReduceMax run on the device
// and match the reference; 0 to a negative power and a mean over nothing are errors.
TEST_F(OpenclPlugin, IntegerPowAndReductionsMatchTheReference) {
  for (DType dtype : {DType::kI32, DType::kI64}) {
    ir::Graph g("int_pow_reduce");
    auto* a = g.AddInput("a", TensorType{dtype, Shape({2, 4})}).value();
    auto* b = g.AddInput("b", TensorType{dtype, Shape({2, 4})}).value();
    g.AddOutput(g.AddNode("Pow", {a, b}, {}, 1, "the_pow").value()->output(0));
    ops::Attributes last;
    last.Set("axes", std::vector<int64_t>{-1});
    for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax"}) {
      g.AddOutput(g.AddNode(op, {a}, last).value()->output(0));
      g.AddOutput(g.AddNode(op, {b}).value()->output(0));  // all axes
    }
    auto executor = DeviceExecutor::Create(g, device_);
    ASSERT_TRUE(executor.ok()) << executor.status().ToString();
    const int64_t big = dtype == DType::kI32 ? INT32_MAX : INT64_MAX;
    std::map<std::string, Tensor> inputs = {
        {"a", Tensor::FromInt64({2, 4}, {3, -2, 7, big, -1, 1, -5, big}, dtype)},
        {"b", Tensor::FromInt64({2, 4}, {4, 5, 40, 2, -3, -7, -1, 1}, dtype)}};
    auto want = RunReference(g, inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto got = (*executor)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), 7u);
    EXPECT_EQ((*got)[0].ToInt64Vector()[0], 81);
    EXPECT_EQ((*got)[0].ToInt64Vector()[4], -1) << "(-1)^-3";
    EXPECT_EQ((*got)[0].ToInt64Vector()[6], 0) << "(-5)^-1 truncates";
    for (size_t o = 0; o < got->size(); ++o) {
      EXPECT_EQ((*got)[o].ToInt64Vector(), (*want)[o].ToInt64Vector())
          << DTypeName(dtype) << " output " << o;
    }
    inputs["a"] = Tensor::FromInt64({2, 4}, {3, -2, 7, 0, -1, 1, -5, 0}, dtype);
    inputs["b"] = Tensor::FromInt64({2, 4}, {4, 5, 40, -2, -3, -7, -1, 1}, dtype);
    auto zero = (*executor)->Run(inputs);
    ASSERT_FALSE(zero.ok());
    EXPECT_NE(zero.status().message().find("the_pow"), std::string::npos)
        << zero.status().message();
    EXPECT_NE(zero.status().message().find("0 raised to a negative power at element 3"),
              std::string::npos)
        << zero.status().message();
  }
  ir::Graph e("empty_mean");
  auto* x = e.AddInput("x", TensorType{DType::kI64, Shape({2, 0})}).value();
  ops::Attributes last;
  last.Set("axes", std::vector<int64_t>{1});
  e.AddOutput(e.AddNode("ReduceMean", {x}, last, 1, "the_mean").value()->output(0));
  auto executor = DeviceExecutor::Create(e, device_);
  ASSERT_TRUE(executor.ok()) << executor.status().ToString();
  auto empty = (*executor)->Run({{"x", Tensor::FromInt64({2, 0}, {}, DType::kI64)}});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("the_mean"), std::string::npos)
      << empty.status().message();
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos) << empty.status().message();
}

}  // namespace
}  // namespace hetero
