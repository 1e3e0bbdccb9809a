// The ONNX exporter: graph inputs, outputs and initializers, then one op mapping per node.
#include "compiler/onnx/exporter.h"

#include <onnx/onnx_pb.h>

#include <bit>
#include <fstream>

#include "compiler/onnx/export_context.h"

namespace hetero {

namespace {

using onnx_export::OnnxElementType;

// protobuf refuses to serialize messages of 2 GiB or more; keep a margin for the graph.
constexpr uint64_t kMaxWeightBytes = (uint64_t{2} << 30) - (uint64_t{64} << 20);

Status FillValueInfo(const ir::Value& value, ::onnx::ValueInfoProto* info) {
  info->set_name(value.name());
  auto elem_type = OnnxElementType(value.type().dtype);
  if (!elem_type.ok()) return elem_type.status().WithContext("value '" + value.name() + "'");
  ::onnx::TypeProto_Tensor* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(*elem_type);
  ::onnx::TensorShapeProto* shape = tensor->mutable_shape();
  for (const Dim& d : value.type().shape.dims()) {
    ::onnx::TensorShapeProto_Dimension* dim = shape->add_dim();
    if (d.is_static()) dim->set_dim_value(d.value());
    if (d.is_symbol()) dim->set_dim_param(d.symbol());
  }
  return OkStatus();
}

Status AddWeights(const ir::Graph& graph, ::onnx::GraphProto* out) {
  uint64_t total = 0;
  for (const ir::Value* c : graph.constants()) {
    const Tensor& t = *c->constant();
    total += t.byte_size();
    if (total > kMaxWeightBytes) {
      return ResourceExhausted("graph '" + graph.name() + "' holds more than " +
                               std::to_string(kMaxWeightBytes >> 20) +
                               " MiB of weights; ONNX files without external data are limited "
                               "to 2 GiB and the exporter does not write external data");
    }
    auto elem_type = OnnxElementType(t.dtype());
    if (!elem_type.ok()) return elem_type.status().WithContext("constant '" + c->name() + "'");
    ::onnx::TensorProto* init = out->add_initializer();
    init->set_name(c->name());
    init->set_data_type(*elem_type);
    for (int64_t d : t.dims()) init->add_dims(d);
    if (t.byte_size() > 0) init->set_raw_data(t.raw(), t.byte_size());
  }
  return OkStatus();
}

std::unordered_set<std::string> TakenNames(const ir::Graph& graph) {
  std::unordered_set<std::string> taken;
  for (const ir::Value* v : graph.inputs()) taken.insert(v->name());
  for (const ir::Value* v : graph.constants()) taken.insert(v->name());
  for (const auto& node : graph.nodes()) {
    taken.insert(node->name());
    for (const ir::Value* v : node->outputs()) taken.insert(v->name());
  }
  return taken;
}

}  // namespace

Status ExportOnnxModelProto(const ir::Graph& graph, ::onnx::ModelProto* model) {
  if constexpr (std::endian::native != std::endian::little) {
    return Unimplemented("ONNX export writes raw little-endian data; this host is big-endian");
  }
  model->Clear();
  model->set_ir_version(8);
  model->set_producer_name("hetero");
  model->set_producer_version("0.1");
  ::onnx::OperatorSetIdProto* opset = model->add_opset_import();
  opset->set_domain("");
  opset->set_version(kExportOnnxOpset);
  ::onnx::GraphProto* out = model->mutable_graph();
  out->set_name(graph.name());
  for (const ir::Value* in : graph.inputs()) {
    HETERO_RETURN_IF_ERROR(FillValueInfo(*in, out->add_input()));
  }
  for (const ir::Value* o : graph.outputs()) {
    HETERO_RETURN_IF_ERROR(FillValueInfo(*o, out->add_output()));
  }
  HETERO_RETURN_IF_ERROR(AddWeights(graph, out));
  HETERO_ASSIGN_OR_RETURN(std::vector<ir::Node*> order, graph.TopologicalOrder());
  onnx_export::ExportContext ctx(out, TakenNames(graph));
  for (const ir::Node* node : order) {
    HETERO_RETURN_IF_ERROR(onnx_export::ExportNode(*node, ctx));
  }
  return OkStatus();
}

Status ExportOnnxModel(const ir::Graph& graph, const std::string& path) {
  ::onnx::ModelProto model;
  HETERO_RETURN_IF_ERROR(ExportOnnxModelProto(graph, &model));
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Status(StatusCode::kUnavailable, "cannot open '" + path + "' for writing");
  if (!model.SerializeToOstream(&file)) {
    return DataLoss("writing ONNX model to '" + path + "' failed");
  }
  file.close();
  if (!file) return DataLoss("writing ONNX model to '" + path + "' failed (disk full?)");
  return OkStatus();
}

}  // namespace hetero
