// Optional (ABI 1.1): device_memory_stats. A buffer moves the bytes in use by its size
// when the plugin counts buffers; freeing it gives them back; the peak holds until a
// reset restarts it at the bytes in use; a struct too small for the counts is refused.
#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

class MemoryStats : public PluginTest {
 protected:
  void SetUp() override {
    PluginTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto stats = device_->ReadMemoryStats();
    HETERO_SKIP_IF_UNIMPLEMENTED(stats.status(), "device_memory_stats (optional, ABI 1.1)");
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  }
};

TEST_F(MemoryStats, ABufferMovesTheBytesInUseAndTheResetRestartsThePeak) {
  auto before = device_->ReadMemoryStats();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_GE(before->peak_bytes_in_use, before->bytes_in_use);
  if ((before->coverage & HETERO_MEMORY_BUFFERS) == 0) {
    GTEST_SKIP() << "the plugin's memory statistics do not count buffers";
  }
  constexpr uint64_t kSize = 4097;
  {
    auto buffer = device_->Allocate(kSize);
    HETERO_SKIP_IF_UNIMPLEMENTED(buffer.status(), "buffer_allocate");
    ASSERT_TRUE(buffer.ok()) << buffer.status().ToString();
    auto during = device_->ReadMemoryStats();
    ASSERT_TRUE(during.ok());
    EXPECT_EQ(during->bytes_in_use, before->bytes_in_use + kSize);
    EXPECT_GE(during->peak_bytes_in_use, during->bytes_in_use);
    EXPECT_GT(during->allocations, before->allocations);
  }
  auto freed = device_->ReadMemoryStats(/*reset_peak=*/true);
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(freed->bytes_in_use, before->bytes_in_use);
  EXPECT_GE(freed->peak_bytes_in_use, before->bytes_in_use + kSize);
  auto restarted = device_->ReadMemoryStats();
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ(restarted->peak_bytes_in_use, restarted->bytes_in_use);
}

TEST_F(MemoryStats, ATooSmallStructOrNullIsRefused) {
  const hetero_plugin_api& api = device_->api();
  hetero_memory_stats small{};
  small.struct_size = sizeof(uint32_t);
  hetero_status* s = api.device_memory_stats(device_->raw(), 0, &small);
  ASSERT_NE(s, nullptr) << "a struct_size of 4 holds none of the counts";
  EXPECT_EQ(s->code, HETERO_INVALID_ARGUMENT);
  s->destroy(s);
  s = api.device_memory_stats(device_->raw(), 0, nullptr);
  ASSERT_NE(s, nullptr) << "out_stats NULL";
  EXPECT_EQ(s->code, HETERO_INVALID_ARGUMENT);
  s->destroy(s);
}

}  // namespace
}  // namespace hetero::conformance
