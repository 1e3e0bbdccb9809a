// The fixture models (tests/models/*.onnx) on npu-sim devices: inputs fixed to static
// shapes, Pipeline::Default(), placement over [npu-sim:PRESET, cpu] (embedding Gathers
// and integer shape arithmetic go to the host), compared with the f32 reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "compiler/passes/pipeline.h"
#include "devices/cpu/plugin.h"
#include "devices/npu_sim/npu_plugin.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/reference_executor.h"

namespace hetero::npu_sim {
namespace {

const std::string kFixtureDir = HETERO_FIXTURE_DIR;

// Re-infers every node's output types after the inputs were given static shapes; the
// values of small integer tensors (shape arithmetic) are computed on the way so that
// Reshape targets resolve.
Status Reinfer(ir::Graph& g) {
  std::map<const ir::Value*, Tensor> known;
  for (const auto& node : g.nodes()) {
    std::vector<TensorType> types(node->inputs().size());
    std::vector<const TensorType*> tptr(node->inputs().size(), nullptr);
    std::vector<const Tensor*> vals(node->inputs().size(), nullptr);
    bool all_known = true;
    for (size_t i = 0; i < node->inputs().size(); ++i) {
      const ir::Value* v = node->inputs()[i];
      if (v == nullptr) continue;
      types[i] = v->type();
      tptr[i] = &types[i];
      if (v->constant() != nullptr) {
        vals[i] = v->constant();
      } else if (known.count(v)) {
        vals[i] = &known[v];
      } else {
        all_known = false;
      }
    }
    ops::InferContext ictx{tptr, vals, node->attrs(), node->outputs().size()};
    HETERO_ASSIGN_OR_RETURN(std::vector<TensorType> outs, node->schema().infer(ictx));
    for (size_t o = 0; o < outs.size(); ++o) node->outputs()[o]->set_type(outs[o]);
    if (!all_known || outs.size() != 1) continue;
    auto dims = outs[0].shape.StaticDims();
    if (!dims || IsFloat(outs[0].dtype)) continue;
    int64_t n = 1;
    for (int64_t d : *dims) n *= d;
    if (n > 64) continue;
    HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(outs[0].dtype, *dims));
    Tensor* out = &t;
    ops::KernelContext kctx{vals, std::span<Tensor* const>(&out, 1), node->attrs()};
    HETERO_RETURN_IF_ERROR(node->schema().reference(kctx));
    known[node->outputs()[0]] = std::move(t);
  }
  return OkStatus();
}

struct Case {
  const char* model;
  std::vector<const char*> inputs;
};

// One device configuration and its bounds on the first output, model-wide: max |device -
// reference| / max |reference| and the cosine. A model runs dozens of ops in the format,
// so the bound is a multiple of the format's unit roundoff u (bf16 2^-8, fp16 2^-11,
// f8e4m3 2^-4): bf16 5e-2 (12.8 u), fp16 1e-2 (20 u). fp8 rounds only the matrix
// operands to f8e4m3 (the rest stays bf16): max rel error 8 u = 0.5, and cosine >= 0.968
// (sqrt(1 - (4 u)^2) = 0.9682: a relative L2 error of at most 4 u). int8 (matrix ops
// with constant weights in int8, calibrated on held-out inputs, the rest bf16): max rel
// error 0.2 and cosine >= 0.995, about twice the worst measured (0.097, 1 - 2.1e-3).
struct Config {
  uint32_t index;
  const char* preset;
  const char* options;  // compile options ("" = the preset's default format)
  const char* format;
  double max_rel;
  double min_cos;
};

struct Measured {
  size_t on_npu = 0, nodes = 0;
  double max_rel = 0, cosine = 0;
};

// Calibration inputs for int8 that differ from the evaluated ones: each input_ids
// tensor's tokens in reverse order (the other inputs as they are).
std::map<std::string, Tensor> HeldOutCalibration(const std::map<std::string, Tensor>& inputs) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : inputs) {
    Tensor copy = t.Clone().value();
    if (name == "input_ids") {
      const int64_t n = t.num_elements();
      for (int64_t i = 0; i < n; ++i) {
        copy.mutable_data<int64_t>()[i] = t.data<int64_t>()[n - 1 - i];
      }
    }
    out[name] = std::move(copy);
  }
  return out;
}

