// The op registry: every family's schemas, and the arity checks shared by all ops.
#include <algorithm>

#include "ops/schema.h"

namespace hetero::ops {

const OpRegistry& OpRegistry::Global() {
  static const OpRegistry* registry = [] {
    auto* r = new OpRegistry();
    RegisterElementwiseOps(*r);
    RegisterReduceOps(*r);
    RegisterNormOps(*r);
    RegisterMatMulOps(*r);
    RegisterMovementOps(*r);
    RegisterFusedOps(*r);
    RegisterQuantOps(*r);
    std::sort(r->schemas_.begin(), r->schemas_.end(), [](const OpSchema& a, const OpSchema& b) {
      return a.family != b.family ? a.family < b.family : a.name < b.name;
    });
    return r;
  }();
  return *registry;
}

const OpSchema* OpRegistry::Find(std::string_view name) const {
  for (const OpSchema& s : schemas_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<const OpSchema*> OpRegistry::All() const {
  std::vector<const OpSchema*> out;
  for (const OpSchema& s : schemas_) out.push_back(&s);
  return out;
}

void OpRegistry::Add(OpSchema schema) { schemas_.push_back(std::move(schema)); }

Status CheckArity(const OpSchema& schema, size_t num_inputs, size_t num_outputs,
                  const Attributes& attrs) {
  const auto in = static_cast<int>(num_inputs);
  const auto out = static_cast<int>(num_outputs);
  if (in < schema.min_inputs || (schema.max_inputs >= 0 && in > schema.max_inputs)) {
    return InvalidArgument(
        schema.name + " takes " + std::to_string(schema.min_inputs) +
        (schema.max_inputs == schema.min_inputs
             ? ""
             : (schema.max_inputs < 0 ? " or more" : " to " + std::to_string(schema.max_inputs))) +
        " inputs, got " + std::to_string(in));
  }
  if (out < schema.min_outputs || (schema.max_outputs >= 0 && out > schema.max_outputs)) {
    return InvalidArgument(schema.name + " has " + std::to_string(schema.min_outputs) +
                           (schema.max_outputs == schema.min_outputs ? "" : " or more") +
                           " outputs, got " + std::to_string(out));
  }
  for (const auto& [name, value] : attrs.items()) {
    auto spec = std::find_if(schema.attrs.begin(), schema.attrs.end(),
                             [&](const AttrSpec& a) { return a.name == name; });
    if (spec == schema.attrs.end()) {
      return InvalidArgument(schema.name + " has no attribute '" + name + "'");
    }
    const AttrKind kind = KindOf(value);
    const bool int_as_float = spec->kind == AttrKind::kFloat && kind == AttrKind::kInt;
    if (kind != spec->kind && !int_as_float) {
      return InvalidArgument(schema.name + " attribute '" + name + "' must be " +
                             std::string(AttrKindName(spec->kind)) + ", got " +
                             std::string(AttrKindName(kind)));
    }
  }
  for (const AttrSpec& spec : schema.attrs) {
    if (spec.required && !attrs.Has(spec.name)) {
      return InvalidArgument(schema.name + " needs attribute '" + spec.name + "'");
    }
  }
  return OkStatus();
}

}  // namespace hetero::ops
