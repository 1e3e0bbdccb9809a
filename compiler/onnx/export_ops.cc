// hetero ops → ONNX opset 17 nodes: renames, attributes that ONNX takes as inputs, Cast.
#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "compiler/onnx/export_context.h"

namespace hetero::onnx_export {

namespace {

using ExportFn = std::function<Status(const ir::Node&, ExportContext&)>;

bool IsFloatAttr(const ir::Node& node, const std::string& name) {
  for (const ops::AttrSpec& spec : node.schema().attrs) {
    if (spec.name == name) return spec.kind == ops::AttrKind::kFloat;
  }
  return false;
}

// Copies the listed attributes when present (their hetero defaults equal ONNX's). A float
// attribute written as an integer is written as a float.
void CopyAttrs(const ir::Node& node, ::onnx::NodeProto* out,
               const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const ops::AttrValue* v = node.attrs().Find(name);
    if (v == nullptr) continue;
    const auto* i = std::get_if<int64_t>(v);
    if (i != nullptr && IsFloatAttr(node, name)) SetAttr(out, name, static_cast<float>(*i));
    if (i != nullptr && !IsFloatAttr(node, name)) SetAttr(out, name, *i);
    if (const auto* f = std::get_if<double>(v)) SetAttr(out, name, static_cast<float>(*f));
    if (const auto* s = std::get_if<std::string>(v)) SetAttr(out, name, *s);
    if (const auto* is = std::get_if<std::vector<int64_t>>(v)) {
      if (!is->empty()) SetAttr(out, name, *is);  // ONNX: absent means "all" / "reverse"
    }
  }
}

// Same op type, same inputs, the named attributes copied.
ExportFn Direct(std::string onnx_op, std::vector<std::string> attrs = {}) {
  return [onnx_op, attrs](const ir::Node& node, ExportContext& ctx) {
    ::onnx::NodeProto* out = ctx.Emit(onnx_op, InputNames(node), OutputNames(node), node.name());
    CopyAttrs(node, out, attrs);
    return OkStatus();
  };
}

// Squeeze, Unsqueeze, ReduceSum: the `axes` attribute becomes the second input.
ExportFn AxesAsInput(std::vector<std::string> attrs) {
  return [attrs](const ir::Node& node, ExportContext& ctx) {
    std::vector<std::string> inputs = InputNames(node);
    const std::vector<int64_t> axes = node.attrs().GetInts("axes");
    if (!axes.empty()) inputs.push_back(ctx.ConstI64(axes));
    ::onnx::NodeProto* out = ctx.Emit(node.op(), inputs, OutputNames(node), node.name());
    CopyAttrs(node, out, attrs);
    return OkStatus();
  };
}

Status ExportCast(const ir::Node& node, ExportContext& ctx) {
  const std::string to = node.attrs().GetString("to", "");
  std::optional<DType> dtype = ParseDType(to);
  if (!dtype) return InvalidArgument(ir::DescribeNode(node) + ": unknown dtype '" + to + "'");
  auto elem_type = OnnxElementType(*dtype);
  if (!elem_type.ok()) return elem_type.status().WithContext(ir::DescribeNode(node));
  ::onnx::NodeProto* out = ctx.Emit("Cast", InputNames(node), OutputNames(node), node.name());
  SetAttr(out, "to", static_cast<int64_t>(*elem_type));
  return OkStatus();
}

// hetero's Split without sizes makes equal parts with a smaller last one; ONNX opset 17
// needs the sizes spelled out unless the parts are equal.
Status ExportSplit(const ir::Node& node, ExportContext& ctx) {
  std::vector<std::string> inputs = InputNames(node);
  const int64_t n = static_cast<int64_t>(node.outputs().size());
  const Shape& shape = node.input(0)->type().shape;
  int64_t axis = node.attrs().GetInt("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(shape.rank());
  if (inputs.size() < 2 && axis >= 0 && axis < static_cast<int64_t>(shape.rank()) &&
      shape[static_cast<size_t>(axis)].is_static()) {
    const int64_t total = shape[static_cast<size_t>(axis)].value();
    if (total % n != 0) {
      const int64_t part = (total + n - 1) / n;
      std::vector<int64_t> sizes;
      for (int64_t i = 0, left = total; i < n; ++i, left -= part) {
        sizes.push_back(std::max<int64_t>(0, std::min(part, left)));
      }
      inputs.push_back(ctx.ConstI64(sizes));
    }
  }
  ::onnx::NodeProto* out = ctx.Emit("Split", inputs, OutputNames(node), node.name());
  SetAttr(out, "axis", node.attrs().GetInt("axis", 0));
  return OkStatus();
}

Status ExportConstantOfShape(const ir::Node& node, ExportContext& ctx) {
  const std::string dtype_name = node.attrs().GetString("dtype", "f32");
  std::optional<DType> dtype = ParseDType(dtype_name);
  if (!dtype) {
    return InvalidArgument(ir::DescribeNode(node) + ": unknown dtype '" + dtype_name + "'");
  }
  auto elem_type = OnnxElementType(*dtype);
  if (!elem_type.ok()) return elem_type.status().WithContext(ir::DescribeNode(node));
  ::onnx::NodeProto* out =
      ctx.Emit("ConstantOfShape", InputNames(node), OutputNames(node), node.name());
  ::onnx::AttributeProto* a = out->add_attribute();
  a->set_name("value");
  a->set_type(::onnx::AttributeProto::TENSOR);
  ::onnx::TensorProto* t = a->mutable_t();
  t->set_data_type(*elem_type);
  t->add_dims(1);
  uint8_t bytes[8] = {};
  StoreFromDouble(*dtype, bytes, 0, node.attrs().GetFloat("value", 0.0));
  t->set_raw_data(bytes, DTypeSize(*dtype));
  return OkStatus();
}

// MatMul with transpose flags: a Transpose of the last two dims before ONNX's MatMul.
Status ExportMatMul(const ir::Node& node, ExportContext& ctx) {
  std::vector<std::string> inputs = InputNames(node);
  const char* flags[] = {"transpose_a", "transpose_b"};
  for (size_t i = 0; i < 2; ++i) {
    const size_t rank = node.input(i)->type().shape.rank();
    if (node.attrs().GetInt(flags[i], 0) == 0 || rank < 2) continue;
    inputs[i] = TransposeLastTwo(ctx, inputs[i], rank, node.name() + "/Transpose");
  }
  ctx.Emit("MatMul", inputs, OutputNames(node), node.name());
  return OkStatus();
}

// QuantizeLinear makes uint8 without a zero point; hetero's default is i8.
Status ExportQuantize(const ir::Node& node, ExportContext& ctx) {
  std::vector<std::string> inputs = InputNames(node);
  if (inputs.size() < 3) {
    const std::string to = node.attrs().GetString("to", "i8");
    if (to != "i8" && to != "u8") {
      return Unimplemented(ir::DescribeNode(node) + ": quantizing to " + to +
                           " needs ONNX opset 19; the exporter writes opset 17");
    }
    HETERO_ASSIGN_OR_RETURN(inputs.emplace_back(),
                            ctx.Scalar(to == "i8" ? DType::kI8 : DType::kU8, 0));
  }
  ::onnx::NodeProto* out = ctx.Emit("QuantizeLinear", inputs, OutputNames(node), node.name());
  CopyAttrs(node, out, {"axis"});
  return OkStatus();
}

const std::map<std::string, ExportFn, std::less<>>& Table() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, ExportFn, std::less<>>();
    for (const char* op :
         {"Add",     "Sub",        "Mul",    "Div",   "Pow",     "Equal", "Less",
          "Greater", "And",        "Or",     "Not",   "Neg",     "Exp",   "Log",
          "Sqrt",    "Reciprocal", "Erf",    "Tanh",  "Sigmoid", "Relu",  "Cos",
          "Sin",     "Where",      "Expand", "Slice", "Range",   "Size",  "MatMulInteger"}) {
      (*t)[op] = Direct(op);
    }
    (*t)["Softmax"] = Direct("Softmax", {"axis"});
    (*t)["LogSoftmax"] = Direct("LogSoftmax", {"axis"});
    (*t)["Concat"] = Direct("Concat", {"axis"});
    (*t)["Gather"] = Direct("Gather", {"axis"});
    (*t)["Transpose"] = Direct("Transpose", {"perm"});
    (*t)["Reshape"] = Direct("Reshape", {"allowzero"});
    (*t)["Trilu"] = Direct("Trilu", {"upper"});
    (*t)["Shape"] = Direct("Shape", {"start", "end"});
    (*t)["ReduceMean"] = Direct("ReduceMean", {"axes", "keepdims"});
    (*t)["ReduceMax"] = Direct("ReduceMax", {"axes", "keepdims"});
    (*t)["LayerNorm"] = Direct("LayerNormalization", {"axis", "epsilon"});
    (*t)["Dequantize"] = Direct("DequantizeLinear", {"axis"});
    (*t)["ReduceSum"] = AxesAsInput({"keepdims"});
    (*t)["Squeeze"] = AxesAsInput({});
    (*t)["Unsqueeze"] = AxesAsInput({});
    (*t)["Cast"] = ExportCast;
    (*t)["Split"] = ExportSplit;
    (*t)["ConstantOfShape"] = ExportConstantOfShape;
    (*t)["MatMul"] = ExportMatMul;
    (*t)["Quantize"] = ExportQuantize;
    return t;
  }();
  return *table;
}

}  // namespace

Status ExportNode(const ir::Node& node, ExportContext& ctx) {
  for (const ir::Value* v : node.outputs()) {
    if (auto t = OnnxElementType(v->type().dtype); !t.ok()) {
      return t.status().WithContext(ir::DescribeNode(node));
    }
  }
  if (IsDecomposed(node.op())) return ExportDecomposed(node, ctx);
  auto it = Table().find(node.op());
  if (it == Table().end()) {
    return Unimplemented(ir::DescribeNode(node) + ": op " + node.op() +
                         " has no ONNX opset 17 form in the exporter");
  }
  return it->second(node, ctx);
}

}  // namespace hetero::onnx_export