// The model `c` with its b2s7 inputs, on [npu, cpu] with `options` for the npu, against
// the f32 reference. int8 calibrates through the session's path: the whole graph on the
// reference kernels over held-out model inputs, the NPU segment's inputs captured.
void RunFixture(const Case& c, const std::shared_ptr<plugins::Device>& npu,
                const std::shared_ptr<plugins::Device>& cpu, const char* options, Measured& m) {
  auto model = LoadModel(kFixtureDir + "/" + c.model + "_opset17.onnx");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ir::Graph& g = *model->graph;
  std::map<std::string, Tensor> inputs;
  for (const char* name : c.inputs) {
    auto t = ReadNpy(kFixtureDir + "/" + c.model + "/" + name + "_b2s7.npy");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    inputs[name] = *t;
  }
  for (ir::Value* in : g.inputs()) {
    ASSERT_TRUE(inputs.count(in->name())) << in->name();
    in->set_type(inputs[in->name()].type());
  }
  ASSERT_TRUE(Reinfer(g).ok());
  auto passes = passes::Pipeline::Default().Run(g);
  ASSERT_TRUE(passes.ok()) << passes.status().ToString();
  ASSERT_TRUE(Reinfer(g).ok());
  auto want = RunReference(g, inputs);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  const bool int8 = std::string(options).find("int8") != std::string::npos;
  auto exec = PartitionedExecutor::Create(
      g, {npu, cpu}, {}, {{npu->name(), options}},
      int8 ? HeldOutCalibration(inputs) : std::map<std::string, Tensor>{});
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  for (const auto& n : (*exec)->plan().nodes) m.on_npu += n.device == 0;
  m.nodes = (*exec)->plan().nodes.size();
  auto got = (*exec)->Run(inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  double max_abs = 0, max_err = 0, dot = 0, nw = 0, ng = 0;
  const Tensor& w = (*want)[0];
  const Tensor& o = (*got)[0];
  for (int64_t i = 0; i < w.num_elements(); ++i) {
    const double a = w.GetDouble(i), b = o.GetDouble(i);
    max_abs = std::max(max_abs, std::fabs(a));
    max_err = std::max(max_err, std::fabs(a - b));
    dot += a * b;
    nw += a * a;
    ng += b * b;
  }
  m.max_rel = max_err / max_abs;
  m.cosine = dot / std::sqrt(nw * ng);
}

TEST(NpuSimFixtures, ModelsMatchTheF32Reference) {
  auto host = std::make_shared<plugins::HostServices>(2);
  auto npu_lib = plugins::PluginLibrary::FromEntry("npu-sim", &hetero_npu_sim_plugin_get_api);
  auto cpu_lib = plugins::PluginLibrary::FromEntry("cpu", &hetero_cpu_plugin_get_api);
  ASSERT_TRUE(npu_lib.ok() && cpu_lib.ok());
  auto npu = plugins::Plugin::Create(*npu_lib, host);
  auto cpu = plugins::Plugin::Create(*cpu_lib, host);
  ASSERT_TRUE(npu.ok() && cpu.ok());
  auto cpu_dev = (*cpu)->OpenDevice(0);
  ASSERT_TRUE(cpu_dev.ok());
  const std::vector<Case> cases = {{"gpt2", {"input_ids"}},
                                   {"bert", {"input_ids", "attention_mask", "token_type_ids"}},
                                   {"llama", {"input_ids"}}};
  const std::vector<Config> configs = {{2, "rngd", "", "bf16", 5e-2, 0.999},
                                       {0, "atom", "", "fp16", 1e-2, 0.9999},
                                       {2, "rngd", "precision=fp8", "fp8", 0.5, 0.968},
                                       {2, "rngd", "precision=int8", "int8", 0.2, 0.995}};
  for (const Config& config : configs) {
    auto dev = (*npu)->OpenDevice(config.index);
    ASSERT_TRUE(dev.ok());
    ASSERT_EQ((*dev)->properties().name, std::string("npu-sim:") + config.preset);
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.model) + " on " + config.preset + " in " + config.format);
      Measured m;
      RunFixture(c, *dev, *cpu_dev, config.options, m);
      if (HasFatalFailure()) return;
      std::printf(
          "%s on npu-sim:%s (%s): %zu of %zu nodes on the NPU, max rel error %.3g, "
          "cosine %.7f\n",
          c.model, config.preset, config.format, m.on_npu, m.nodes, m.max_rel, m.cosine);
      EXPECT_GT(m.on_npu, 0u);
      EXPECT_LE(m.max_rel, config.max_rel);
      EXPECT_GE(m.cosine, config.min_cos);
    }
  }
}

}  // namespace
}  // namespace hetero::npu_sim
