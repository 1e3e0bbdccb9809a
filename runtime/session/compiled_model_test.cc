// Compiled model files: round trip, and every kind of damage is a clear error.
#include "runtime/session/compiled_model.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace hetero {
namespace {

std::string Path(const std::string& name) { return ::testing::TempDir() + "/cm_" + name; }

CompiledModelFile Sample() {
  CompiledModelFile file;
  file.source = "builtin:gpt2-tiny";
  file.graph_ir = "graph @g {\n}\n";
  for (int s = 0; s < 3; ++s) {
    CompiledSegment segment;
    segment.device = s % 2 ? "npu-sim:rngd" : "cpu";
    segment.fingerprint = "name | vendor | 1.0";
    segment.graph_ir = "graph @s" + std::to_string(s) + " {\n}\n";
    segment.executable.assign(100 + s, static_cast<uint8_t>(s));
    file.segments.push_back(segment);
  }
  return file;
}

std::vector<char> Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void Write(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(CompiledModelTest, RoundTrips) {
  const std::string path = Path("ok.hnpu");
  ASSERT_TRUE(WriteCompiledModel(path, Sample()).ok());
  EXPECT_TRUE(IsCompiledModelFile(path));
  auto back = ReadCompiledModel(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const CompiledModelFile want = Sample();
  EXPECT_EQ(back->source, want.source);
  EXPECT_EQ(back->graph_ir, want.graph_ir);
  ASSERT_EQ(back->segments.size(), 3u);
  for (size_t s = 0; s < 3; ++s) {
    EXPECT_EQ(back->segments[s].device, want.segments[s].device);
    EXPECT_EQ(back->segments[s].fingerprint, want.segments[s].fingerprint);
    EXPECT_EQ(back->segments[s].graph_ir, want.segments[s].graph_ir);
    EXPECT_EQ(back->segments[s].executable, want.segments[s].executable);
  }
}

TEST(CompiledModelTest, DamageIsAClearError) {
  const std::string path = Path("good.hnpu");
  ASSERT_TRUE(WriteCompiledModel(path, Sample()).ok());
  const std::vector<char> good = Bytes(path);

  std::vector<char> flipped = good;
  flipped[good.size() / 2] ^= 0x5a;
  Write(Path("flipped.hnpu"), flipped);
  auto r = ReadCompiledModel(Path("flipped.hnpu"));
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("checksum"), std::string::npos) << r.status().message();

  std::vector<char> truncated(good.begin(), good.begin() + good.size() / 3);
  Write(Path("truncated.hnpu"), truncated);
  EXPECT_FALSE(ReadCompiledModel(Path("truncated.hnpu")).ok());

  std::vector<char> version = good;
  version[8] = 7;
  Write(Path("version.hnpu"), version);
  r = ReadCompiledModel(Path("version.hnpu"));
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("version 7"), std::string::npos) << r.status().message();

  Write(Path("foreign.hnpu"), std::vector<char>(64, 'x'));
  EXPECT_FALSE(IsCompiledModelFile(Path("foreign.hnpu")));
  EXPECT_EQ(ReadCompiledModel(Path("foreign.hnpu")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadCompiledModel(Path("missing.hnpu")).status().code(), StatusCode::kNotFound);
}

// A length field that claims more than the file holds is refused before any allocation,
// even with a checksum that matches (a crafted file).
TEST(CompiledModelTest, LengthsBeyondTheFileAreRefused) {
  CompiledModelFile file;
  file.source = "x";
  const std::string path = Path("claim.hnpu");
  ASSERT_TRUE(WriteCompiledModel(path, file).ok());
  std::vector<char> bytes = Bytes(path);
  // The source's length sits right after magic, version and count.
  const uint64_t huge = uint64_t{1} << 50;
  std::memcpy(bytes.data() + 16, &huge, 8);
  // Re-sign it as the writer would.
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i + 8 < bytes.size(); ++i) {
    hash ^= static_cast<uint8_t>(bytes[i]);
    hash *= 1099511628211ull;
  }
  std::memcpy(bytes.data() + bytes.size() - 8, &hash, 8);
  Write(path, bytes);
  auto r = ReadCompiledModel(path);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace hetero
