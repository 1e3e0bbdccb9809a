// Writes ONNX exports of the tiny built-ins (and of a graph of the ops the exporter
// decomposes) with inputs and reference-executor outputs, for export_check.py.
//
// Usage: hetero_export_fixture OUTDIR
// Layout: OUTDIR/<model>/model.onnx, OUTDIR/<model>/<case>/inputs/<name>.npy,
//         OUTDIR/<model>/<case>/outputs/<name>.npy; cases b1s8 and b2s5.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "compiler/builtin/builder.h"
#include "compiler/builtin/builtin.h"
#include "compiler/onnx/exporter.h"
#include "runtime/io/npy.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

namespace fs = std::filesystem;
using builtin::GraphBuilder;

constexpr int64_t kDim = 16;

ops::Attributes Attrs(std::initializer_list<std::pair<const char*, ops::AttrValue>> items) {
  ops::Attributes attrs;
  for (const auto& [name, value] : items) attrs.Set(name, value);
  return attrs;
}

// The ops hetero has and ONNX opset 17 lacks, on x [batch, seq, 16] and an additive
// mask [batch, 1, 1, seq]; plus a few ops whose attributes move or change form.
void BuildDecomposedBody(GraphBuilder& b, ir::Value* x, ir::Value* mask) {
  ir::Value* gelu = b.Op("Gelu", {x});
  ir::Value* gelu_tanh = b.Op("Gelu", {x}, Attrs({{"approximate", std::string("tanh")}}));
  ir::Value* rsqrt = b.Op("Rsqrt", {b.Add(b.Mul(x, x), b.ScalarF32(1.0f))});
  ir::Value* rms = b.Op("RMSNorm", {x, b.RandomWeight("rms.weight", {kDim}, 0.1f, 1.0f)});
  ir::Value* swiglu = b.Op("SwiGLU", {gelu, gelu_tanh});
  ir::Value* elementwise = b.Op("Concat", {b.Op("Silu", {x}), rsqrt, rms, swiglu},
                                Attrs({{"axis", int64_t{-1}}}), "elementwise");
  b.Output(elementwise);
  // FusedMatMul [batch, seq, 16] x [24, 16]^T + bias, gelu_tanh: q, k, v for attention.
  ir::Value* fused =
      b.Op("FusedMatMul",
           {x, b.RandomWeight("fm.weight", {24, kDim}, 0.3f), b.RandomWeight("fm.bias", {24})},
           Attrs({{"transpose_b", int64_t{1}}, {"activation", std::string("gelu_tanh")}}), "fused");
  b.Output(fused);
  ir::Value* q = builtin::SplitHeads(b, b.Slice(fused, 0, 16, -1), 4, 4);
  ir::Value* k = builtin::SplitHeads(b, b.Slice(fused, 16, 20, -1), 1, 4);
  ir::Value* v = builtin::SplitHeads(b, b.Slice(fused, 20, 24, -1), 1, 4);
  ir::Value* roped = b.Op("Rope", {q, b.Op("Cos", {q}), b.Op("Sin", {q})});
  ir::Value* causal = b.Op("Attention", {roped, k, v, mask}, Attrs({{"causal", int64_t{1}}}));
  ir::Value* keep = b.Op("Greater", {mask, b.ScalarF32(-1.0f)});
  ir::Value* plain = b.Op("Attention", {q, k, v, keep}, Attrs({{"scale", 0.3}}));
  ir::Value* merged = builtin::MergeHeads(b, b.Add(causal, plain), 4, 4);
  ir::Value* normed = b.LayerNorm(merged, kDim, 1e-5f, "ln", "attention");
  b.Output(normed);
  // Split without sizes: 16 into 6, 6, 4 (hetero's "last part smaller").
  std::vector<ir::Value*> parts = b.OpN("Split", {normed}, Attrs({{"axis", int64_t{-1}}}), 3);
  ir::Value* reduced = b.Op("ReduceSum", {parts[2]}, Attrs({{"axes", std::vector<int64_t>{-1}}}));
  b.Output(b.Op("Squeeze", {reduced}, Attrs({{"axes", std::vector<int64_t>{-1}}}), "split_sum"));
}

