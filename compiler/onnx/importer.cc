// The ONNX graph walk: file → spliced proto → checks → constants, inputs, nodes, outputs.
#include "compiler/onnx/importer.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <filesystem>

#include "compiler/onnx/import_steps.h"
#include "compiler/onnx/lowering.h"
#include "compiler/onnx/model_file.h"
#include "compiler/onnx/tensor_proto.h"
#include "compiler/onnx/wire_splice.h"

namespace hetero {

namespace onnx_import {

const LoweringTable& Lowerings() {
  static const LoweringTable* table = [] {
    auto* t = new LoweringTable();
    AddElementwiseLowerings(*t);
    AddMovementLowerings(*t);
    AddReduceNormLowerings(*t);
    AddMiscLowerings(*t);
    AddQuantLowerings(*t);
    return t;
  }();
  return *table;
}

namespace {

// Node names: the ONNX name, else "<OpType>_<index>"; made unique when repeated.
std::vector<std::string> NodeNames(const ::onnx::GraphProto& graph, ImportState& state) {
  std::vector<std::string> names;
  std::unordered_set<std::string> taken;
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& node = graph.node(i);
    std::string base = node.name().empty() ? node.op_type() + "_" + std::to_string(i) : node.name();
    std::string name = base;
    for (int k = 1; taken.count(name) || (node.name().empty() && state.onnx_names.count(name));
         ++k) {
      name = base + "_" + std::to_string(k);
    }
    taken.insert(name);
    names.push_back(name);
  }
  for (const auto& n : names) state.onnx_names.insert(n);
  return names;
}

void CollectNames(const ::onnx::GraphProto& graph, ImportState& state) {
  for (const auto& t : graph.initializer()) state.onnx_names.insert(t.name());
  for (const auto& v : graph.input()) state.onnx_names.insert(v.name());
  for (const auto& node : graph.node()) {
    if (!node.name().empty()) state.onnx_names.insert(node.name());
    for (const auto& out : node.output()) state.onnx_names.insert(out);
    for (const auto& in : node.input()) {
      if (!in.empty()) state.used.insert(in);
    }
  }
  for (const auto& v : graph.output()) state.used.insert(v.name());
}

Status LowerNodes(const ::onnx::GraphProto& graph, ImportState& state) {
  const std::vector<std::string> names = NodeNames(graph, state);
  HETERO_ASSIGN_OR_RETURN(std::vector<int> order, OrderNodes(graph, state));
  for (int index : order) {
    const auto& node = graph.node(index);
    LoweringContext ctx(state, node, names[static_cast<size_t>(index)]);
    const LowerFn lower = Lowerings().find(node.op_type())->second;
    HETERO_RETURN_IF_ERROR(lower(ctx));
    for (size_t i = 0; i < ctx.num_outputs(); ++i) {
      const std::string& out = node.output(static_cast<int>(i));
      if (ctx.output_used(i) && !state.values.count(out)) {
        return ctx.Unsupported("output " + std::to_string(i) + " ('" + out +
                               "') is read but not computed by hetero");
      }
    }
  }
  return OkStatus();
}

Status AddGraphOutputs(const ::onnx::GraphProto& graph, ImportState& state) {
  if (graph.output_size() == 0) return InvalidArgument("the graph has no outputs");
  for (const auto& out : graph.output()) {
    auto it = state.values.find(out.name());
    if (it == state.values.end()) {
      return InvalidArgument("graph output '" + out.name() + "' is never defined");
    }
    state.graph->AddOutput(it->second);
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<ir::Graph>> ImportMapped(const std::shared_ptr<const MappedFile>& file,
                                                  const OnnxImportOptions& options) {
  HETERO_ASSIGN_OR_RETURN(SplicedModel spliced, SpliceOutRawData(file->data(), file->size()));
  if (spliced.bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Unimplemented("the model's protobuf is " + std::to_string(spliced.bytes.size()) +
                         " bytes without raw_data weights; store weights as raw_data or " +
                         "external data");
  }
  ::onnx::ModelProto model;
  if (!model.ParseFromArray(spliced.bytes.data(), static_cast<int>(spliced.bytes.size()))) {
    return DataLoss("not a valid ONNX model (the protobuf does not parse)");
  }
  spliced.bytes = std::string();  // the proto holds what it needs now
  if (!model.has_graph()) return InvalidArgument("the model has no graph");
  const ::onnx::GraphProto& graph = model.graph();
  if (static_cast<size_t>(graph.initializer_size()) != spliced.initializer_raw_data.size()) {
    return Internal("the splice found " + std::to_string(spliced.initializer_raw_data.size()) +
                    " initializers, protobuf " + std::to_string(graph.initializer_size()));
  }
  HETERO_ASSIGN_OR_RETURN(int opset, CheckOpsets(model));
  HETERO_RETURN_IF_ERROR(CheckOpsSupported(graph));

  auto out = std::make_unique<ir::Graph>(graph.name().empty() ? "main" : graph.name());
  ExternalDataFiles external(std::filesystem::path(file->path()).parent_path());
  ImportState state;
  state.graph = out.get();
  state.opset = opset;
  state.external = &external;
  CollectNames(graph, state);
  HETERO_RETURN_IF_ERROR(AddInitializers(graph, spliced, file, state));
  HETERO_RETURN_IF_ERROR(AddGraphInputs(graph, options, state));
  HETERO_RETURN_IF_ERROR(LowerNodes(graph, state));
  HETERO_RETURN_IF_ERROR(AddGraphOutputs(graph, state));
  return out;
}

}  // namespace

}  // namespace onnx_import

StatusOr<std::unique_ptr<ir::Graph>> ImportOnnxFile(const std::string& path,
                                                    const OnnxImportOptions& options) {
  std::error_code ec;
  std::filesystem::path full = std::filesystem::absolute(path, ec);
  if (ec) full = path;
  auto file = onnx_import::MappedFile::Open(full.string());
  if (!file.ok()) return file.status().WithContext("ONNX model");
  auto graph = onnx_import::ImportMapped(*file, options);
  if (!graph.ok()) return graph.status().WithContext("ONNX model '" + path + "'");
  return graph;
}

std::vector<std::string> OnnxSupportedOps() {
  std::vector<std::string> ops;
  for (const auto& [name, fn] : onnx_import::Lowerings()) ops.push_back(name);
  return ops;
}

bool IsOnnxOpSupported(std::string_view op_type) {
  return onnx_import::Lowerings().count(op_type) > 0;
}

}  // namespace hetero
