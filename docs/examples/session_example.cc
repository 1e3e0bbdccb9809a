// Example: run a built-in model through the public hetero::Session API, synchronously
// and asynchronously. Usage: session_example [builtin:NAME] [DEVICE,...]
#include <cstdio>
#include <sstream>

#include "compiler/builtin/builtin.h"
#include "hetero/session.h"

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "builtin:gpt2-tiny";
  hetero::SessionOptions options;
  if (argc > 2) {
    options.devices.clear();
    std::stringstream list(argv[2]);
    for (std::string name; std::getline(list, name, ',');) options.devices.push_back(name);
  }
  options.threads = 2;
  auto session = hetero::Session::Create(model, options);
  if (!session.ok()) {
    std::fprintf(stderr, "session_example: %s\n", session.status().ToString().c_str());
    return 1;
  }
  std::fputs((*session)->ExplainPlacement().c_str(), stdout);

  const std::string builtin = model.rfind("builtin:", 0) == 0 ? model.substr(8) : "gpt2-tiny";
  auto inputs = hetero::BuiltinSampleInputs(builtin, /*batch=*/1, /*seq=*/8);
  if (!inputs.ok()) {
    std::fprintf(stderr, "session_example: %s\n", inputs.status().ToString().c_str());
    return 1;
  }
  auto outputs = (*session)->Run(*inputs);
  if (!outputs.ok()) {
    std::fprintf(stderr, "session_example: %s\n", outputs.status().ToString().c_str());
    return 1;
  }
  for (const auto& [name, tensor] : *outputs) {
    std::printf("%s: %s\n", name.c_str(), tensor.type().ToString().c_str());
  }
  auto future = (*session)->RunAsync(*inputs);
  auto async_outputs = future.get();
  std::printf("async run: %s\n",
              async_outputs.ok() ? "ok" : async_outputs.status().ToString().c_str());
  return async_outputs.ok() ? 0 : 1;
}
