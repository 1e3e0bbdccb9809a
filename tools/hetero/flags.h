// Command-line flags of the hetero CLI: positional arguments, --name VALUE, --name=VALUE.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hetero::cli {

// Exit statuses of the CLI contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

class Flags {
 public:
  // `valued` flags take a value (repeatable); `switches` take none. Anything else that
  // starts with "--" is a usage error, reported by Parse.
  static std::optional<Flags> Parse(const std::vector<std::string>& args,
                                    const std::set<std::string>& valued,
                                    const std::set<std::string>& switches, std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) || switches_.count(name); }
  // The last value given for a flag, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> switches_;
};

// Prints "hetero: <message>" on stderr and returns `status`.
int Fail(int status, const std::string& message);

}  // namespace hetero::cli
