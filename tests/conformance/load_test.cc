// Mandatory: the entry symbol and version negotiation, and the table it returns.
#include <cstring>

#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

#define HETERO_ENTRY_END(field) \
  (offsetof(hetero_plugin_api, field) + sizeof(((hetero_plugin_api*)nullptr)->field))

const hetero_plugin_api* GetApi(uint32_t major, uint32_t minor, AbiResult* result) {
  const hetero_plugin_api* api = nullptr;
  *result = Take(GetTarget().entry(major, minor, &api));
  return api;
}

TEST(Load, SameVersionAnswersWithAValidTable) {
  AbiResult r;
  const hetero_plugin_api* api = GetApi(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &r);
  ASSERT_EQ(r.code, HETERO_OK) << r.message;
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->abi_major, static_cast<uint32_t>(HETERO_PLUGIN_ABI_MAJOR));
  EXPECT_GE(api->struct_size, HETERO_ENTRY_END(set_profiling)) << "smaller than a v1.0 table";
  ASSERT_NE(api->plugin_name, nullptr);
  EXPECT_GT(std::strlen(api->plugin_name), 0u);
  ASSERT_NE(api->plugin_version, nullptr);
  for (auto entry :
       {(void*)api->plugin_create, (void*)api->plugin_destroy, (void*)api->device_count,
        (void*)api->device_properties, (void*)api->device_open, (void*)api->device_close,
        (void*)api->query_support, (void*)api->compile, (void*)api->executable_destroy,
        (void*)api->buffer_allocate, (void*)api->buffer_free, (void*)api->stream_create,
        (void*)api->stream_destroy, (void*)api->copy_host_to_device,
        (void*)api->copy_device_to_host, (void*)api->execute, (void*)api->stream_synchronize}) {
    EXPECT_NE(entry, nullptr) << "a required entry is NULL";
  }
}

TEST(Load, CallingTwiceGivesTheSameTable) {
  AbiResult r1, r2;
  const hetero_plugin_api* a = GetApi(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &r1);
  const hetero_plugin_api* b = GetApi(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, &r2);
  ASSERT_EQ(r1.code, HETERO_OK);
  ASSERT_EQ(r2.code, HETERO_OK);
  EXPECT_EQ(a, b);
}

TEST(Load, NewerHostMinorStillGetsATable) {
  // A host built against a later minor of the same major must still be answered; the
  // host then uses min(its minor, api->abi_minor).
  AbiResult r;
  const hetero_plugin_api* api = GetApi(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR + 7, &r);
  ASSERT_EQ(r.code, HETERO_OK) << r.message;
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->abi_major, static_cast<uint32_t>(HETERO_PLUGIN_ABI_MAJOR));
}

TEST(Load, OlderHostMinorStillGetsATable) {
  // Minor 0 is the oldest host of this major.
  AbiResult r;
  const hetero_plugin_api* api = GetApi(HETERO_PLUGIN_ABI_MAJOR, 0, &r);
  ASSERT_EQ(r.code, HETERO_OK) << r.message;
  ASSERT_NE(api, nullptr);
}

TEST(Load, OtherMajorIsACleanError) {
  for (uint32_t major : {0u, HETERO_PLUGIN_ABI_MAJOR + 1u, 1000u}) {
    if (major == HETERO_PLUGIN_ABI_MAJOR) continue;
    AbiResult r;
    const hetero_plugin_api* api = GetApi(major, 0, &r);
    EXPECT_TRUE(IsCleanError(r)) << "major " << major;
    EXPECT_EQ(r.code, HETERO_INCOMPATIBLE_VERSION) << r.message;
    EXPECT_EQ(api, nullptr) << "a table for major " << major;
  }
}

TEST(Load, NullOutPointerIsAnError) {
  AbiResult r = Take(GetTarget().entry(HETERO_PLUGIN_ABI_MAJOR, HETERO_PLUGIN_ABI_MINOR, nullptr));
  EXPECT_TRUE(IsCleanError(r));
}

TEST(Load, HostTableLoadsIt) {
  const auto& lib = *GetTarget().library;
  EXPECT_EQ(lib.negotiated_minor(),
            std::min<uint32_t>(lib.plugin_abi_minor(), HETERO_PLUGIN_ABI_MINOR));
  EXPECT_FALSE(lib.name().empty());
}

}  // namespace
}  // namespace hetero::conformance
