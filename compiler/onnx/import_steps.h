// The steps of the ONNX graph walk kept outside importer.cc.
#pragma once

#include <onnx/onnx_pb.h>

#include <memory>
#include <vector>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/model_file.h"
#include "compiler/onnx/wire_splice.h"

namespace hetero::onnx_import {

// The default-domain opset version; Unimplemented outside 13-21 (naming it).
StatusOr<int> CheckOpsets(const ::onnx::ModelProto& model);
// One Unimplemented error naming every op type the importer cannot lower (other domains
// included) and the first node of each, or OK.
Status CheckOpsSupported(const ::onnx::GraphProto& graph);
// Initializers become constants borrowing from the mapped file (`spliced` says where
// each one's raw_data lay).
Status AddInitializers(const ::onnx::GraphProto& graph, const SplicedModel& spliced,
                       const std::shared_ptr<const MappedFile>& file, ImportState& state);
// Graph inputs that are not initializers become IR inputs (or constants when frozen).
Status AddGraphInputs(const ::onnx::GraphProto& graph, const OnnxImportOptions& options,
                      ImportState& state);
// Node indices in a topological order (stable: the file's order when it is already
// one). Fails naming the node for a name used but never defined, a name defined twice,
// or a cycle.
StatusOr<std::vector<int>> OrderNodes(const ::onnx::GraphProto& graph, const ImportState& state);

}  // namespace hetero::onnx_import