StatusOr<std::unique_ptr<ir::Graph>> BuildDecomposedOps() {
  auto graph = std::make_unique<ir::Graph>("decomposed-ops");
  GraphBuilder b(graph.get(), 42);
  const Dim batch = Dim::Symbol("batch"), seq = Dim::Symbol("seq");
  ir::Value* x = b.Input("x", DType::kF32, {batch, seq, kDim});
  ir::Value* mask = b.Input("mask", DType::kF32, {batch, 1, 1, seq});
  BuildDecomposedBody(b, x, mask);
  HETERO_RETURN_IF_ERROR(b.status());
  return graph;
}

// x normal-ish in [-2, 2); mask 0 except the last position of batch row 1 (-10000).
StatusOr<std::map<std::string, Tensor>> DecomposedInputs(int64_t batch, int64_t seq) {
  HETERO_ASSIGN_OR_RETURN(Tensor x, Tensor::Allocate(DType::kF32, {batch, seq, kDim}));
  HETERO_ASSIGN_OR_RETURN(Tensor mask, Tensor::Allocate(DType::kF32, {batch, 1, 1, seq}));
  builtin::Rng rng(static_cast<uint64_t>(batch * 1000 + seq));
  float* xd = x.mutable_data<float>();
  for (int64_t i = 0; i < x.num_elements(); ++i) xd[i] = 4.0f * rng.Uniform() - 2.0f;
  if (batch > 1) mask.mutable_data<float>()[2 * seq - 1] = -10000.0f;
  return std::map<std::string, Tensor>{{"x", x}, {"mask", mask}};
}

Status WriteCase(const ir::Graph& graph, const std::map<std::string, Tensor>& inputs,
                 const fs::path& dir) {
  HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, RunReference(graph, inputs));
  for (const char* sub : {"inputs", "outputs"}) {
    std::error_code error;
    fs::create_directories(dir / sub, error);
    if (error) return InvalidArgument("cannot create " + (dir / sub).string());
  }
  for (const auto& [name, t] : inputs) {
    HETERO_RETURN_IF_ERROR(WriteNpy((dir / "inputs" / (name + ".npy")).string(), t));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string& name = graph.outputs()[i]->name();
    HETERO_RETURN_IF_ERROR(WriteNpy((dir / "outputs" / (name + ".npy")).string(), outputs[i]));
  }
  return OkStatus();
}

Status WriteModel(const std::string& name, const fs::path& out_dir) {
  const bool builtin = name != "decomposed-ops";
  HETERO_ASSIGN_OR_RETURN(std::unique_ptr<ir::Graph> graph,
                          builtin ? BuildBuiltinModel(name) : BuildDecomposedOps());
  const fs::path dir = out_dir / name;
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return InvalidArgument("cannot create " + dir.string());
  HETERO_RETURN_IF_ERROR(ExportOnnxModel(*graph, (dir / "model.onnx").string()));
  for (auto [batch, seq] : {std::pair<int64_t, int64_t>{1, 8}, {2, 5}}) {
    std::map<std::string, Tensor> inputs;
    if (builtin) {
      HETERO_ASSIGN_OR_RETURN(inputs, BuiltinSampleInputs(name, batch, seq));
    } else {
      HETERO_ASSIGN_OR_RETURN(inputs, DecomposedInputs(batch, seq));
    }
    const std::string case_name = "b" + std::to_string(batch) + "s" + std::to_string(seq);
    HETERO_RETURN_IF_ERROR(WriteCase(*graph, inputs, dir / case_name).WithContext(name));
  }
  return OkStatus();
}

}  // namespace
}  // namespace hetero

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: hetero_export_fixture OUTDIR\n");
    return 2;
  }
  for (const char* name : {"gpt2-tiny", "bert-tiny", "llama-tiny", "decomposed-ops"}) {
    hetero::Status s = hetero::WriteModel(name, argv[1]);
    if (!s.ok()) {
      std::fprintf(stderr, "hetero_export_fixture: %s: %s\n", name, s.ToString().c_str());
      return 1;
    }
  }
  return 0;
}
