// LoweringContext: an ONNX node's inputs and attributes in, hetero nodes out.
#include "compiler/onnx/lowering.h"

namespace hetero::onnx_import {

std::string LoweringContext::Describe() const {
  return "node '" + name_ + "' (" + node_.op_type() + ")";
}

Status LoweringContext::Error(const std::string& message) const {
  return InvalidArgument(Describe() + ": " + message);
}

Status LoweringContext::Unsupported(const std::string& message) const {
  return Unimplemented(Describe() + ": " + message);
}

bool LoweringContext::has_input(size_t i) const {
  return i < num_inputs() && !node_.input(static_cast<int>(i)).empty();
}

ir::Value* LoweringContext::input(size_t i) const {
  if (!has_input(i)) return nullptr;
  auto it = state_.values.find(node_.input(static_cast<int>(i)));
  return it == state_.values.end() ? nullptr : it->second;
}

StatusOr<ir::Value*> LoweringContext::RequiredInput(size_t i) const {
  ir::Value* v = input(i);
  if (v == nullptr) return Error("input " + std::to_string(i) + " is missing");
  return v;
}

const Tensor* LoweringContext::constant_input(size_t i) const {
  ir::Value* v = input(i);
  return v ? v->constant() : nullptr;
}

StatusOr<std::optional<std::vector<int64_t>>> LoweringContext::ConstantInts(
    size_t i, std::string_view what) const {
  if (!has_input(i)) return std::optional<std::vector<int64_t>>();
  const Tensor* t = constant_input(i);
  if (t == nullptr) {
    return FailedPrecondition(Describe() + ": " + std::string(what) +
                              " must be a constant (input '" + node_.input(static_cast<int>(i)) +
                              "' is known only at run time)");
  }
  if (!IsInteger(t->dtype())) {
    return Error(std::string(what) + " must be integers, got " +
                 std::string(DTypeName(t->dtype())));
  }
  return std::optional<std::vector<int64_t>>(t->ToInt64Vector());
}

bool LoweringContext::output_used(size_t i) const {
  if (i >= num_outputs()) return false;
  const std::string& name = node_.output(static_cast<int>(i));
  return !name.empty() && state_.used.count(name) > 0;
}

const ::onnx::AttributeProto* LoweringContext::attr(std::string_view name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t LoweringContext::IntAttr(std::string_view name, int64_t fallback) const {
  const auto* a = attr(name);
  return a && a->type() == ::onnx::AttributeProto::INT ? a->i() : fallback;
}

float LoweringContext::FloatAttr(std::string_view name, float fallback) const {
  const auto* a = attr(name);
  if (a == nullptr) return fallback;
  if (a->type() == ::onnx::AttributeProto::INT) return static_cast<float>(a->i());
  return a->type() == ::onnx::AttributeProto::FLOAT ? a->f() : fallback;
}

std::string LoweringContext::StringAttr(std::string_view name, std::string fallback) const {
  const auto* a = attr(name);
  return a && a->type() == ::onnx::AttributeProto::STRING ? a->s() : fallback;
}

std::vector<int64_t> LoweringContext::IntsAttr(std::string_view name) const {
  const auto* a = attr(name);
  if (a == nullptr) return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::string LoweringContext::FreshName(const std::string& stem) const {
  const ir::Graph& g = *state_.graph;
  for (int i = 0;; ++i) {
    std::string candidate = i == 0 ? stem : stem + "_" + std::to_string(i);
    if (!state_.onnx_names.count(candidate) && g.FindValue(candidate) == nullptr &&
        g.FindNode(candidate) == nullptr) {
      return candidate;
    }
  }
}

Status LoweringContext::Bind(size_t output, ir::Value* value) {
  if (output >= num_outputs()) return OkStatus();
  const std::string& name = node_.output(static_cast<int>(output));
  if (!name.empty()) state_.values[name] = value;
  return OkStatus();
}

StatusOr<std::vector<ir::Value*>> LoweringContext::Emit(std::string_view op,
                                                        std::vector<ir::Value*> inputs,
                                                        ops::Attributes attrs, size_t num_outputs,
                                                        const std::string& node_name,
                                                        std::vector<std::string> names) {
  if (auto folded = TryFold(op, inputs, attrs, num_outputs)) {
    std::vector<ir::Value*> constants;
    for (size_t i = 0; i < num_outputs; ++i) {
      HETERO_ASSIGN_OR_RETURN(ir::Value * c,
                              state_.graph->AddConstant(names[i], std::move((*folded)[i])));
      constants.push_back(c);
    }
    return constants;
  }
  HETERO_ASSIGN_OR_RETURN(
      ir::Node * n, state_.graph->AddNode(op, std::move(inputs), std::move(attrs), num_outputs,
                                          node_name, std::move(names)));
  return n->outputs();
}

Status LoweringContext::EmitFinal(std::string_view op, std::vector<ir::Value*> inputs,
                                  ops::Attributes attrs, size_t num_outputs, size_t first_output) {
  std::vector<std::string> names;
  for (size_t i = first_output; i < first_output + num_outputs; ++i) {
    const bool named = i < this->num_outputs() && !node_.output(static_cast<int>(i)).empty();
    names.push_back(named ? node_.output(static_cast<int>(i))
                          : FreshName(name_ + ":" + std::to_string(i)));
  }
  HETERO_ASSIGN_OR_RETURN(
      std::vector<ir::Value*> outputs,
      Emit(op, std::move(inputs), std::move(attrs), num_outputs, name_, std::move(names)));
  for (size_t i = 0; i < num_outputs; ++i) {
    HETERO_RETURN_IF_ERROR(Bind(first_output + i, outputs[i]));
  }
  return OkStatus();
}

StatusOr<ir::Value*> LoweringContext::EmitHelper(std::string_view op, std::string_view suffix,
                                                 std::vector<ir::Value*> inputs,
                                                 ops::Attributes attrs) {
  const std::string node_name = FreshName(name_ + "/" + std::string(suffix));
  HETERO_ASSIGN_OR_RETURN(
      std::vector<ir::Value*> outputs,
      Emit(op, std::move(inputs), std::move(attrs), 1, node_name, {FreshName(node_name + ":0")}));
  return outputs[0];
}

StatusOr<ir::Value*> LoweringContext::HelperConstant(std::string_view suffix, Tensor data) {
  return state_.graph->AddConstant(FreshName(name_ + "/" + std::string(suffix)), std::move(data));
}

StatusOr<ir::Value*> LoweringContext::ScalarConstant(std::string_view suffix, DType dtype,
                                                     double value) {
  HETERO_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, {}));
  t.SetDouble(0, value);
  return HelperConstant(suffix, std::move(t));
}

Status LoweringContext::BindConstant(size_t output, Tensor data) {
  if (output >= num_outputs() || node_.output(static_cast<int>(output)).empty()) {
    return OkStatus();
  }
  HETERO_ASSIGN_OR_RETURN(
      ir::Value * v,
      state_.graph->AddConstant(node_.output(static_cast<int>(output)), std::move(data)));
  return Bind(output, v);
}

Status LoweringContext::Alias(size_t output, ir::Value* value) { return Bind(output, value); }

}  // namespace hetero::onnx_import
