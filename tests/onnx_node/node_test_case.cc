// Running one node test: data sets, import, reference executor, comparison.
#include "tests/onnx_node/node_test_case.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/tensor_proto.h"
#include "runtime/session/reference_executor.h"
#include "tests/onnx_node/tensor_compare.h"

namespace hetero::onnx_node {

namespace {

namespace fs = std::filesystem;

struct DataSet {
  std::string name;  // "test_data_set_0"
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
};

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// `declared`: the element type the model gives this value. numpy has no bfloat16, so
// ONNX's test generator stores bf16 data as uint16 bit patterns; those are read as bf16.
StatusOr<Tensor> ReadTensor(const fs::path& path, int32_t declared) {
  HETERO_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return DataLoss(path.string() + " is not a TensorProto");
  if (proto.data_type() == ::onnx::TensorProto::UINT16 &&
      declared == ::onnx::TensorProto::BFLOAT16) {
    proto.set_data_type(::onnx::TensorProto::BFLOAT16);
  }
  return onnx_import::TensorFromProto(proto, path.filename().string());
}

// prefix_0.pb, prefix_1.pb, ... up to the first missing number.
StatusOr<std::vector<Tensor>> ReadNumbered(const fs::path& dir, const std::string& prefix,
                                           const std::vector<int32_t>& declared) {
  std::vector<Tensor> tensors;
  for (size_t i = 0;; ++i) {
    const fs::path path = dir / (prefix + "_" + std::to_string(i) + ".pb");
    if (!fs::exists(path)) return tensors;
    HETERO_ASSIGN_OR_RETURN(Tensor t, ReadTensor(path, i < declared.size() ? declared[i] : 0));
    tensors.push_back(std::move(t));
  }
}

std::vector<int32_t> ElementTypes(const std::vector<const ::onnx::ValueInfoProto*>& values) {
  std::vector<int32_t> types;
  for (const auto* v : values) types.push_back(v->type().tensor_type().elem_type());
  return types;
}

// The graph inputs a data set feeds, in order: inputs that are not initializers.
std::vector<const ::onnx::ValueInfoProto*> FedInputs(const ::onnx::GraphProto& graph) {
  std::set<std::string> initializers;
  for (const auto& t : graph.initializer()) initializers.insert(t.name());
  std::vector<const ::onnx::ValueInfoProto*> inputs;
  for (const auto& in : graph.input()) {
    if (!initializers.count(in.name())) inputs.push_back(&in);
  }
  return inputs;
}

StatusOr<std::vector<DataSet>> ReadDataSets(const fs::path& dir, const ::onnx::GraphProto& graph) {
  std::vector<const ::onnx::ValueInfoProto*> outputs;
  for (const auto& out : graph.output()) outputs.push_back(&out);
  const std::vector<int32_t> input_types = ElementTypes(FedInputs(graph));
  const std::vector<int32_t> output_types = ElementTypes(outputs);
  std::vector<DataSet> sets;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("test_data_set_", 0) != 0) continue;
    DataSet ds{name, {}, {}};
    HETERO_ASSIGN_OR_RETURN(ds.inputs, ReadNumbered(entry.path(), "input", input_types));
    HETERO_ASSIGN_OR_RETURN(ds.outputs, ReadNumbered(entry.path(), "output", output_types));
    sets.push_back(std::move(ds));
  }
  std::sort(sets.begin(), sets.end(),
            [](const DataSet& a, const DataSet& b) { return a.name < b.name; });
  if (sets.empty()) return NotFound("no test_data_set_* in " + dir.string());
  return sets;
}

Status RunDataSet(const ir::Graph& graph, const std::vector<std::string>& names,
                  const DataSet& ds) {
  if (ds.inputs.size() != names.size()) {
    return InvalidArgument(ds.name + " has " + std::to_string(ds.inputs.size()) +
                           " inputs, the model " + std::to_string(names.size()));
  }
  std::map<std::string, Tensor> feeds;
  for (size_t i = 0; i < names.size(); ++i) {
    const ir::Value* v = graph.FindValue(names[i]);
    if (v != nullptr && v->is_graph_input()) feeds[names[i]] = ds.inputs[i];
  }
  auto outputs = RunReference(graph, feeds);
  if (!outputs.ok()) return outputs.status().WithContext(ds.name + ": run");
  if (outputs->size() != ds.outputs.size()) {
    return InvalidArgument(ds.name + ": " + std::to_string(outputs->size()) + " outputs, " +
                           std::to_string(ds.outputs.size()) + " expected");
  }
  for (size_t i = 0; i < outputs->size(); ++i) {
    HETERO_RETURN_IF_ERROR(CompareTensors(
        (*outputs)[i], ds.outputs[i],
        ds.name + " output " + std::to_string(i) + " ('" + graph.outputs()[i]->name() + "')"));
  }
  return OkStatus();
}

// For models that take operands hetero needs as constants (axes) as inputs: import once
// per data set with every integer input frozen to that data set's values.
Status RunFrozen(const fs::path& model_path, const std::vector<std::string>& names,
                 const std::vector<DataSet>& sets) {
  for (const DataSet& ds : sets) {
    OnnxImportOptions options;
    for (size_t i = 0; i < names.size() && i < ds.inputs.size(); ++i) {
      if (IsInteger(ds.inputs[i].dtype())) options.frozen_inputs[names[i]] = ds.inputs[i];
    }
    auto graph = ImportOnnxFile(model_path.string(), options);
    if (!graph.ok()) return graph.status().WithContext(ds.name + ": import with frozen inputs");
    HETERO_RETURN_IF_ERROR(RunDataSet(**graph, names, ds));
  }
  return OkStatus();
}

Outcome Fail(std::string message) { return Outcome{Outcome::Kind::kFail, std::move(message), {}}; }

// The reason after the node prefix ("node 'x' (Op): reason"), so reasons group.
std::string ReasonOnly(const std::string& message) {
  const size_t at = message.rfind("): ");
  return at == std::string::npos ? message : message.substr(at + 3);
}

}  // namespace

Outcome RunNodeTest(const fs::path& dir) {
  const fs::path model_path = dir / "model.onnx";
  auto bytes = ReadFile(model_path);
  if (!bytes.ok()) return Fail(bytes.status().message());
  ::onnx::ModelProto model;
  if (!model.ParseFromString(*bytes)) return Fail("model.onnx does not parse");
  if (auto skip = OutOfScope(model)) return Outcome{Outcome::Kind::kSkip, "", *skip};
  auto sets = ReadDataSets(dir, model.graph());
  if (!sets.ok()) return Fail(sets.status().message());
  std::vector<std::string> names;
  for (const auto* in : FedInputs(model.graph())) names.push_back(in->name());
  auto graph = ImportOnnxFile(model_path.string());
  if (graph.ok()) {
    for (const DataSet& ds : *sets) {
      Status s = RunDataSet(**graph, names, ds);
      if (!s.ok()) return Fail(s.message());
    }
    return Outcome{};
  }
  const Status& error = graph.status();
  if (error.code() == StatusCode::kFailedPrecondition) {
    Status s = RunFrozen(model_path, names, *sets);
    if (!s.ok()) return Fail(s.message());
    return Outcome{Outcome::Kind::kPass, "integer inputs frozen as constants", {}};
  }
  if (error.code() == StatusCode::kUnimplemented) {
    const std::string reason = ReasonOnly(error.message());
    return Outcome{
        Outcome::Kind::kSkip, "",
        SkipReason{"not supported by hetero (import: unimplemented)", reason, "import: " + reason}};
  }
  return Fail("import: " + error.message());
}

}  // namespace hetero::onnx_node
