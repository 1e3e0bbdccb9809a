// Runs the hetero CLI as a child process and captures its exit status and output.
#pragma once

#include <string>
#include <vector>

namespace hetero::testing {

struct CliResult {
  int exit_status = -1;  // -1 when the process did not exit normally (a crash)
  std::string out;
  std::string err;
};

// Runs `binary args...` with a 120 s limit (a hang is reported as exit_status -1).
CliResult RunCli(const std::string& binary, const std::vector<std::string>& args);

// Number of lines in `text` (a trailing newline does not start a new line).
int CountLines(const std::string& text);

}  // namespace hetero::testing
