// The plugin under test: loading it, raw instances, status checks, the fixture.
#include "tests/conformance/conformance.h"

#include <dlfcn.h>

#include "runtime/plugins/plugin_registry.h"

namespace hetero::conformance {
namespace {

Target& MutableTarget() {
  static Target target;
  return target;
}

}  // namespace

Status LoadTarget(const std::string& spec) {
  Target& t = MutableTarget();
  t.spec = spec;
  HETERO_ASSIGN_OR_RETURN(t.library, plugins::ResolvePluginLibrary(spec));
  if (t.library->builtin()) {
    for (const plugins::BuiltinPlugin& b : plugins::BuiltinPlugins()) {
      if (b.name == t.library->name()) t.entry = b.entry;
    }
  } else {
    // The library already holds the module open; this adds a reference for the raw entry.
    void* handle = dlopen(t.library->path().c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      t.entry = reinterpret_cast<hetero_plugin_get_api_fn>(dlsym(handle, HETERO_PLUGIN_ENTRY_NAME));
    }
  }
  if (t.entry == nullptr) return Internal("cannot find the entry of " + t.library->label());
  t.host = std::make_shared<plugins::HostServices>();
  return OkStatus();
}

const Target& GetTarget() { return MutableTarget(); }

namespace {
std::string& MutableCompileOptions() {
  static std::string options;
  return options;
}
}  // namespace

void SetCompileOptions(std::string options) { MutableCompileOptions() = std::move(options); }
const std::string& CompileOptions() { return MutableCompileOptions(); }

Tally& GetTally() {
  static Tally tally;
  return tally;
}

void AddNote(const std::string& note) {
  GetTally().notes.push_back(note);
  ::testing::Test::RecordProperty("note", note);
}

RawInstance::RawInstance() {
  const Target& t = GetTarget();
  binding_ = t.host->Bind(t.library->name());
  AbiResult got = Take(t.entry(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &api_));
  if (got.code != HETERO_OK || api_ == nullptr) {
    error_ = "get_api failed: " + got.message;
    return;
  }
  got = Take(api_->plugin_create(binding_->api(), &plugin_));
  if (got.code != HETERO_OK) error_ = "plugin_create failed: " + got.message;
}

RawInstance::~RawInstance() {
  if (plugin_ != nullptr) api_->plugin_destroy(plugin_);
}

AbiResult Take(hetero_status* status) {
  AbiResult r;
  if (status == nullptr) return r;
  r.code = status->code;
  r.message = status->message != nullptr ? status->message : "";
  if (status->destroy != nullptr) status->destroy(status);
  return r;
}

::testing::AssertionResult IsCleanError(const AbiResult& r) {
  if (r.code == HETERO_OK) return ::testing::AssertionFailure() << "returned OK (NULL status)";
  if (r.message.empty()) {
    return ::testing::AssertionFailure() << "error " << r.code << " has an empty message";
  }
  if (r.message.find('\n') != std::string::npos) {
    return ::testing::AssertionFailure() << "message is not one line: " << r.message;
  }
  return ::testing::AssertionSuccess() << "error " << r.code << ": " << r.message;
}

void PluginTest::SetUp() {
  const Target& t = GetTarget();
  auto plugin = plugins::Plugin::Create(t.library, t.host);
  ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
  plugin_ = *plugin;
  auto count = plugin_->DeviceCount();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  device_count_ = *count;
  if (device_count_ == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
  auto device = plugin_->OpenDevice(0);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  device_ = *device;
}

}  // namespace hetero::conformance
