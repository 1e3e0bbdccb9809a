// npu-sim through hetero's runtime: device names and properties, support reasons, bf16
// results bit-true to an independent rounding, a transformer block on each float preset
// against the f32 reference (after Pipeline::Default), simulated profile records.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>

#include "compiler/passes/pipeline.h"
#include "devices/npu_sim/npu_plugin.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/device_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero::npu_sim {
namespace {

class NpuSim : public ::testing::Test {
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
  }

  std::shared_ptr<plugins::Device> Open(const std::string& preset) {
    auto count = plugin_->DeviceCount();
    EXPECT_TRUE(count.ok());
    for (uint32_t i = 0; count.ok() && i < *count; ++i) {
      auto props = plugin_->Properties(i);
      if (props.ok() && props->name == "npu-sim:" + preset) {
        auto d = plugin_->OpenDevice(i);
        EXPECT_TRUE(d.ok());
        return d.ok() ? *d : nullptr;
      }
    }
    ADD_FAILURE() << "no device npu-sim:" << preset;
    return nullptr;
  }

  std::shared_ptr<plugins::HostServices> host_;
  std::shared_ptr<plugins::Plugin> plugin_;
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

TEST_F(NpuSim, OneDevicePerPresetWithItsProperties) {
  auto count = plugin_->DeviceCount();
  ASSERT_TRUE(count.ok());
  ASSERT_EQ(*count, 4u);
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  const auto& p = rngd->properties();
  EXPECT_EQ(p.kind, HETERO_DEVICE_NPU);
  EXPECT_TRUE(p.Has(HETERO_CAP_SIMULATED));
  EXPECT_TRUE(p.Has(HETERO_CAP_STATIC_SHAPES_ONLY));
  EXPECT_DOUBLE_EQ(p.memory_bandwidth, 1500e9);
}

TEST_F(NpuSim, SupportReasons) {
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  ir::Graph g("support");
  auto* table = g.AddInput("table", TensorType{DType::kF32, Shape({10, 4})}).value();
  auto* ids = g.AddInput("ids", TensorType{DType::kI64, Shape({3})}).value();
  auto* dyn = g.AddInput("dyn", TensorType{DType::kF32, Shape({Dim::Symbol("n"), 4})}).value();
  g.AddOutput(g.AddNode("Gather", {table, ids}).value()->output(0));
  ops::Attributes over_n;
  over_n.Set("axis", int64_t{0});
  g.AddOutput(g.AddNode("Softmax", {dyn}, over_n).value()->output(0));
  g.AddOutput(g.AddNode("Relu", {table}).value()->output(0));
  g.AddOutput(g.AddNode("Softmax", {dyn}).value()->output(0));
  auto view = plugins::GraphView::FromGraph(g);
  ASSERT_TRUE(view.ok());
  auto s = rngd->QuerySupport(**view);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->supported[0]);
  EXPECT_NE(s->reason[0].find("runs on the host"), std::string::npos) << s->reason[0];
  // A dynamic dim is padded to a bucket: fine for a Softmax along a static axis, not
  // along the padded one.
  EXPECT_FALSE(s->supported[1]);
  EXPECT_NE(s->reason[1].find("padding it to a bucket would change the result"), std::string::npos)
      << s->reason[1];
  EXPECT_TRUE(s->supported[2]);
  EXPECT_TRUE(s->supported[3]) << s->reason[3];
  auto warboy = Open("warboy");
  ASSERT_NE(warboy, nullptr);
  auto w = warboy->QuerySupport(**view);
  ASSERT_TRUE(w.ok());
  EXPECT_NE(w->reason[2].find("int8"), std::string::npos) << w->reason[2];
}

