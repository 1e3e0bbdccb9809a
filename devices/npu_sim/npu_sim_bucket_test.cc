// Shape buckets on npu-sim: parsing, padding, which ops are refused, timing at the
// bucket's shape with results at the real one, buckets kept through serialization, and a
// built-in transformer with symbolic dims placed on the simulated RNGD.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>

#include "compiler/passes/pipeline.h"
#include "devices/cpu/plugin.h"
#include "devices/npu_sim/buckets.h"
#include "devices/npu_sim/npu_plugin.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero::npu_sim {
namespace {

TEST(Buckets, ParseAndPad) {
  auto b = ParseBuckets("seq:128,32,64;batch:4,1");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->seq, (std::vector<int64_t>{32, 64, 128}));
  EXPECT_EQ(b->batch, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(b->ToString(), "seq:32,64,128;batch:1,4");
  auto again = ParseBuckets(b->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *b);
  EXPECT_EQ(ParseBuckets("seq:16")->batch, DefaultBuckets().batch);
  EXPECT_FALSE(ParseBuckets("seq:0").ok());
  EXPECT_FALSE(ParseBuckets("seq:").ok());
  EXPECT_FALSE(ParseBuckets("heads:4").ok());
  EXPECT_FALSE(ParseBuckets("seq:12x").ok());
  EXPECT_EQ(BucketFor(b->seq, 33), 64);
  EXPECT_EQ(BucketFor(b->seq, 32), 32);
  EXPECT_FALSE(BucketFor(b->seq, 129).has_value());
  // The leading dynamic dim of a rank >= 2 tensor is the batch, the others sequences.
  auto dims = PaddedDims(*b, {-1, -1, 768}, {3, 100, 768}, "x");
  ASSERT_TRUE(dims.ok());
  EXPECT_EQ(*dims, (std::vector<int64_t>{4, 128, 768}));
  auto too_long = PaddedDims(*b, {1, -1}, {1, 300}, "input 'x'");
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("larger than the largest seq bucket 128"),
            std::string::npos)
      << too_long.status().message();
}

class NpuSimBuckets : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = std::make_shared<plugins::HostServices>(2);
    host_->SetProfileSink([this](const plugins::ProfileRecord& r) {
      std::lock_guard<std::mutex> lock(mu_);
      records_.push_back(r);
    });
    auto lib = plugins::PluginLibrary::FromEntry("npu-sim", &hetero_npu_sim_plugin_get_api);
    ASSERT_TRUE(lib.ok()) << lib.status().ToString();
    auto plugin = plugins::Plugin::Create(*lib, host_);
    ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
    plugin_ = *plugin;
    auto d = plugin_->OpenDevice(2);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ((*d)->properties().name, "npu-sim:rngd");
    rngd_ = *d;
    ASSERT_TRUE(rngd_->SetProfiling(true).ok());
  }

  // Runs `g` on the simulated RNGD and returns the output and the MatMul's and the
  // input transfer's simulated durations.
  struct Result {
    Tensor out;
    double matmul_ns = 0;
    double h2d_ns = 0;
  };
  Result Run(const ir::Graph& g, const Tensor& x, const std::string& options) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_.clear();
    }
    Result r;
    auto exec = DeviceExecutor::Create(g, rngd_, options);
    EXPECT_TRUE(exec.ok()) << exec.status().ToString();
    if (!exec.ok()) return r;
    auto out = (*exec)->Run({{"x", x}});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return r;
    r.out = (*out)[0];
    host_->WaitForTasks();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& rec : records_) {
      const double ns = static_cast<double>(rec.end_ns - rec.start_ns);
      if (rec.op == "MatMul") r.matmul_ns = ns;
      if (rec.name.rfind("h2d", 0) == 0) r.h2d_ns = ns;
    }
    return r;
  }

  std::shared_ptr<plugins::HostServices> host_;
  std::shared_ptr<plugins::Plugin> plugin_;
  std::shared_ptr<plugins::Device> rngd_;
  std::mutex mu_;
  std::vector<plugins::ProfileRecord> records_;
};

Tensor Random(std::vector<int64_t> dims, float scale, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, scale);
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return Tensor::FromFloat(std::move(dims), v);
}

