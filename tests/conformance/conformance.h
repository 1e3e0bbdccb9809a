// The conformance suite's view of the plugin under test: how it was loaded, fresh
// instances and devices, raw ABI access, and the checks shared by the suite's files.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"

namespace hetero::conformance {

// The plugin under test, loaded once by the runner (hetero-conformance --plugin X).
struct Target {
  std::string spec;  // what --plugin said
  std::shared_ptr<const plugins::PluginLibrary> library;
  hetero_plugin_get_api_fn entry = nullptr;  // the raw entry, for version negotiation
  std::shared_ptr<plugins::HostServices> host;
};

// Loads `spec` (a built-in name, a plugin name on HETERO_PLUGIN_PATH, or a path).
Status LoadTarget(const std::string& spec);
const Target& GetTarget();

// The compile options string every op case is compiled with (hetero-conformance
// --compile-options; empty by default), e.g. "precision=bf16" for the cpu device.
void SetCompileOptions(std::string options);
const std::string& CompileOptions();

// Counters the runner prints at the end: op cases the plugin claimed and that matched
// the reference, and cases it declined.
struct Tally {
  int claimed_cases = 0;
  int declined_cases = 0;
  std::vector<std::string> notes;  // one line each
};
Tally& GetTally();
void AddNote(const std::string& note);

// A raw plugin instance through the C table (for tests that must see the ABI itself).
class RawInstance {
 public:
  RawInstance();
  ~RawInstance();
  bool ok() const { return plugin_ != nullptr; }
  const std::string& error() const { return error_; }
  const hetero_plugin_api& api() const { return *api_; }
  hetero_plugin* plugin() const { return plugin_; }

 private:
  std::unique_ptr<plugins::HostBinding> binding_;
  const hetero_plugin_api* api_ = nullptr;
  hetero_plugin* plugin_ = nullptr;
  std::string error_;
};

// The code and message of a status a plugin returned, freeing it. code HETERO_OK when
// the status was NULL.
struct AbiResult {
  int32_t code = HETERO_OK;
  std::string message;
};
AbiResult Take(hetero_status* status);
// An error result must carry a code other than OK and a one-line, non-empty message.
::testing::AssertionResult IsCleanError(const AbiResult& result);

// Fixture with a fresh instance of the plugin and its first device (through the C++
// wrappers). Tests that need a device skip with the reason when there is none.
class PluginTest : public ::testing::Test {
 protected:
  void SetUp() override;
  std::shared_ptr<plugins::Plugin> plugin_;
  std::shared_ptr<plugins::Device> device_;
  uint32_t device_count_ = 0;
  bool Has(uint64_t capability) const { return device_->properties().Has(capability); }
};

// Skips (with the reason) unless the device has `capability`.
#define HETERO_REQUIRE_CAP(cap)                                                 \
  do {                                                                          \
    if (!Has(cap)) GTEST_SKIP() << "optional: the device does not claim " #cap; \
  } while (0)

// Skips when `status` is the clean "unimplemented" answer of a plugin that does not
// offer `what`; fails on any other error.
#define HETERO_SKIP_IF_UNIMPLEMENTED(status, what)                                      \
  do {                                                                                  \
    if ((status).code() == ::hetero::StatusCode::kUnimplemented)                        \
      GTEST_SKIP() << "the plugin does not implement " what ": " << (status).message(); \
  } while (0)

}  // namespace hetero::conformance
