// The subcommands of the hetero CLI; each returns the process exit status.
#pragma once

#include <string>
#include <vector>

namespace hetero::cli {

int RunModelCommand(const std::vector<std::string>& args);
int ExportCommand(const std::vector<std::string>& args);
int DevicesCommand(const std::vector<std::string>& args);
int OptCommand(const std::vector<std::string>& args);
int CompileCommand(const std::vector<std::string>& args);
int BenchCommand(const std::vector<std::string>& args);
int BenchCompareCommand(const std::vector<std::string>& args);  // `bench compare A B`
int CalibrateCommand(const std::vector<std::string>& args);

}  // namespace hetero::cli