// One execute of `exe` with one input and one f32 output of `out_dims`.
StatusOr<Tensor> RunExe(plugins::Device& dev, plugins::Executable& exe, const Tensor& in,
                        std::vector<int64_t> out_dims) {
  HETERO_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(DType::kF32, out_dims));
  HETERO_ASSIGN_OR_RETURN(plugins::Buffer in_buf, dev.Allocate(in.byte_size()));
  HETERO_ASSIGN_OR_RETURN(plugins::Buffer out_buf, dev.Allocate(out.byte_size()));
  HETERO_ASSIGN_OR_RETURN(plugins::Stream stream, dev.CreateStream());
  auto Desc = [](const Tensor& t) {
    hetero_tensor_desc d{};
    d.struct_size = sizeof(d);
    d.dtype = static_cast<int32_t>(t.dtype());
    d.rank = static_cast<int32_t>(t.rank());
    for (size_t i = 0; i < t.rank(); ++i) d.dims[i] = t.dim(i);
    return d;
  };
  const hetero_tensor_desc in_desc = Desc(in), out_desc = Desc(out);
  plugins::Buffer* ins[] = {&in_buf};
  plugins::Buffer* outs[] = {&out_buf};
  HETERO_RETURN_IF_ERROR(stream.CopyToDevice(in.raw(), in_buf, 0, in.byte_size()));
  HETERO_RETURN_IF_ERROR(stream.Execute(exe, ins, {&in_desc, 1}, outs, {&out_desc, 1}));
  HETERO_RETURN_IF_ERROR(stream.CopyToHost(out_buf, 0, out.mutable_raw(), out.byte_size()));
  HETERO_RETURN_IF_ERROR(stream.Synchronize());
  return out;
}

// x[1, S, 1024] . w[1024, 1024], then Relu.
std::unique_ptr<ir::Graph> MatMulGraph(Dim seq, const Tensor& w) {
  auto g = std::make_unique<ir::Graph>("mm");
  auto* x = g->AddInput("x", TensorType{DType::kF32, Shape({Dim(1), seq, Dim(1024)})}).value();
  auto* c = g->AddConstant("w", w).value();
  g->AddOutput(
      g->AddNode("Relu", {g->AddNode("MatMul", {x, c}).value()->output(0)}).value()->output(0));
  return g;
}

TEST_F(NpuSimBuckets, TimedAtTheBucketComputedAtTheRealShape) {
  std::mt19937 rng(5);
  const Tensor w = Random({1024, 1024}, 0.03f, rng);
  const Tensor x = Random({1, 100, 1024}, 1.0f, rng);
  auto dynamic = MatMulGraph(Dim::Symbol("seq"), w);
  auto at_100 = MatMulGraph(Dim(100), w);
  auto at_128 = MatMulGraph(Dim(128), w);
  const Result padded = Run(*dynamic, x, "buckets=seq:64,128,256;batch:1");
  const Result real = Run(*at_100, x, "");
  const Result bucket = Run(*at_128, Random({1, 128, 1024}, 1.0f, rng), "");
  ASSERT_EQ(padded.out.dims(), (std::vector<int64_t>{1, 100, 1024}));
  EXPECT_EQ(std::memcmp(padded.out.raw(), real.out.raw(), real.out.byte_size()), 0);
  // The chip runs the 128-row bucket: its MatMul and input transfer take as long as a
  // static 128-row program's, longer than a 100-row one's.
  EXPECT_NEAR(padded.matmul_ns, bucket.matmul_ns, 1.0);
  EXPECT_NEAR(padded.h2d_ns, bucket.h2d_ns, 1.0);
  EXPECT_GT(padded.matmul_ns, real.matmul_ns + 100.0);
  // 100 x 1024 f32 over the link take 25/32 of 128 x 1024.
  EXPECT_NEAR(real.h2d_ns / bucket.h2d_ns, 100.0 / 128.0, 1e-3);
}

