// Mandatory: buffers of every size and copies at every offset; optional: device-to-device
// copies and host-visible memory.
#include <numeric>
#include <vector>

#include "tests/conformance/conformance.h"

namespace hetero::conformance {
namespace {

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return v;
}

class Memory : public PluginTest {
 protected:
  void SetUp() override {
    PluginTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto probe = device_->Allocate(1);
    HETERO_SKIP_IF_UNIMPLEMENTED(probe.status(), "buffer_allocate");
    ASSERT_TRUE(probe.ok()) << probe.status().ToString();
    auto stream = device_->CreateStream();
    HETERO_SKIP_IF_UNIMPLEMENTED(stream.status(), "stream_create");
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    stream_ = std::move(*stream);
  }

  // Writes `data` into a fresh buffer and reads it back whole.
  std::vector<uint8_t> RoundTrip(const std::vector<uint8_t>& data) {
    auto buffer = device_->Allocate(data.size());
    EXPECT_TRUE(buffer.ok()) << buffer.status().ToString();
    if (!buffer.ok()) return {};
    EXPECT_EQ(buffer->size(), data.size());
    std::vector<uint8_t> back(data.size(), 0xee);
    EXPECT_TRUE(stream_.CopyToDevice(data.data(), *buffer, 0, data.size()).ok());
    EXPECT_TRUE(stream_.CopyToHost(*buffer, 0, back.data(), back.size()).ok());
    EXPECT_TRUE(stream_.Synchronize().ok());
    return back;
  }

  plugins::Stream stream_;
};

TEST_F(Memory, SizesZeroOneOddAndLarge) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{7}, size_t{4097}, size_t{3} << 20}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const auto data = Pattern(size, static_cast<uint8_t>(size));
    EXPECT_EQ(RoundTrip(data), data);
  }
}

TEST_F(Memory, ManyBuffersAtOnce) {
  std::vector<plugins::Buffer> buffers;
  for (int i = 0; i < 64; ++i) {
    auto b = device_->Allocate(1 + i * 13);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    buffers.push_back(std::move(*b));
  }
  // Host memory of a copy must live until the copy is done: keep every source.
  std::vector<std::vector<uint8_t>> sources;
  for (size_t i = 0; i < buffers.size(); ++i) {
    sources.push_back(Pattern(buffers[i].size(), static_cast<uint8_t>(i)));
    ASSERT_TRUE(stream_.CopyToDevice(sources[i].data(), buffers[i], 0, sources[i].size()).ok());
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    std::vector<uint8_t> back(buffers[i].size());
    ASSERT_TRUE(stream_.CopyToHost(buffers[i], 0, back.data(), back.size()).ok());
    ASSERT_TRUE(stream_.Synchronize().ok());
    EXPECT_EQ(back, Pattern(buffers[i].size(), static_cast<uint8_t>(i))) << "buffer " << i;
  }
}

// Every offset of a 67-byte buffer, with sizes 0, 1 and the rest of the buffer.
TEST_F(Memory, CopiesAtEveryOffset) {
  constexpr uint64_t kSize = 67;
  auto buffer = device_->Allocate(kSize);
  ASSERT_TRUE(buffer.ok());
  std::vector<uint8_t> expect(kSize, 0);
  ASSERT_TRUE(stream_.CopyToDevice(expect.data(), *buffer, 0, kSize).ok());
  for (uint64_t offset = 0; offset < kSize; ++offset) {
    for (uint64_t size : {uint64_t{0}, uint64_t{1}, kSize - offset}) {
      const auto data = Pattern(size, static_cast<uint8_t>(offset * 3 + size));
      ASSERT_TRUE(stream_.CopyToDevice(data.data(), *buffer, offset, size).ok());
      std::copy(data.begin(), data.end(), expect.begin() + offset);
      std::vector<uint8_t> whole(kSize), part(size + 1, 0xab);
      ASSERT_TRUE(stream_.CopyToHost(*buffer, 0, whole.data(), kSize).ok());
      ASSERT_TRUE(stream_.CopyToHost(*buffer, offset, part.data(), size).ok());
      ASSERT_TRUE(stream_.Synchronize().ok());
      ASSERT_EQ(whole, expect) << "after writing " << size << " bytes at offset " << offset;
      ASSERT_EQ(std::vector<uint8_t>(part.begin(), part.begin() + size), data);
      ASSERT_EQ(part[size], 0xab) << "read past the requested size at offset " << offset;
    }
  }
}

TEST_F(Memory, LargeTransferInOrder) {
  // Copies queued back to back on one stream land in order: the last write wins.
  const size_t n = size_t{16} << 20;
  auto buffer = device_->Allocate(n);
  ASSERT_TRUE(buffer.ok());
  const auto first = Pattern(n, 1);
  const auto second = Pattern(n, 2);
  std::vector<uint8_t> back(n);
  ASSERT_TRUE(stream_.CopyToDevice(first.data(), *buffer, 0, n).ok());
  ASSERT_TRUE(stream_.CopyToDevice(second.data(), *buffer, 0, n).ok());
  ASSERT_TRUE(stream_.CopyToHost(*buffer, 0, back.data(), n).ok());
  ASSERT_TRUE(stream_.Synchronize().ok());
  EXPECT_TRUE(back == second);
}

TEST_F(Memory, OptionalDeviceToDevice) {
  HETERO_REQUIRE_CAP(HETERO_CAP_DEVICE_COPY);
  constexpr uint64_t kSize = 259;
  auto src = device_->Allocate(kSize);
  auto dst = device_->Allocate(kSize);
  ASSERT_TRUE(src.ok() && dst.ok());
  const auto data = Pattern(kSize, 9);
  ASSERT_TRUE(stream_.CopyToDevice(data.data(), *src, 0, kSize).ok());
  std::vector<uint8_t> zeros(kSize, 0), expect(kSize, 0), back(kSize);
  for (uint64_t offset : {uint64_t{0}, uint64_t{1}, uint64_t{17}, kSize - 1}) {
    ASSERT_TRUE(stream_.CopyToDevice(zeros.data(), *dst, 0, kSize).ok());
    const uint64_t size = kSize - offset;
    ASSERT_TRUE(stream_.CopyDeviceToDevice(*src, 0, *dst, offset, size).ok());
    ASSERT_TRUE(stream_.CopyToHost(*dst, 0, back.data(), kSize).ok());
    ASSERT_TRUE(stream_.Synchronize().ok());
    std::fill(expect.begin(), expect.end(), 0);
    std::copy(data.begin(), data.begin() + size, expect.begin() + offset);
    EXPECT_EQ(back, expect) << "offset " << offset;
  }
}

TEST_F(Memory, OptionalHostPointer) {
  HETERO_REQUIRE_CAP(HETERO_CAP_HOST_MEMORY);
  auto buffer = device_->Allocate(33);
  ASSERT_TRUE(buffer.ok());
  const auto data = Pattern(33, 5);
  ASSERT_TRUE(stream_.CopyToDevice(data.data(), *buffer, 0, 33).ok());
  ASSERT_TRUE(stream_.Synchronize().ok());
  auto p = buffer->HostPointer();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_NE(*p, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(static_cast<uint8_t*>(*p), static_cast<uint8_t*>(*p) + 33), data);
}

}  // namespace
}  // namespace hetero::conformance
