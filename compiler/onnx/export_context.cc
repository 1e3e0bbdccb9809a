// ExportContext: fresh names, node emission and on-the-fly initializers for the exporter.
#include "compiler/onnx/export_context.h"

#include <cstdio>

namespace hetero::onnx_export {

StatusOr<int32_t> OnnxElementType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return ::onnx::TensorProto::FLOAT;
    case DType::kF16: return ::onnx::TensorProto::FLOAT16;
    case DType::kBF16: return ::onnx::TensorProto::BFLOAT16;
    case DType::kI64: return ::onnx::TensorProto::INT64;
    case DType::kI32: return ::onnx::TensorProto::INT32;
    case DType::kI8: return ::onnx::TensorProto::INT8;
    case DType::kU8: return ::onnx::TensorProto::UINT8;
    case DType::kBool: return ::onnx::TensorProto::BOOL;
    case DType::kF8E4M3: break;
  }
  return Unimplemented("dtype " + std::string(DTypeName(dtype)) +
                       " has no ONNX element type before opset 19; the exporter writes opset " +
                       "17");
}

std::string ExportContext::Fresh(std::string_view stem) {
  std::string name(stem);
  for (int64_t i = 1; taken_.count(name); ++i) name = std::string(stem) + "_" + std::to_string(i);
  taken_.insert(name);
  return name;
}

::onnx::NodeProto* ExportContext::Emit(std::string_view op_type,
                                       const std::vector<std::string>& inputs,
                                       const std::vector<std::string>& outputs,
                                       std::string_view name) {
  ::onnx::NodeProto* node = graph_->add_node();
  node->set_op_type(std::string(op_type));
  node->set_name(Fresh(name));
  for (const std::string& in : inputs) node->add_input(in);
  for (const std::string& out : outputs) node->add_output(out);
  return node;
}

std::string ExportContext::Emit1(std::string_view op_type, const std::vector<std::string>& inputs,
                                 std::string_view stem) {
  std::string out = Fresh(std::string(stem) + ":0");
  Emit(op_type, inputs, {out}, stem);
  return out;
}

namespace {

void AddInitializer(::onnx::GraphProto* graph, const std::string& name, int32_t elem_type,
                    const std::vector<int64_t>& dims, const void* data, size_t bytes) {
  ::onnx::TensorProto* t = graph->add_initializer();
  t->set_name(name);
  t->set_data_type(elem_type);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(data, bytes);
}

}  // namespace

std::string ExportContext::ConstI64(const std::vector<int64_t>& values) {
  std::string key = "i64[";
  for (int64_t v : values) key += std::to_string(v) + ",";
  auto it = consts_.find(key);
  if (it != consts_.end()) return it->second;
  const std::string name = Fresh("const_i64");
  AddInitializer(graph_, name, ::onnx::TensorProto::INT64, {static_cast<int64_t>(values.size())},
                 values.data(), values.size() * sizeof(int64_t));
  consts_[key] = name;
  return name;
}

std::string ExportContext::ScalarI64(int64_t value) {
  const std::string key = "i64:" + std::to_string(value);
  auto it = consts_.find(key);
  if (it != consts_.end()) return it->second;
  const std::string name = Fresh("const_i64");
  AddInitializer(graph_, name, ::onnx::TensorProto::INT64, {}, &value, sizeof(value));
  consts_[key] = name;
  return name;
}

StatusOr<std::string> ExportContext::Scalar(DType dtype, double value) {
  HETERO_ASSIGN_OR_RETURN(int32_t elem_type, OnnxElementType(dtype));
  char text[64];
  std::snprintf(text, sizeof(text), "%s:%.17g", std::string(DTypeName(dtype)).c_str(), value);
  auto it = consts_.find(text);
  if (it != consts_.end()) return it->second;
  uint8_t bytes[8] = {};
  StoreFromDouble(dtype, bytes, 0, value);
  const std::string name = Fresh("const_" + std::string(DTypeName(dtype)));
  AddInitializer(graph_, name, elem_type, {}, bytes, DTypeSize(dtype));
  consts_[text] = name;
  return name;
}

void SetAttr(::onnx::NodeProto* node, const std::string& name, int64_t value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void SetAttr(::onnx::NodeProto* node, const std::string& name, float value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void SetAttr(::onnx::NodeProto* node, const std::string& name, const std::vector<int64_t>& value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : value) a->add_ints(v);
}

void SetAttr(::onnx::NodeProto* node, const std::string& name, const std::string& value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s(value);
}

std::string TransposeLastTwo(ExportContext& ctx, const std::string& name, size_t rank,
                             std::string_view stem) {
  std::vector<int64_t> perm;
  for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int64_t>(d));
  std::swap(perm[rank - 1], perm[rank - 2]);
  const std::string out = ctx.Fresh(name + "_T");
  SetAttr(ctx.Emit("Transpose", {name}, {out}, stem), "perm", perm);
  return out;
}

std::vector<std::string> InputNames(const ir::Node& node) {
  std::vector<std::string> names;
  for (const ir::Value* v : node.inputs()) names.push_back(v ? v->name() : "");
  return names;
}

std::vector<std::string> OutputNames(const ir::Node& node) {
  std::vector<std::string> names;
  for (const ir::Value* v : node.outputs()) names.push_back(v->name());
  return names;
}

}  // namespace hetero::onnx_export
