// Attributes: the named constant parameters of an op (axis, epsilon, perm, ...).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hetero/status.h"

namespace hetero::ops {

enum class AttrKind { kInt, kFloat, kString, kInts, kFloats, kStrings };

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>,
                               std::vector<double>, std::vector<std::string>>;

AttrKind KindOf(const AttrValue& value);
std::string_view AttrKindName(AttrKind kind);

// An ordered name -> value map (ordered so printing is deterministic).
class Attributes {
 public:
  void Set(std::string name, AttrValue value) { items_[std::move(name)] = std::move(value); }
  bool Has(std::string_view name) const { return items_.find(name) != items_.end(); }
  const AttrValue* Find(std::string_view name) const;
  void Erase(std::string_view name);

  // Typed reads with a default for absent attributes. A present attribute of the wrong
  // kind is reported by the schema checks before kernels run; here it reads as default.
  int64_t GetInt(std::string_view name, int64_t fallback) const;
  double GetFloat(std::string_view name, double fallback) const;
  std::string GetString(std::string_view name, std::string fallback) const;
  std::vector<int64_t> GetInts(std::string_view name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> GetFloats(std::string_view name, std::vector<double> fallback = {}) const;

  const std::map<std::string, AttrValue, std::less<>>& items() const { return items_; }
  bool operator==(const Attributes& other) const = default;

 private:
  std::map<std::string, AttrValue, std::less<>> items_;
};

}  // namespace hetero::ops