TEST_F(NpuSim, CompileOptionsAreChecked) {
  auto atom = Open("atom");
  ASSERT_NE(atom, nullptr);
  ir::Graph g("opts");
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({2})}).value();
  g.AddOutput(g.AddNode("Relu", {x}).value()->output(0));
  auto view = plugins::GraphView::FromGraph(g);
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(atom->Compile(**view, "dtype=fp16").ok());
  auto fp8 = atom->Compile(**view, "dtype=fp8");
  ASSERT_FALSE(fp8.ok());
  EXPECT_NE(fp8.status().message().find("atom does not compute in f8e4m3"), std::string::npos)
      << fp8.status().message();
  EXPECT_FALSE(atom->Compile(**view, "speed=11").ok());
}

TEST_F(NpuSim, Bf16ResultsAreBitTrue) {
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  ir::Graph g("add");
  auto* a = g.AddInput("a", TensorType{DType::kF32, Shape({64})}).value();
  auto* b = g.AddInput("b", TensorType{DType::kF32, Shape({64})}).value();
  g.AddOutput(g.AddNode("Add", {a, b}).value()->output(0));
  std::mt19937 rng(1);
  const Tensor ta = Random({64}, 1.0f, rng), tb = Random({64}, 1.0f, rng);
  auto exec = DeviceExecutor::Create(g, rngd);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  auto out = (*exec)->Run({{"a", ta}, {"b", tb}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  int inexact = 0;
  for (int i = 0; i < 64; ++i) {
    // Round-to-nearest-even by bit arithmetic, independent of hetero/dtype.h.
    auto rne = [](float f) {
      uint32_t u;
      std::memcpy(&u, &f, 4);
      u = (u + 0x7fff + ((u >> 16) & 1)) & 0xffff0000u;
      float r;
      std::memcpy(&r, &u, 4);
      return r;
    };
    const float want = rne(rne(ta.data<float>()[i]) + rne(tb.data<float>()[i]));
    EXPECT_EQ((*out)[0].data<float>()[i], want) << i;
    if (want != ta.data<float>()[i] + tb.data<float>()[i]) ++inexact;
  }
  EXPECT_GT(inexact, 0) << "the inputs should need rounding";
}

// Runs a compiled one-input, one-output executable through the device's streams and
// buffers.
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

StatusOr<Tensor> RunWithOptions(plugins::Device& dev, const ir::Graph& g, const Tensor& in,
                                std::vector<int64_t> out_dims, const std::string& options) {
  HETERO_ASSIGN_OR_RETURN(auto view, plugins::GraphView::FromGraph(g));
  HETERO_ASSIGN_OR_RETURN(plugins::Executable exe, dev.Compile(*view, options));
  return RunExe(dev, exe, in, std::move(out_dims));
}

TEST_F(NpuSim, SerializedExecutablesRoundTripAndRefuseBadFiles) {
  auto rngd = Open("rngd");
  auto atom = Open("atom");
  ASSERT_TRUE(rngd != nullptr && atom != nullptr);
  std::mt19937 rng(9);
  const Tensor a = Random({4, 16}, 1.0f, rng);
  ir::Graph g("mm");
  auto* x = g.AddInput("a", TensorType{DType::kF32, Shape({4, 16})}).value();
  auto* c = g.AddConstant("w", Random({16, 4}, 0.5f, rng)).value();
  g.AddOutput(g.AddNode("MatMul", {x, c}).value()->output(0));
  auto view = plugins::GraphView::FromGraph(g);
  ASSERT_TRUE(view.ok());
  auto exe = rngd->Compile(**view, "dtype=fp8");
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto bytes = exe->Serialize();
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = rngd->Deserialize(bytes->data(), bytes->size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto want = RunExe(*rngd, *exe, a, {4, 4});
  auto got = RunExe(*rngd, *back, a, {4, 4});
  ASSERT_TRUE(want.ok() && got.ok());
  EXPECT_EQ(std::memcmp(want->raw(), got->raw(), want->byte_size()), 0);
  auto other = atom->Deserialize(bytes->data(), bytes->size());
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("compiled for npu-sim:rngd"), std::string::npos)
      << other.status().message();
  std::vector<uint8_t> corrupt = *bytes;
  corrupt[corrupt.size() / 2] ^= 0x40;
  auto bad = rngd->Deserialize(corrupt.data(), corrupt.size());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("checksum"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(rngd->Deserialize(bytes->data(), 12).ok());
}

TEST_F(NpuSim, Fp8FeedsTheMatrixEngineOnRngd) {
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  std::mt19937 rng(5);
  const Tensor a = Random({8, 32}, 1.0f, rng), w = Random({32, 8}, 0.5f, rng);
  ir::Graph g("mm");
  auto* x = g.AddInput("a", TensorType{DType::kF32, Shape({8, 32})}).value();
  auto* c = g.AddConstant("w", w).value();
  g.AddOutput(g.AddNode("MatMul", {x, c}).value()->output(0));
  auto fp8 = RunWithOptions(*rngd, g, a, {8, 8}, "dtype=fp8");
  ASSERT_TRUE(fp8.ok()) << fp8.status().ToString();
  auto bf16 = RunWithOptions(*rngd, g, a, {8, 8}, "dtype=bf16");
  ASSERT_TRUE(bf16.ok()) << bf16.status().ToString();
  auto q8 = [](float f) {
    return F8E4M3ToFloat(FloatToF8E4M3(BFloat16ToFloat(FloatToBFloat16(f))));
  };
  double err8 = 0, err16 = 0;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) {
      double want8 = 0, exact = 0;
      for (int k = 0; k < 32; ++k) {
        want8 += double(q8(a.data<float>()[i * 32 + k])) * q8(w.data<float>()[k * 8 + j]);
        exact += double(a.data<float>()[i * 32 + k]) * w.data<float>()[k * 8 + j];
      }
      const float got = fp8->data<float>()[i * 8 + j];
      // One bf16 rounding of the f32 sum: within half a bf16 ulp (2^-8 relative) plus
      // the accumulation-order difference.
      EXPECT_NEAR(got, want8, std::fabs(want8) * 0.0079 + 1e-6) << i << "," << j;
      err8 = std::max(err8, std::fabs(got - exact));
      err16 = std::max(err16, std::fabs(bf16->data<float>()[i * 8 + j] - exact));
    }
  }
  std::printf("MatMul 8x32x8 on rngd: max abs error fp8 %.3g, bf16 %.3g\n", err8, err16);
  EXPECT_GT(err8, err16) << "fp8 operands should lose more than bf16 ones";
}

// A pre-LN transformer block: attention (4 heads, causal) and a Gelu MLP, static shapes.
void Block(ir::Graph& g, std::mt19937& rng) {
  constexpr int64_t S = 16, H = 64, NH = 4, D = 16, F = 256;
  auto C = [&](const char* name, std::vector<int64_t> dims, float scale) {
    return g.AddConstant(name, Random(std::move(dims), scale, rng)).value();
  };
  auto Op = [&](const char* op, std::vector<ir::Value*> in, ops::Attributes attrs = {}) {
    return g.AddNode(op, std::move(in), std::move(attrs)).value()->output(0);
  };
  auto Attr = [](const char* k, ops::AttrValue v) {
    ops::Attributes a;
    a.Set(k, std::move(v));
    return a;
  };
  auto* x = g.AddInput("x", TensorType{DType::kF32, Shape({1, S, H})}).value();
  auto* heads = g.AddConstant("heads", Tensor::FromInt64({4}, {1, S, NH, D})).value();
  auto* flat = g.AddConstant("flat", Tensor::FromInt64({3}, {1, S, H})).value();
  const ops::Attributes perm = Attr("perm", std::vector<int64_t>{0, 2, 1, 3});
  auto* h = Op("LayerNorm", {x, C("g1", {H}, 1.0f), C("b1", {H}, 0.1f)});
  auto Proj = [&](const char* w, const char* b) {
    auto* p = Op("Add", {Op("MatMul", {h, C(w, {H, H}, 0.125f)}), C(b, {H}, 0.1f)});
    return Op("Transpose", {Op("Reshape", {p, heads})}, perm);
  };
  auto* q = Proj("wq", "bq");
  auto* k = Proj("wk", "bk");
  auto* v = Proj("wv", "bv");
  auto* att = Op("Attention", {q, k, v}, Attr("causal", int64_t{1}));
  auto* merged = Op("Reshape", {Op("Transpose", {att}, perm), flat});
  auto* r1 = Op("Add", {x, Op("MatMul", {merged, C("wo", {H, H}, 0.125f)})});
  auto* h2 = Op("LayerNorm", {r1, C("g2", {H}, 1.0f), C("b2", {H}, 0.1f)});
  auto* up =
      Op("Gelu", {Op("Add", {Op("MatMul", {h2, C("w1", {H, F}, 0.125f)}), C("c1", {F}, 0.1f)})});
  g.AddOutput(Op("Add", {r1, Op("MatMul", {up, C("w2", {F, H}, 0.0625f)})}));
}

struct Error {
  double max_rel = 0;  // max |got - want| / max |want|
  double cosine = 0;
};

Error Compare(const Tensor& want, const Tensor& got) {
  double max_abs = 0, max_err = 0, dot = 0, nw = 0, ng = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double w = want.GetDouble(i), g = got.GetDouble(i);
    max_abs = std::max(max_abs, std::fabs(w));
    max_err = std::max(max_err, std::fabs(g - w));
    dot += w * g;
    nw += w * w;
    ng += g * g;
  }
  return {max_err / max_abs, dot / std::sqrt(nw * ng)};
}

