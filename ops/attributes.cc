// Attributes: typed access with defaults.
#include "ops/attributes.h"

namespace hetero::ops {

AttrKind KindOf(const AttrValue& value) { return static_cast<AttrKind>(value.index()); }

std::string_view AttrKindName(AttrKind kind) {
  switch (kind) {
    case AttrKind::kInt: return "int";
    case AttrKind::kFloat: return "float";
    case AttrKind::kString: return "string";
    case AttrKind::kInts: return "ints";
    case AttrKind::kFloats: return "floats";
    case AttrKind::kStrings: return "strings";
  }
  return "?";
}

const AttrValue* Attributes::Find(std::string_view name) const {
  auto it = items_.find(name);
  return it == items_.end() ? nullptr : &it->second;
}

void Attributes::Erase(std::string_view name) {
  auto it = items_.find(name);
  if (it != items_.end()) items_.erase(it);
}

int64_t Attributes::GetInt(std::string_view name, int64_t fallback) const {
  const AttrValue* v = Find(name);
  if (v == nullptr) return fallback;
  if (const auto* i = std::get_if<int64_t>(v)) return *i;
  if (const auto* f = std::get_if<double>(v)) return static_cast<int64_t>(*f);
  return fallback;
}

double Attributes::GetFloat(std::string_view name, double fallback) const {
  const AttrValue* v = Find(name);
  if (v == nullptr) return fallback;
  if (const auto* f = std::get_if<double>(v)) return *f;
  if (const auto* i = std::get_if<int64_t>(v)) return static_cast<double>(*i);
  return fallback;
}

std::string Attributes::GetString(std::string_view name, std::string fallback) const {
  const AttrValue* v = Find(name);
  if (v == nullptr) return fallback;
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return fallback;
}

std::vector<int64_t> Attributes::GetInts(std::string_view name,
                                         std::vector<int64_t> fallback) const {
  const AttrValue* v = Find(name);
  if (v == nullptr) return fallback;
  if (const auto* i = std::get_if<std::vector<int64_t>>(v)) return *i;
  return fallback;
}

std::vector<double> Attributes::GetFloats(std::string_view name,
                                          std::vector<double> fallback) const {
  const AttrValue* v = Find(name);
  if (v == nullptr) return fallback;
  if (const auto* f = std::get_if<std::vector<double>>(v)) return *f;
  return fallback;
}

}  // namespace hetero::ops
