// Test plugins for the loader's error paths: one source, built once per TEST_PLUGIN_MODE.
#include "tests/plugins/test_plugin_common.h"

namespace {

#if defined(TEST_PLUGIN_MODE_NEWER_MINOR)
// A table from a future minor: two more entries this host has never heard of.
struct FutureTable {
  hetero_plugin_api v1;
  void (*future_entry_a)(void);
  void (*future_entry_b)(void);
};
void FutureEntry() {}
#endif

[[maybe_unused]] hetero_status* CreateFails(const hetero_host_api*, hetero_plugin** out) {
  *out = nullptr;
  return test_plugin::MakeStatus(HETERO_FAILED_PRECONDITION, "the test device is busy");
}

[[maybe_unused]] hetero_status* CountFails(hetero_plugin*, uint32_t*) {
  return test_plugin::MakeStatus(HETERO_INTERNAL, "cannot count devices");
}

[[maybe_unused]] const void* MakeTable() {
  static hetero_plugin_api api = test_plugin::BaseTable(TEST_PLUGIN_NAME);
#if defined(TEST_PLUGIN_MODE_WRONG_MAJOR)
  api.abi_major = HETERO_PLUGIN_ABI_MAJOR + 1;
#elif defined(TEST_PLUGIN_MODE_MISSING_ENTRY)
  api.compile = nullptr;
#elif defined(TEST_PLUGIN_MODE_CREATE_FAILS)
  api.plugin_create = CreateFails;
#elif defined(TEST_PLUGIN_MODE_COUNT_FAILS)
  api.device_count = CountFails;
#elif defined(TEST_PLUGIN_MODE_SMALL_TABLE)
  api.struct_size = offsetof(hetero_plugin_api, compile);
#elif defined(TEST_PLUGIN_MODE_BAD_NAME)
  api.plugin_name = "";
#elif defined(TEST_PLUGIN_MODE_NEWER_MINOR)
  static FutureTable future{api, FutureEntry, FutureEntry};
  future.v1.struct_size = sizeof(FutureTable);
  future.v1.abi_minor = HETERO_PLUGIN_ABI_MINOR + 3;
  return &future;
#endif
  return &api;
}

}  // namespace

extern "C" HETERO_PLUGIN_EXPORT int test_plugin_live_statuses() {
  return test_plugin::live_statuses.load();
}

#if !defined(TEST_PLUGIN_MODE_NO_SYMBOL)
extern "C" HETERO_PLUGIN_EXPORT hetero_status* hetero_plugin_get_api(
    uint32_t host_major, uint32_t host_minor, const hetero_plugin_api** out) {
#if defined(TEST_PLUGIN_MODE_GET_API_ERROR)
  *out = nullptr;
  return test_plugin::MakeStatus(HETERO_UNAVAILABLE, "no test hardware in this machine");
#elif defined(TEST_PLUGIN_MODE_NULL_TABLE)
  *out = nullptr;
  return nullptr;
#else
  *out = static_cast<const hetero_plugin_api*>(MakeTable());
  return nullptr;
#endif
}
#endif