TEST_F(NpuSim, TransformerBlockMatchesTheF32ReferenceOnEachFloatPreset) {
  // Tolerances on max |error| / max |reference| and cosine similarity, per format:
  // bf16 (8-bit significand, unit roundoff 2^-9) 3e-2 and 0.999; fp16 (2^-11) 5e-3 and
  // 0.9999; f32 1e-5.
  struct Case {
    const char* preset;
    double max_rel;
    double cosine;
  };
  for (const Case c : {Case{"rngd", 3e-2, 0.999}, Case{"atom", 5e-3, 0.9999},
                       Case{"npu-small", 1e-5, 0.9999999}}) {
    SCOPED_TRACE(c.preset);
    std::mt19937 rng(7);
    ir::Graph g("block");
    Block(g, rng);
    auto passes = passes::Pipeline::Default().Run(g);
    ASSERT_TRUE(passes.ok()) << passes.status().ToString();
    const std::map<std::string, Tensor> inputs = {{"x", Random({1, 16, 64}, 1.0f, rng)}};
    auto want = RunReference(g, inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    auto device = Open(c.preset);
    ASSERT_NE(device, nullptr);
    ASSERT_TRUE(device->SetProfiling(true).ok());
    auto exec = DeviceExecutor::Create(g, device);
    ASSERT_TRUE(exec.ok()) << exec.status().ToString();
    {
      std::lock_guard<std::mutex> lock(mu_);
      records_.clear();
    }
    auto got = (*exec)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    host_->WaitForTasks();
    uint64_t first = UINT64_MAX, last = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& r : records_) {
        EXPECT_TRUE(r.simulated);
        first = std::min(first, r.start_ns);
        last = std::max(last, r.end_ns);
      }
    }
    const Error e = Compare((*want)[0], (*got)[0]);
    std::printf(
        "npu-sim:%s transformer block: max rel error %.3g, cosine %.9f, simulated %.2f us "
        "(launch excluded)\n",
        c.preset, e.max_rel, e.cosine, (last - first) / 1e3);
    EXPECT_LE(e.max_rel, c.max_rel);
    EXPECT_GE(e.cosine, c.cosine);
    if (std::string(c.preset) != "npu-small") {
      EXPECT_GT(e.max_rel, 0) << "rounding had no effect";
    }
  }
}

