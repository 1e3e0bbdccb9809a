// Loading one plugin: every way a module can be wrong gives a clean error, never a crash.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "runtime/plugins/device.h"
#include "runtime/plugins/plugin_library.h"

namespace hetero::plugins {
namespace {

std::string Module(const std::string& name) {
  return std::string(TEST_MODULE_DIR) + "/libhetero_plugin_" + name + ".so";
}

// Loads `path` and expects an error of `code` whose message holds every one of `parts`.
void ExpectLoadError(const std::string& path, StatusCode code,
                     std::initializer_list<std::string> parts) {
  auto lib = PluginLibrary::Open(path);
  ASSERT_FALSE(lib.ok()) << path << " loaded";
  EXPECT_EQ(lib.status().code(), code) << lib.status().ToString();
  for (const std::string& part : parts) {
    EXPECT_NE(lib.status().message().find(part), std::string::npos)
        << "'" << part << "' not in: " << lib.status().message();
  }
}

// Reads how many statuses a test module has created and not freed; the module is kept
// loaded by `handle` so its counter survives the loader's dlclose.
int LiveStatuses(void* handle) {
  auto fn = reinterpret_cast<int (*)()>(dlsym(handle, "test_plugin_live_statuses"));
  return fn ? fn() : -1;
}

TEST(PluginLoaderTest, LoadsTheNullPlugin) {
  auto lib = PluginLibrary::Open(NULL_PLUGIN_PATH);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  EXPECT_EQ((*lib)->name(), "null");
  EXPECT_FALSE((*lib)->builtin());
  EXPECT_EQ((*lib)->path(), NULL_PLUGIN_PATH);
  EXPECT_EQ((*lib)->plugin_abi_minor(), kHostAbiMinor);
  EXPECT_EQ((*lib)->negotiated_minor(), kHostAbiMinor);
  EXPECT_EQ((*lib)->api().abi_major, kHostAbiMajor);
  EXPECT_NE((*lib)->api().compile, nullptr);
  EXPECT_EQ((*lib)->api().event_create, nullptr);  // optional, not offered
}

TEST(PluginLoaderTest, WrongMajorIsACleanError) {
  ExpectLoadError(Module("test_wrong_major"), StatusCode::kFailedPrecondition,
                  {"test_wrong_major", "was built for ABI 2.x; this hetero speaks 1.x"});
}

TEST(PluginLoaderTest, MissingRequiredEntryIsNamed) {
  ExpectLoadError(Module("test_missing_entry"), StatusCode::kInvalidArgument,
                  {"required entry compile is NULL", "test_missing_entry"});
}

TEST(PluginLoaderTest, ModuleWithoutTheEntrySymbol) {
  ExpectLoadError(Module("test_no_symbol"), StatusCode::kInvalidArgument,
                  {"not a hetero plugin", HETERO_PLUGIN_ENTRY_NAME});
}

TEST(PluginLoaderTest, SystemLibraryIsNotAPlugin) {
  ExpectLoadError("libm.so.6", StatusCode::kInvalidArgument, {"no symbol"});
}

TEST(PluginLoaderTest, MissingFileAndGarbageFile) {
  ExpectLoadError("/nonexistent/libhetero_plugin_x.so", StatusCode::kInvalidArgument,
                  {"cannot load", "/nonexistent/libhetero_plugin_x.so"});
  const auto dir =
      std::filesystem::temp_directory_path() / ("hetero_loader_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string garbage = (dir / "libhetero_plugin_garbage.so").string();
  std::ofstream(garbage) << "this is not an ELF file\n";
  ExpectLoadError(garbage, StatusCode::kInvalidArgument, {"cannot load", garbage});
  const std::string empty = (dir / "libhetero_plugin_empty.so").string();
  std::ofstream{empty};
  ExpectLoadError(empty, StatusCode::kInvalidArgument, {"cannot load"});
  std::filesystem::remove_all(dir);
}

TEST(PluginLoaderTest, GetApiErrorIsConvertedAndFreed) {
  const std::string path = Module("test_get_api_error");
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  ExpectLoadError(path, StatusCode::kUnavailable, {"no test hardware in this machine"});
  EXPECT_EQ(LiveStatuses(handle), 0);
  dlclose(handle);
}

TEST(PluginLoaderTest, NullTableWithoutStatus) {
  ExpectLoadError(Module("test_null_table"), StatusCode::kInvalidArgument, {"returned no table"});
}

TEST(PluginLoaderTest, TableTooSmallForTheMajor) {
  ExpectLoadError(Module("test_small_table"), StatusCode::kInvalidArgument,
                  {"struct_size", "not valid for ABI 1.x"});
}

TEST(PluginLoaderTest, EmptyPluginName) {
  ExpectLoadError(Module("test_bad_name"), StatusCode::kInvalidArgument, {"is not a name"});
}

// A plugin from a later minor with a longer table: the host uses its own minor and
// reads only the entries it knows.
TEST(PluginLoaderTest, NewerMinorNegotiatesDown) {
  auto lib = PluginLibrary::Open(Module("test_newer_minor"));
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  EXPECT_EQ((*lib)->plugin_abi_minor(), kHostAbiMinor + 3);
  EXPECT_EQ((*lib)->negotiated_minor(), kHostAbiMinor);
  EXPECT_EQ((*lib)->plugin_table_size(), sizeof(hetero_plugin_api) + 2 * sizeof(void (*)()));
  EXPECT_EQ((*lib)->api().struct_size, sizeof(hetero_plugin_api));
  auto plugin = Plugin::Create(*lib, std::make_shared<HostServices>(1));
  ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
  EXPECT_EQ(*(*plugin)->DeviceCount(), 1u);
}

TEST(PluginLoaderTest, PluginCreateFailureIsReportedAndFreed) {
  const std::string path = Module("test_create_fails");
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto lib = PluginLibrary::Open(path);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  auto plugin = Plugin::Create(*lib, std::make_shared<HostServices>(1));
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plugin.status().message().find("plugin_create: the test device is busy"),
            std::string::npos)
      << plugin.status().message();
  EXPECT_EQ(LiveStatuses(handle), 0);
  dlclose(handle);
}

TEST(PluginLoaderTest, BuiltinEntry) {
  EXPECT_FALSE(PluginLibrary::FromEntry("built-in nothing", nullptr).ok());
  void* handle = dlopen(NULL_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto entry = reinterpret_cast<hetero_plugin_get_api_fn>(dlsym(handle, HETERO_PLUGIN_ENTRY_NAME));
  ASSERT_NE(entry, nullptr);
  auto lib = PluginLibrary::FromEntry("built-in null", entry);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  EXPECT_TRUE((*lib)->builtin());
  EXPECT_EQ((*lib)->label(), "built-in null");
  lib = Status(StatusCode::kInternal, "released before dlclose");
  dlclose(handle);
}

// The plugin's side of the version check: asked by a host of another major, the null
// plugin answers HETERO_INCOMPATIBLE_VERSION with a message, and no table.
TEST(PluginLoaderTest, NullPluginRefusesAnotherMajor) {
  void* handle = dlopen(NULL_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr);
  auto entry = reinterpret_cast<hetero_plugin_get_api_fn>(dlsym(handle, HETERO_PLUGIN_ENTRY_NAME));
  const hetero_plugin_api* table = reinterpret_cast<const hetero_plugin_api*>(&handle);
  Status status = TakePluginStatus(entry(kHostAbiMajor + 1, 0, &table), "get_api");
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("incompatible version"), std::string::npos);
  EXPECT_NE(status.message().find("ABI 1.x"), std::string::npos) << status.message();
  EXPECT_EQ(table, nullptr);
  EXPECT_FALSE(TakePluginStatus(entry(kHostAbiMajor, 0, nullptr), "get_api").ok());
  dlclose(handle);
}

TEST(PluginLoaderTest, TwoNullInstancesSideBySide) {
  auto lib = PluginLibrary::Open(NULL_PLUGIN_PATH);
  ASSERT_TRUE(lib.ok());
  auto host = std::make_shared<HostServices>(1);
  auto a = Plugin::Create(*lib, host);
  auto b = Plugin::Create(*lib, host);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)->raw(), (*b)->raw());
  auto device_a = (*a)->OpenDevice(0);
  auto device_b = (*b)->OpenDevice(0);
  ASSERT_TRUE(device_a.ok() && device_b.ok());
  EXPECT_NE((*device_a)->raw(), (*device_b)->raw());
  EXPECT_EQ((*device_a)->name(), "null:0");
  device_a = Status(StatusCode::kCancelled, "closed");
  a = Status(StatusCode::kCancelled, "destroyed");
  // b is untouched by a's teardown.
  EXPECT_EQ(*(*b)->DeviceCount(), 1u);
  EXPECT_EQ((*device_b)->properties().name, "null device");
  auto again = (*b)->OpenDevice(0);
  EXPECT_TRUE(again.ok());
  EXPECT_EQ((*b)->OpenDevice(1).status().code(), StatusCode::kOutOfRange);
}

