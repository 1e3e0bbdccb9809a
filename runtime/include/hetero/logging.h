// Logging to stderr with a level chosen by the HETERO_LOG_LEVEL environment variable.
#pragma once

#include <sstream>
#include <string_view>

namespace hetero {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// From HETERO_LOG_LEVEL (debug|info|warning|error|off, default warning), read once.
LogLevel CurrentLogLevel();
void SetLogLevel(LogLevel level);
bool ParseLogLevel(std::string_view text, LogLevel* out);
// Writes one line "[hetero W] message" to stderr. Thread-safe.
void LogMessage(LogLevel level, std::string_view message);

}  // namespace hetero

// HETERO_LOG(kInfo) << "loaded " << n << " nodes";  costs one compare when filtered.
#define HETERO_LOG(level)                                        \
  if (::hetero::LogLevel::level < ::hetero::CurrentLogLevel()) { \
  } else                                                         \
    ::hetero::internal::LogLine(::hetero::LogLevel::level).stream()

namespace hetero::internal {
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { LogMessage(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace hetero::internal