// The transformer block (LayerNorm, fused MatMul epilogues, Attention, Gelu) compiled on
// rngd, serialized and restored: the restored executable computes the same bits as the
// compiled one, run after run, in each compute format and without fusion.
TEST_F(NpuSim, RestoredTransformerBlockIsBitIdentical) {
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  for (const char* options : {"", "precision=fp8", "fuse=0"}) {
    SCOPED_TRACE(options);
    std::mt19937 rng(11);
    ir::Graph g("block");
    Block(g, rng);
    auto passes = passes::Pipeline::Default().Run(g);
    ASSERT_TRUE(passes.ok()) << passes.status().ToString();
    const std::map<std::string, Tensor> inputs = {{"x", Random({1, 16, 64}, 1.0f, rng)}};
    auto compiled = DeviceExecutor::Create(g, rngd, options);
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    auto bytes = (*compiled)->executable().Serialize();
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto restored = DeviceExecutor::Deserialize(g, rngd, *bytes);
    ASSERT_TRUE(restored.ok()) << restored.status().ToString();
    auto want = (*compiled)->Run(inputs);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    for (int run = 0; run < 10; ++run) {
      SCOPED_TRACE(run);
      auto again = (*compiled)->Run(inputs);
      auto got = (*restored)->Run(inputs);
      ASSERT_TRUE(again.ok() && got.ok());
      ASSERT_EQ((*got)[0].byte_size(), (*want)[0].byte_size());
      EXPECT_EQ(std::memcmp((*again)[0].raw(), (*want)[0].raw(), (*want)[0].byte_size()), 0);
      EXPECT_EQ(std::memcmp((*got)[0].raw(), (*want)[0].raw(), (*want)[0].byte_size()), 0);
    }
  }
}

