// Logging: level from the environment, one locked line per message.
#include "hetero/logging.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace hetero {
namespace {

LogLevel LevelFromEnv() {
  LogLevel level = LogLevel::kWarning;
  if (const char* env = std::getenv("HETERO_LOG_LEVEL")) ParseLogLevel(env, &level);
  return level;
}

std::atomic<int>& LevelStore() {
  static std::atomic<int> level{static_cast<int>(LevelFromEnv())};
  return level;
}

}  // namespace

LogLevel CurrentLogLevel() {
  return static_cast<LogLevel>(LevelStore().load(std::memory_order_relaxed));
}

void SetLogLevel(LogLevel level) { LevelStore().store(static_cast<int>(level)); }

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
      {"debug", LogLevel::kDebug},  {"info", LogLevel::kInfo},   {"warning", LogLevel::kWarning},
      {"warn", LogLevel::kWarning}, {"error", LogLevel::kError}, {"off", LogLevel::kOff}};
  for (const auto& [name, level] : kNames) {
    if (text == name) {
      *out = level;
      return true;
    }
  }
  return false;
}

void LogMessage(LogLevel level, std::string_view message) {
  static std::mutex mu;
  static constexpr char kTags[] = {'D', 'I', 'W', 'E', ' '};
  std::lock_guard<std::mutex> lock(mu);
  std::fprintf(stderr, "[hetero %c] %.*s\n", kTags[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace hetero
