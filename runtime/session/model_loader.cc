// Model loading: built-ins by name, ONNX files through the importer.
#include "runtime/session/model_loader.h"

#include "compiler/builtin/builtin.h"
#include "compiler/onnx/importer.h"

namespace hetero {

StatusOr<LoadedModel> LoadModel(const std::string& spec) {
  constexpr std::string_view kBuiltin = "builtin:";
  LoadedModel model;
  model.spec = spec;
  if (spec.rfind(kBuiltin, 0) == 0) {
    model.builtin_name = spec.substr(kBuiltin.size());
    HETERO_ASSIGN_OR_RETURN(model.graph, BuildBuiltinModel(model.builtin_name));
    return model;
  }
  auto graph = ImportOnnxFile(spec);
  if (!graph.ok()) {
    Status status = graph.status();
    // The importer's messages usually start with the path already.
    if (status.message().rfind(spec, 0) == 0) return status;
    return status.WithContext(spec);
  }
  model.graph = std::move(*graph);
  return model;
}

}  // namespace hetero