TEST_F(NpuSim, ProfileRecordsAreSimulatedAndInOrder) {
  auto rngd = Open("rngd");
  ASSERT_NE(rngd, nullptr);
  ASSERT_TRUE(rngd->SetProfiling(true).ok());
  std::mt19937 rng(3);
  ir::Graph g("mm");
  auto* a = g.AddInput("a", TensorType{DType::kF32, Shape({256, 512})}).value();
  auto* w = g.AddConstant("w", Random({512, 512}, 0.05f, rng)).value();
  g.AddOutput(
      g.AddNode("Relu", {g.AddNode("MatMul", {a, w}).value()->output(0)}).value()->output(0));
  auto exec = DeviceExecutor::Create(g, rngd);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  ASSERT_TRUE((*exec)->Run({{"a", Random({256, 512}, 1.0f, rng)}}).ok());
  host_->WaitForTasks();
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_GE(records_.size(), 4u);  // h2d, MatMul, Relu, d2h
  uint64_t prev_end = 0;
  for (const auto& r : records_) {
    EXPECT_TRUE(r.simulated) << r.name;
    EXPECT_GE(r.start_ns, prev_end) << r.name;
    prev_end = r.end_ns;
    std::printf("simulated %-28s %-8s %10.1f ns\n", r.name.c_str(), r.op.c_str(),
                static_cast<double>(r.end_ns - r.start_ns));
  }
  // MatMul 256x512x512 in bf16: 134,217,728 FLOP at 256 TFLOP/s = 524 ns of compute.
  // The Relu is its epilogue, so the result stays in SRAM: DMA moves a and w only,
  // 786,432 B at 1.5 TB/s = 524 ns + 500 ns setup; one tile: 1049 ns + 500 ns command.
  for (const auto& r : records_) {
    if (r.op == "MatMul") {
      EXPECT_NEAR(static_cast<double>(r.end_ns - r.start_ns), 2048.6, 2.0);
    }
  }
}

}  // namespace
}  // namespace hetero::npu_sim
