// The registry: built-ins, explicit paths, HETERO_PLUGIN_PATH, broken plugins, names.
#include "runtime/plugins/plugin_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/plugins/test_plugin_common.h"

namespace hetero::plugins {
namespace {

namespace fs = std::filesystem;

std::string Module(const std::string& name) {
  return std::string(TEST_MODULE_DIR) + "/libhetero_plugin_" + name + ".so";
}

RegistryOptions Explicit(std::vector<std::string> paths) {
  RegistryOptions options;
  options.load_builtins = false;
  options.use_plugin_path_env = false;
  options.use_default_dir = false;
  options.num_threads = 1;
  options.plugin_paths = std::move(paths);
  return options;
}

std::vector<std::string> Names(const PluginRegistry& registry) {
  std::vector<std::string> names;
  for (const DeviceEntry& device : registry.devices()) names.push_back(device.name);
  return names;
}

// A scratch directory removed at the end of the test; HETERO_PLUGIN_PATH restored.
class ScratchDir {
 public:
  ScratchDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("hetero_registry_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
    if (const char* old = std::getenv("HETERO_PLUGIN_PATH")) saved_ = old;
  }
  ~ScratchDir() {
    fs::remove_all(path_);
    if (saved_) {
      setenv("HETERO_PLUGIN_PATH", saved_->c_str(), 1);
    } else {
      unsetenv("HETERO_PLUGIN_PATH");
    }
  }
  std::string Link(const std::string& target, const std::string& name) const {
    const fs::path link = path_ / name;
    fs::create_symlink(target, link);
    return link.string();
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream((path_ / name).string()) << text;
    return (path_ / name).string();
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
  std::optional<std::string> saved_;
};

TEST(PluginRegistryTest, EmptyRegistryExplainsLookupFailures) {
  auto registry = PluginRegistry::Create(Explicit({}));
  EXPECT_TRUE(registry->devices().empty());
  auto device = registry->FindDevice("cpu");
  EXPECT_EQ(device.status().code(), StatusCode::kNotFound);
  EXPECT_NE(device.status().message().find("no device 'cpu'; available: none"), std::string::npos)
      << device.status().message();
}

TEST(PluginRegistryTest, DevicesAreNamedByPluginAndIndex) {
  auto registry = PluginRegistry::Create(Explicit({NULL_PLUGIN_PATH, Module("hostmem")}));
  ASSERT_TRUE(registry->broken().empty()) << registry->broken()[0].reason;
  EXPECT_EQ(Names(*registry), (std::vector<std::string>{"null:0", "hostmem:0", "hostmem:1"}));
  EXPECT_EQ(registry->plugins().size(), 2u);
  // A single-device plugin answers to its bare name too; a two-device one does not.
  auto null_device = registry->FindDevice("null");
  ASSERT_TRUE(null_device.ok());
  EXPECT_EQ((*null_device)->name, "null:0");
  auto second = registry->FindDevice("hostmem:1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*second)->index, 1u);
  EXPECT_EQ((*second)->properties.name, "hostmem device 1");
  auto ambiguous = registry->FindDevice("hostmem");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("available: null:0, hostmem:0, hostmem:1"),
            std::string::npos)
      << ambiguous.status().message();
  auto opened = registry->OpenDevice("hostmem:1");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->name(), "hostmem:1");
  EXPECT_EQ((*opened)->index(), 1u);
  EXPECT_TRUE(registry->FindPlugin("hostmem").ok());
  EXPECT_EQ(registry->FindPlugin("cuda").status().code(), StatusCode::kNotFound);
}

// Every broken module is recorded with its path and reason; the good ones still work.
TEST(PluginRegistryTest, BrokenPluginsAreRecordedAndIgnored) {
  const std::vector<std::string> bad = {"test_wrong_major", "test_missing_entry",
                                        "test_no_symbol",   "test_create_fails",
                                        "test_count_fails", "test_get_api_error"};
  std::vector<std::string> paths;
  for (const std::string& name : bad) paths.push_back(Module(name));
  paths.push_back(NULL_PLUGIN_PATH);
  paths.push_back("/nonexistent/libhetero_plugin_gone.so");
  auto registry = PluginRegistry::Create(Explicit(paths));
  EXPECT_EQ(Names(*registry), std::vector<std::string>{"null:0"});
  ASSERT_EQ(registry->broken().size(), bad.size() + 1);
  const std::vector<std::string> reasons = {"was built for ABI 2.x",
                                            "required entry compile is NULL",
                                            "not a hetero plugin",
                                            "the test device is busy",
                                            "cannot count devices",
                                            "no test hardware",
                                            "cannot load"};
  for (size_t i = 0; i < reasons.size(); ++i) {
    const BrokenPlugin& broken = registry->broken()[i];
    EXPECT_EQ(broken.source,
              i < bad.size() ? Module(bad[i]) : "/nonexistent/libhetero_plugin_gone.so");
    EXPECT_NE(broken.reason.find(reasons[i]), std::string::npos) << broken.reason;
  }
  auto missing = registry->FindDevice("test_wrong_major:0");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("broken plugins:"), std::string::npos);
  EXPECT_TRUE(registry->OpenDevice("null:0").ok());
}

TEST(PluginRegistryTest, DiscoversPluginsOnHeteroPluginPath) {
  ScratchDir dir;
  dir.Link(NULL_PLUGIN_PATH, "libhetero_plugin_null.so");
  dir.Link(Module("hostmem"), "hetero_plugin_hostmem.so");  // the prefix without "lib"
  dir.Write("libhetero_plugin_garbage.so", "garbage, named like a plugin");
  dir.Link(Module("hostmem"), "libsomething_else.so");  // not named like a plugin
  dir.Write("hetero_plugin_notes.txt", "ignored");
  setenv("HETERO_PLUGIN_PATH", ("/nonexistent/dir::" + dir.str()).c_str(), 1);
  RegistryOptions options = Explicit({});
  options.use_plugin_path_env = true;
  auto registry = PluginRegistry::Create(options);
  // Sorted by file name: hetero_plugin_hostmem.so, libhetero_plugin_garbage.so, ..._null.so
  EXPECT_EQ(Names(*registry), (std::vector<std::string>{"hostmem:0", "hostmem:1", "null:0"}));
  ASSERT_EQ(registry->broken().size(), 1u);
  EXPECT_EQ(registry->broken()[0].source, dir.str() + "/libhetero_plugin_garbage.so");
  EXPECT_NE(registry->broken()[0].reason.find("cannot load"), std::string::npos);
}

TEST(PluginRegistryTest, SameFileTwiceLoadsOnceAndSameNameTwiceIsBroken) {
  ScratchDir dir;
  const std::string copy = dir.str() + "/libhetero_plugin_null.so";
  fs::copy_file(NULL_PLUGIN_PATH, copy);
  // A folder holding only a link to the null module (build/lib holds other plugins too).
  ScratchDir path_dir;
  path_dir.Link(NULL_PLUGIN_PATH, "libhetero_plugin_null.so");
  setenv("HETERO_PLUGIN_PATH", path_dir.str().c_str(), 1);
  RegistryOptions options = Explicit({NULL_PLUGIN_PATH, copy});
  options.use_plugin_path_env = true;  // finds NULL_PLUGIN_PATH again: skipped
  auto registry = PluginRegistry::Create(options);
  EXPECT_EQ(Names(*registry), std::vector<std::string>{"null:0"});
  ASSERT_EQ(registry->broken().size(), 1u);
  EXPECT_EQ(registry->broken()[0].source, copy);
  EXPECT_NE(registry->broken()[0].reason.find("a plugin named 'null' is already loaded from"),
            std::string::npos)
      << registry->broken()[0].reason;
}

TEST(PluginRegistryTest, ExplicitDirectoryIsScanned) {
  ScratchDir dir;
  dir.Link(NULL_PLUGIN_PATH, "libhetero_plugin_null.so");
  auto registry = PluginRegistry::Create(Explicit({dir.str()}));
  EXPECT_EQ(Names(*registry), std::vector<std::string>{"null:0"});
}

// A built-in CPU plugin with one device is called by its plugin name alone.
hetero_status* CpuKindProperties(hetero_plugin*, uint32_t, hetero_device_properties* out) {
  const uint32_t size = out->struct_size;
  hetero_device_properties p{};
  p.kind = HETERO_DEVICE_CPU;
  std::memcpy(out, &p, std::min<size_t>(size, sizeof(p)));
  out->struct_size = size;
  return nullptr;
}

hetero_status* FakeCpuEntry(uint32_t, uint32_t, const hetero_plugin_api** out) {
  static const hetero_plugin_api table = [] {
    hetero_plugin_api api = test_plugin::BaseTable("fakecpu");
    api.device_properties = CpuKindProperties;
    return api;
  }();
  *out = &table;
  return nullptr;
}

TEST(PluginRegistryTest, BuiltinPluginsAndSingleCpuNaming) {
  RegisterBuiltinPlugin("fakecpu", &FakeCpuEntry);
  bool listed = false;
  for (const BuiltinPlugin& builtin : BuiltinPlugins()) listed |= builtin.name == "fakecpu";
  EXPECT_TRUE(listed);
  RegistryOptions options = Explicit({NULL_PLUGIN_PATH});
  options.load_builtins = true;
  auto registry = PluginRegistry::Create(options);
  auto cpu = registry->FindDevice("fakecpu");
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_EQ((*cpu)->name, "fakecpu");
  EXPECT_TRUE((*cpu)->plugin->library().builtin());
  EXPECT_EQ((*cpu)->plugin->library().label(), "built-in fakecpu");
  EXPECT_TRUE(registry->FindDevice("fakecpu:0").ok());
  // Built-ins come first.
  EXPECT_EQ(registry->devices().back().name, "null:0");
}

TEST(PluginRegistryTest, ResolvesNamesAndPaths) {
  EXPECT_TRUE(ResolvePluginLibrary(NULL_PLUGIN_PATH).ok());
  ScratchDir dir;
  dir.Link(NULL_PLUGIN_PATH, "libhetero_plugin_null.so");
  setenv("HETERO_PLUGIN_PATH", dir.str().c_str(), 1);
  auto by_name = ResolvePluginLibrary("null");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ((*by_name)->name(), "null");
  auto missing = ResolvePluginLibrary("nonesuch");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("libhetero_plugin_nonesuch.so"), std::string::npos);
}

TEST(PluginRegistryTest, PluginFileNames) {
  EXPECT_TRUE(IsPluginFileName("libhetero_plugin_cpu.so"));
  EXPECT_TRUE(IsPluginFileName("hetero_plugin_x.so"));
  EXPECT_FALSE(IsPluginFileName("libhetero_plugin_.so"));
  EXPECT_FALSE(IsPluginFileName("libhetero_plugin_cpu.so.1"));
  EXPECT_FALSE(IsPluginFileName("libcuda.so"));
  EXPECT_TRUE(PluginFilesIn("/nonexistent").empty());
}

}  // namespace
}  // namespace hetero::plugins
