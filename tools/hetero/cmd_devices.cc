// `hetero devices`: the devices this build can run on.
#include <cstdio>
#include <thread>

#include "tools/hetero/commands.h"
#include "tools/hetero/flags.h"

namespace hetero::cli {

int DevicesCommand(const std::vector<std::string>& args) {
  std::string error;
  auto flags = Flags::Parse(args, {}, {"--json"}, &error);
  if (!flags) return Fail(kExitUsage, "devices: " + error);
  if (!flags->positional().empty()) return Fail(kExitUsage, "devices: takes no arguments");
  const unsigned threads = std::thread::hardware_concurrency();
  if (flags->Has("--json")) {
    std::printf(
        "{\"devices\": [{\"name\": \"cpu\", \"kind\": \"cpu\", \"executor\": \"reference\", "
        "\"threads\": %u}]}\n",
        threads);
  } else {
    std::printf("cpu    reference kernels, %u hardware threads\n", threads);
  }
  return kExitOk;
}

}  // namespace hetero::cli
