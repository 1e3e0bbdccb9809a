// Loads a MODEL argument: a path to an .onnx file or "builtin:NAME".
#pragma once

#include <memory>
#include <string>

#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero {

struct LoadedModel {
  std::unique_ptr<ir::Graph> graph;
  std::string spec;          // as given: "builtin:gpt2-tiny" or "model.onnx"
  std::string builtin_name;  // "gpt2-tiny" for built-ins, empty for files
};

// Errors: a missing or unreadable file, a malformed model, an unknown built-in (the
// message lists the known ones).
StatusOr<LoadedModel> LoadModel(const std::string& spec);

}  // namespace hetero
