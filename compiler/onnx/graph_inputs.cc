// Initializers (constants borrowing the mapped file) and graph inputs (with symbolic dims).
#include <set>

#include "compiler/onnx/import_steps.h"
#include "compiler/onnx/tensor_proto.h"

namespace hetero::onnx_import {

Status AddInitializers(const ::onnx::GraphProto& graph, const SplicedModel& spliced,
                       const std::shared_ptr<const MappedFile>& file, ImportState& state) {
  if (graph.sparse_initializer_size() > 0) {
    return Unimplemented("sparse initializer '" + graph.sparse_initializer(0).values().name() +
                         "' is not supported");
  }
  for (int i = 0; i < graph.initializer_size(); ++i) {
    const ::onnx::TensorProto& init = graph.initializer(i);
    if (init.name().empty())
      return InvalidArgument("initializer #" + std::to_string(i) + " has no name");
    const std::string what = "initializer '" + init.name() + "'";
    if (state.values.count(init.name())) return InvalidArgument(what + " is defined twice");
    const RawDataRange& raw = spliced.initializer_raw_data[static_cast<size_t>(i)];
    ByteRange range;
    TensorSources sources{nullptr, state.external};
    if (raw.present) {
      // The splice checked that the range lies inside the file.
      range =
          ByteRange{file->data() + raw.offset, static_cast<size_t>(raw.length), file, file.get()};
      sources.spliced_raw = &range;
    }
    HETERO_ASSIGN_OR_RETURN(Tensor t, TensorFromProto(init, what, sources));
    HETERO_ASSIGN_OR_RETURN(ir::Value * v, state.graph->AddConstant(init.name(), std::move(t)));
    state.values[init.name()] = v;
  }
  return OkStatus();
}

namespace {

StatusOr<TensorType> InputType(const ::onnx::ValueInfoProto& input) {
  const std::string what = "input '" + input.name() + "'";
  if (!input.has_type() || !input.type().has_tensor_type()) {
    return Unimplemented(what + " is not a tensor (sequence, map, optional and sparse values " +
                         "are not supported)");
  }
  const auto& tt = input.type().tensor_type();
  TensorType type;
  HETERO_ASSIGN_OR_RETURN(type.dtype, DTypeFromOnnx(tt.elem_type(), what));
  if (!tt.has_shape()) return Unimplemented(what + " has no shape; hetero needs each input's rank");
  for (const auto& d : tt.shape().dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) {
        return InvalidArgument(what + " has a negative dim " + std::to_string(d.dim_value()));
      }
      type.shape.dims().emplace_back(d.dim_value());
    } else if (d.has_dim_param() && !d.dim_param().empty()) {
      type.shape.dims().push_back(Dim::Symbol(d.dim_param()));
    } else {
      type.shape.dims().push_back(Dim::Unknown());
    }
  }
  return type;
}

Status CheckFrozen(const std::string& name, const TensorType& type, const Tensor& value) {
  bool fits = value.dtype() == type.dtype && value.rank() == type.shape.rank();
  for (size_t i = 0; fits && i < value.rank(); ++i) {
    fits = DimsCompatible(type.shape[i], Dim(value.dim(i)));
  }
  if (fits) return OkStatus();
  return InvalidArgument("frozen input '" + name + "' is " + value.type().ToString() +
                         ", but the model declares " + type.ToString());
}

}  // namespace

Status AddGraphInputs(const ::onnx::GraphProto& graph, const OnnxImportOptions& options,
                      ImportState& state) {
  std::set<std::string> initializers;
  for (const auto& init : graph.initializer()) initializers.insert(init.name());
  std::set<std::string> inputs;
  for (const auto& in : graph.input()) inputs.insert(in.name());
  for (const auto& [name, value] : options.frozen_inputs) {
    if (!inputs.count(name) || initializers.count(name)) {
      return InvalidArgument("frozen input '" + name + "' is not an input of the graph");
    }
  }
  for (const auto& in : graph.input()) {
    // Old exporters list initializers among the inputs: those stay constants.
    if (initializers.count(in.name())) continue;
    if (in.name().empty()) return InvalidArgument("a graph input has no name");
    if (state.values.count(in.name())) {
      return InvalidArgument("input '" + in.name() + "' is defined twice");
    }
    HETERO_ASSIGN_OR_RETURN(TensorType type, InputType(in));
    auto frozen = options.frozen_inputs.find(in.name());
    ir::Value* v = nullptr;
    if (frozen != options.frozen_inputs.end()) {
      HETERO_RETURN_IF_ERROR(CheckFrozen(in.name(), type, frozen->second));
      HETERO_ASSIGN_OR_RETURN(v, state.graph->AddConstant(in.name(), frozen->second));
    } else {
      HETERO_ASSIGN_OR_RETURN(v, state.graph->AddInput(in.name(), std::move(type)));
    }
    state.values[in.name()] = v;
  }
  return OkStatus();
}

}  // namespace hetero::onnx_import
