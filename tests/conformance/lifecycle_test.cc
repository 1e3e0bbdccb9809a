// Mandatory: instances and devices come and go without leaking state into each other.
#include <cstring>
#include <vector>

#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

TEST(Lifecycle, RepeatedCreateAndDestroy) {
  for (int i = 0; i < 20; ++i) {
    RawInstance instance;
    ASSERT_TRUE(instance.ok()) << instance.error();
  }
}

TEST(Lifecycle, RepeatedOpenAndClose) {
  RawInstance instance;
  ASSERT_TRUE(instance.ok()) << instance.error();
  uint32_t count = 0;
  ASSERT_EQ(Take(instance.api().device_count(instance.plugin(), &count)).code, HETERO_OK);
  for (uint32_t d = 0; d < count; ++d) {
    for (int i = 0; i < 25; ++i) {
      hetero_device* device = nullptr;
      AbiResult r = Take(instance.api().device_open(instance.plugin(), d, &device));
      ASSERT_EQ(r.code, HETERO_OK) << "device " << d << ": " << r.message;
      ASSERT_NE(device, nullptr);
      instance.api().device_close(device);
    }
  }
}

TEST(Lifecycle, DeviceOpenedTwiceAtOnce) {
  RawInstance instance;
  ASSERT_TRUE(instance.ok()) << instance.error();
  uint32_t count = 0;
  ASSERT_EQ(Take(instance.api().device_count(instance.plugin(), &count)).code, HETERO_OK);
  if (count == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
  hetero_device* a = nullptr;
  hetero_device* b = nullptr;
  ASSERT_EQ(Take(instance.api().device_open(instance.plugin(), 0, &a)).code, HETERO_OK);
  ASSERT_EQ(Take(instance.api().device_open(instance.plugin(), 0, &b)).code, HETERO_OK);
  instance.api().device_close(a);
  instance.api().device_close(b);
}

// Two instances side by side, used interleaved: what one writes the other never sees.
TEST(Lifecycle, TwoInstancesSideBySide) {
  const Target& t = GetTarget();
  auto p1 = plugins::Plugin::Create(t.library, t.host);
  auto p2 = plugins::Plugin::Create(t.library, t.host);
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  ASSERT_TRUE(p2.ok()) << p2.status().ToString();
  auto c1 = (*p1)->DeviceCount();
  auto c2 = (*p2)->DeviceCount();
  ASSERT_TRUE(c1.ok() && c2.ok());
  EXPECT_EQ(*c1, *c2);
  if (*c1 == 0) GTEST_SKIP() << "the plugin lists no device on this machine";
  auto d1 = (*p1)->OpenDevice(0);
  auto d2 = (*p2)->OpenDevice(0);
  ASSERT_TRUE(d1.ok()) << d1.status().ToString();
  ASSERT_TRUE(d2.ok()) << d2.status().ToString();
  auto b1 = (*d1)->Allocate(64);
  HETERO_SKIP_IF_UNIMPLEMENTED(b1.status(), "buffer_allocate");
  auto b2 = (*d2)->Allocate(64);
  ASSERT_TRUE(b1.ok() && b2.ok());
  auto s1 = (*d1)->CreateStream();
  auto s2 = (*d2)->CreateStream();
  ASSERT_TRUE(s1.ok() && s2.ok());
  std::vector<uint8_t> x(64, 0x11), y(64, 0x22), rx(64), ry(64);
  ASSERT_TRUE(s1->CopyToDevice(x.data(), *b1, 0, 64).ok());
  ASSERT_TRUE(s2->CopyToDevice(y.data(), *b2, 0, 64).ok());
  ASSERT_TRUE(s2->CopyToHost(*b2, 0, ry.data(), 64).ok());
  ASSERT_TRUE(s1->CopyToHost(*b1, 0, rx.data(), 64).ok());
  ASSERT_TRUE(s1->Synchronize().ok());
  ASSERT_TRUE(s2->Synchronize().ok());
  EXPECT_EQ(rx, x);
  EXPECT_EQ(ry, y);
  // Destroying one instance leaves the other working.
  b1->Reset();
  s1->Reset();
  d1->reset();
  p1->reset();
  std::fill(ry.begin(), ry.end(), 0);
  ASSERT_TRUE(s2->CopyToHost(*b2, 0, ry.data(), 64).ok());
  ASSERT_TRUE(s2->Synchronize().ok());
  EXPECT_EQ(ry, y);
}

// A host built against an older header offers a shorter hetero_host_api: the plugin
// must treat the missing services (here enqueue_task and profile_record) as absent.
TEST(Lifecycle, OlderHostServicesTable) {
  const Target& t = GetTarget();
  auto binding = t.host->Bind(t.library->name());
  hetero_host_api old_host = *binding->api();
  old_host.struct_size = offsetof(hetero_host_api, enqueue_task);
  old_host.enqueue_task = nullptr;  // beyond struct_size: must not be read anyway
  old_host.profile_record = nullptr;
  const hetero_plugin_api& api = t.library->api();
  hetero_plugin* plugin = nullptr;
  AbiResult r = Take(api.plugin_create(&old_host, &plugin));
  ASSERT_EQ(r.code, HETERO_OK) << r.message;
  uint32_t count = 0;
  EXPECT_EQ(Take(api.device_count(plugin, &count)).code, HETERO_OK);
  hetero_device* device = nullptr;
  if (count > 0 && Take(api.device_open(plugin, 0, &device)).code == HETERO_OK) {
    hetero_buffer* buffer = nullptr;
    hetero_stream* stream = nullptr;
    if (Take(api.buffer_allocate(device, 8, &buffer)).code == HETERO_OK &&
        Take(api.stream_create(device, &stream)).code == HETERO_OK) {
      const uint64_t in = 0x0123456789abcdef;
      uint64_t out = 0;
      EXPECT_EQ(Take(api.copy_host_to_device(stream, &in, buffer, 0, 8, nullptr)).code, HETERO_OK);
      EXPECT_EQ(Take(api.copy_device_to_host(stream, buffer, 0, &out, 8, nullptr)).code, HETERO_OK);
      EXPECT_EQ(Take(api.stream_synchronize(stream)).code, HETERO_OK);
      EXPECT_EQ(out, in);
    }
    if (stream != nullptr) api.stream_destroy(stream);
    if (buffer != nullptr) api.buffer_free(buffer);
    api.device_close(device);
  }
  api.plugin_destroy(plugin);
}

}  // namespace
}  // namespace hetero::conformance