TEST(PluginLoaderTest, StatusCodesMapOneToOne) {
  EXPECT_EQ(FromPluginCode(HETERO_INVALID_ARGUMENT), StatusCode::kInvalidArgument);
  EXPECT_EQ(FromPluginCode(HETERO_NOT_FOUND), StatusCode::kNotFound);
  EXPECT_EQ(FromPluginCode(HETERO_UNIMPLEMENTED), StatusCode::kUnimplemented);
  EXPECT_EQ(FromPluginCode(HETERO_OUT_OF_RANGE), StatusCode::kOutOfRange);
  EXPECT_EQ(FromPluginCode(HETERO_RESOURCE_EXHAUSTED), StatusCode::kResourceExhausted);
  EXPECT_EQ(FromPluginCode(HETERO_DATA_LOSS), StatusCode::kDataLoss);
  EXPECT_EQ(FromPluginCode(HETERO_UNAVAILABLE), StatusCode::kUnavailable);
  EXPECT_EQ(FromPluginCode(HETERO_CANCELLED), StatusCode::kCancelled);
  EXPECT_EQ(FromPluginCode(HETERO_INCOMPATIBLE_VERSION), StatusCode::kFailedPrecondition);
  EXPECT_EQ(FromPluginCode(12345), StatusCode::kInternal);
  EXPECT_TRUE(TakePluginStatus(nullptr, "x").ok());
}

}  // namespace
}  // namespace hetero::plugins
