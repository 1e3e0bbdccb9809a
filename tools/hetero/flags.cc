// Flag parsing for the hetero CLI.
#include "tools/hetero/flags.h"

#include <cstdio>

namespace hetero::cli {

std::optional<Flags> Flags::Parse(const std::vector<std::string>& args,
                                  const std::set<std::string>& valued,
                                  const std::set<std::string>& switches, std::string* error) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
      flags.positional_.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (name == "-o") name = "--out";
    if (switches.count(name)) {
      if (value) {
        *error = "flag " + name + " takes no value";
        return std::nullopt;
      }
      flags.switches_.insert(name);
    } else if (valued.count(name)) {
      if (!value) {
        if (i + 1 >= args.size()) {
          *error = "flag " + name + " needs a value";
          return std::nullopt;
        }
        value = args[++i];
      }
      flags.values_[name].push_back(*value);
    } else {
      *error = "unknown flag " + name;
      return std::nullopt;
    }
  }
  return flags;
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int Fail(int status, const std::string& message) {
  std::fprintf(stderr, "hetero: %s\n", message.c_str());
  return status;
}

}  // namespace hetero::cli
