// A small JSON value with a strict parser and a writer, for traces, bench results and
// their tests (no third-party JSON library is assumed on the build machine).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hetero/status.h"

namespace hetero::profiler {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;
  static JsonValue Bool(bool b);
  static JsonValue Number(double d);
  static JsonValue String(std::string s);
  static JsonValue Array();
  static JsonValue Object();

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool as_bool() const { return bool_; }
  double as_number() const { return number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<JsonValue>& items() const { return items_; }
  // Object members in the order they were written.
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }

  // The member `key` of an object, or nullptr (also when this is not an object).
  const JsonValue* Find(const std::string& key) const;
  // Convenience lookups with a fallback when missing or of another type.
  double NumberOr(const std::string& key, double fallback) const;
  std::string StringOr(const std::string& key, const std::string& fallback) const;

  void Push(JsonValue v) { items_.push_back(std::move(v)); }
  void Set(std::string key, JsonValue v);

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses one JSON document; errors name the byte offset. Depth is capped at 256.
StatusOr<JsonValue> ParseJson(const std::string& text);
// Reads and parses a file; errors name the file.
StatusOr<JsonValue> ReadJsonFile(const std::string& path);

// `s` as a quoted JSON string.
std::string JsonQuote(const std::string& s);
// A finite number in the shortest form that reads back the same; NaN and inf become null.
std::string JsonNumber(double d);

// Writes whole files: fails naming the path.
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace hetero::profiler
