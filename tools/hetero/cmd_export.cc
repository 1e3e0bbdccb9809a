// `hetero export builtin:NAME -o FILE.onnx [--quantize int8]`: writes a model as ONNX
// (with --quantize int8, its constant MatMul weights as int8 behind DequantizeLinear).
#include <cstdio>

#include "compiler/onnx/exporter.h"
#include "compiler/passes/pipeline.h"
#include "runtime/session/model_loader.h"
#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"
#include "tools/hetero/session_flags.h"

namespace hetero::cli {

int ExportCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args, {"--out", "--quantize"}, {}, &error);
  if (!flags) return Fail(kExitUsage, "export: " + error);
  if (flags->positional().size() != 1 || !flags->Has("--out")) {
    return Fail(kExitUsage, "export: usage: hetero export MODEL -o FILE.onnx [--quantize int8]");
  }
  auto quantize = QuantizeFromFlags(*flags);
  if (!quantize.ok()) return Fail(kExitUsage, "export: " + quantize.status().message());
  auto model = LoadModel(flags->positional()[0]);
  if (!model.ok()) return Fail(kExitError, model.status().message());
  if (!quantize->empty()) {
    auto quantized = passes::Pipeline::Parse("quantize-" + *quantize)->Run(*model->graph);
    if (!quantized.ok()) return Fail(kExitError, "export: " + quantized.status().message());
  }
  const std::string out = flags->Get("--out");
  if (Status s = ExportOnnxModel(*model->graph, out); !s.ok()) {
    return Fail(kExitError, s.message());
  }
  std::printf("wrote %s (%zu nodes, %zu weights)\n", out.c_str(), model->graph->num_nodes(),
              model->graph->constants().size());
  return kExitOk;
}

}  // namespace hetero::cli