TEST_F(NpuSimBuckets, BucketsSurviveSerializationAndBoundTheShapes) {
  std::mt19937 rng(6);
  auto g = MatMulGraph(Dim::Symbol("seq"), Random({1024, 1024}, 0.03f, rng));
  auto view = plugins::GraphView::FromGraph(*g);
  ASSERT_TRUE(view.ok());
  EXPECT_FALSE(rngd_->Compile(**view, "buckets=seq:0").ok());
  EXPECT_FALSE(rngd_->Compile(**view, "buckets=len:4").ok());
  auto exe = rngd_->Compile(**view, "precision=bf16;buckets=seq:8,16;batch:1");
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto bytes = exe->Serialize();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = rngd_->Deserialize(bytes->data(), bytes->size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  // The deserialized program keeps seq buckets 8 and 16: 17 rows do not fit.
  const Tensor x16 = Random({1, 16, 1024}, 1.0f, rng);
  auto want = RunExe(*rngd_, *exe, x16, {1, 16, 1024});
  auto got = RunExe(*rngd_, *back, x16, {1, 16, 1024});
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_EQ(std::memcmp(want->raw(), got->raw(), want->byte_size()), 0);
  auto too_long = RunExe(*rngd_, *back, Random({1, 17, 1024}, 1.0f, rng), {1, 17, 1024});
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("larger than the largest seq bucket 16"),
            std::string::npos)
      << too_long.status().message();
}

// A built-in transformer keeps its symbolic dims (batch, seq): placement over
// [npu-sim:rngd, cpu] puts the encoder on the NPU; the host keeps what the chip cannot
// run (embedding Gathers, integer position arithmetic, reductions over the sequence).
TEST_F(NpuSimBuckets, SymbolicTransformerPlacedOnTheNpu) {
  auto cpu_lib = plugins::PluginLibrary::FromEntry("cpu", &hetero_cpu_plugin_get_api);
  ASSERT_TRUE(cpu_lib.ok());
  auto cpu = plugins::Plugin::Create(*cpu_lib, host_);
  ASSERT_TRUE(cpu.ok());
  auto cpu_dev = (*cpu)->OpenDevice(0);
  ASSERT_TRUE(cpu_dev.ok());
  auto model = LoadModel("builtin:bert-tiny");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ir::Graph& g = *model->graph;
  ASSERT_TRUE(passes::Pipeline::Default().Run(g).ok());
  auto exec = PartitionedExecutor::Create(g, {rngd_, *cpu_dev}, {});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  size_t matrix_on_npu = 0, matrix_total = 0;
  std::string on_cpu;
  for (const auto& n : (*exec)->plan().nodes) {
    const std::string& op = n.node->op();
    const bool matrix = op == "FusedMatMul" || op == "MatMul" || op == "Attention";
    matrix_total += matrix;
    matrix_on_npu += matrix && n.device == 0;
    if (n.device != 0) on_cpu += " " + op;
  }
  std::printf("bert-tiny on [npu-sim:rngd, cpu]: %zu of %zu matrix ops on the NPU; on cpu:%s\n",
              matrix_on_npu, matrix_total, on_cpu.c_str());
  EXPECT_GE(matrix_on_npu + 1, matrix_total) << "only the pooler may stay on the host";
  std::mt19937 rng(8);
  std::uniform_int_distribution<int64_t> ids(1, 500);
  std::vector<int64_t> id_values(2 * 11), mask(2 * 11, 1), types(2 * 11, 0);
  for (int64_t& v : id_values) v = ids(rng);
  for (int i = 8; i < 11; ++i) mask[11 + i] = 0;  // the second row is padded
  const std::map<std::string, Tensor> inputs = {
      {"input_ids", Tensor::FromInt64({2, 11}, id_values)},
      {"attention_mask", Tensor::FromInt64({2, 11}, mask)},
      {"token_type_ids", Tensor::FromInt64({2, 11}, types)}};
  auto got = (*exec)->Run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  auto want = RunReference(g, inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  double max_abs = 0, max_err = 0, dot = 0, nw = 0, ng = 0;
  for (int64_t i = 0; i < (*want)[0].num_elements(); ++i) {
    const double a = (*want)[0].GetDouble(i), b = (*got)[0].GetDouble(i);
    max_abs = std::max(max_abs, std::fabs(a));
    max_err = std::max(max_err, std::fabs(a - b));
    dot += a * b;
    nw += a * a;
    ng += b * b;
  }
  const double rel = max_err / max_abs, cos = dot / std::sqrt(nw * ng);
  std::printf("bert-tiny 2x11 on npu-sim:rngd (bf16): max rel error %.3g, cosine %.7f\n", rel, cos);
  EXPECT_LE(rel, 5e-2);
  EXPECT_GE(cos, 0.999);
}

}  // namespace
}  // namespace hetero::npu_sim
