// Mandatory: devices and their properties are well-formed and the same on every call.
#include <cstring>

#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

hetero_device_properties Properties(const RawInstance& instance, uint32_t index, AbiResult* r) {
  hetero_device_properties p;
  std::memset(&p, 0x5a, sizeof(p));  // garbage the plugin must overwrite
  p.struct_size = sizeof(p);
  *r = Take(instance.api().device_properties(instance.plugin(), index, &p));
  return p;
}

bool SameProperties(const hetero_device_properties& a, const hetero_device_properties& b) {
  return a.kind == b.kind && std::strcmp(a.name, b.name) == 0 &&
         std::strcmp(a.vendor, b.vendor) == 0 && a.memory_bytes == b.memory_bytes &&
         a.capabilities == b.capabilities &&
         std::memcmp(a.peak_flops, b.peak_flops, sizeof(a.peak_flops)) == 0 &&
         a.max_allocation_bytes == b.max_allocation_bytes;
}

TEST(Enumeration, StableAcrossCallsAndInstances) {
  RawInstance a, b;
  ASSERT_TRUE(a.ok() && b.ok()) << a.error() << b.error();
  uint32_t count_a1 = 0, count_a2 = 0, count_b = 0;
  ASSERT_EQ(Take(a.api().device_count(a.plugin(), &count_a1)).code, HETERO_OK);
  ASSERT_EQ(Take(a.api().device_count(a.plugin(), &count_a2)).code, HETERO_OK);
  ASSERT_EQ(Take(b.api().device_count(b.plugin(), &count_b)).code, HETERO_OK);
  EXPECT_EQ(count_a1, count_a2);
  EXPECT_EQ(count_a1, count_b);
  for (uint32_t i = 0; i < count_a1; ++i) {
    AbiResult r1, r2, r3;
    const auto p1 = Properties(a, i, &r1);
    const auto p2 = Properties(a, i, &r2);
    const auto p3 = Properties(b, i, &r3);
    ASSERT_EQ(r1.code, HETERO_OK) << r1.message;
    ASSERT_EQ(r2.code, HETERO_OK) << r2.message;
    ASSERT_EQ(r3.code, HETERO_OK) << r3.message;
    EXPECT_TRUE(SameProperties(p1, p2)) << "device " << i << " changes between calls";
    EXPECT_TRUE(SameProperties(p1, p3)) << "device " << i << " differs between instances";
  }
}

TEST(Enumeration, PropertiesAreWellFormed) {
  RawInstance a;
  ASSERT_TRUE(a.ok()) << a.error();
  uint32_t count = 0;
  ASSERT_EQ(Take(a.api().device_count(a.plugin(), &count)).code, HETERO_OK);
  if (count == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
  for (uint32_t i = 0; i < count; ++i) {
    AbiResult r;
    const auto p = Properties(a, i, &r);
    ASSERT_EQ(r.code, HETERO_OK) << r.message;
    EXPECT_EQ(p.struct_size, sizeof(p));
    EXPECT_GE(p.kind, HETERO_DEVICE_CPU);
    EXPECT_LE(p.kind, HETERO_DEVICE_ACCELERATOR);
    EXPECT_NE(std::memchr(p.name, '\0', sizeof(p.name)), nullptr) << "name not terminated";
    EXPECT_NE(std::memchr(p.vendor, '\0', sizeof(p.vendor)), nullptr) << "vendor not terminated";
    EXPECT_GT(std::strlen(p.name), 0u);
    for (double f : p.peak_flops) EXPECT_GE(f, 0);
    EXPECT_GE(p.memory_bandwidth, 0);
    EXPECT_GE(p.launch_overhead_ns, 0);
    EXPECT_EQ(p.capabilities >> 7, 0u) << "capability bits this ABI does not define";
    if (p.capabilities & HETERO_CAP_EVENTS) {
      EXPECT_NE(a.api().event_create, nullptr) << "claims events without event entries";
      EXPECT_NE(a.api().event_wait, nullptr);
      EXPECT_NE(a.api().event_on_ready, nullptr);
    }
    if (p.capabilities & HETERO_CAP_DEVICE_COPY) {
      EXPECT_NE(a.api().copy_device_to_device, nullptr);
    }
    if (p.capabilities & HETERO_CAP_HOST_MEMORY) {
      EXPECT_NE(a.api().buffer_host_pointer, nullptr);
    }
    if (p.capabilities & HETERO_CAP_SERIALIZE) {
      EXPECT_NE(a.api().executable_serialize, nullptr);
      EXPECT_NE(a.api().executable_deserialize, nullptr);
    }
  }
}

// A host built against an older, smaller properties struct gets only what it can hold.
TEST(Enumeration, SmallerPropertiesStructIsNotOverrun) {
  RawInstance a;
  ASSERT_TRUE(a.ok()) << a.error();
  uint32_t count = 0;
  ASSERT_EQ(Take(a.api().device_count(a.plugin(), &count)).code, HETERO_OK);
  if (count == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
  constexpr size_t kOldSize = offsetof(hetero_device_properties, memory_bytes);
  hetero_device_properties p;
  std::memset(&p, 0x77, sizeof(p));
  p.struct_size = kOldSize;
  ASSERT_EQ(Take(a.api().device_properties(a.plugin(), 0, &p)).code, HETERO_OK);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&p);
  for (size_t i = kOldSize; i < sizeof(p); ++i) {
    ASSERT_EQ(bytes[i], 0x77) << "wrote byte " << i << " past struct_size " << kOldSize;
  }
  EXPECT_GT(std::strlen(p.name), 0u);
}

}  // namespace
}  // namespace hetero::conformance
