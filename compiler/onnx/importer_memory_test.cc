// Weights are not copied: big initializers stay in the mapped file.
//
// An aligned 64 MiB initializer is borrowed and adds almost no anonymous memory; a
// misaligned one is copied once and its file pages are released.
#include <gtest/gtest.h>

#include <fstream>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/onnx_test_util.h"

namespace hetero {
namespace {

using namespace onnx_test;  // NOLINT

constexpr int64_t kElements = int64_t{16} << 20;  // 64 MiB of f32

float Pattern(int64_t i) { return static_cast<float>(i & 0xffff) - 100.0f; }

void AppendVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

const std::vector<float> kSmall(16, 7.0f);

// Everything before w's raw_data payload: the model, graph and tensor headers, with the
// length prefixes counting the payload, and a small initializer v. Bytes of doc_string
// move the payloads: `pad_v` v's, `pad_w` w's.
std::string Prefix(size_t pad_v, size_t pad_w) {
  auto m = NewModel();
  AddInput(m, "x", ::onnx::TensorProto::FLOAT, {kElements});
  AddNode(m, "Add", {"x", "w"}, {"y"}, "add");
  AddOutput(m, "y");
  AddF32Initializer(m, "v", {16}, kSmall)->set_doc_string(std::string(pad_v, 'v'));
  ::onnx::TensorProto header;
  header.set_name("w");
  header.set_data_type(::onnx::TensorProto::FLOAT);
  header.add_dims(kElements);
  header.set_doc_string(std::string(pad_w, 'w'));
  const uint64_t payload = static_cast<uint64_t>(kElements) * 4;
  std::string tensor = header.SerializeAsString() + '\x4a';  // raw_data: field 9, LEN
  AppendVarint(payload, tensor);
  std::string graph = m.graph().SerializeAsString() + '\x2a';  // initializer: field 5
  AppendVarint(tensor.size() + payload, graph);
  graph += tensor;
  m.clear_graph();
  std::string model = m.SerializeAsString() + '\x3a';  // graph: field 7
  AppendVarint(graph.size() + payload, model);
  return model + graph;
}

// x: f32[N] + w → y, with w's raw_data at a file offset ≡ `residue` (mod 64) and the
// small v aligned, streamed straight to the file so the test never holds the weights.
void WriteBigModel(const std::string& path, size_t residue) {
  const std::string v_bytes(reinterpret_cast<const char*>(kSmall.data()), kSmall.size() * 4);
  std::string prefix;
  auto fits = [&] { return prefix.size() % 64 == residue && prefix.find(v_bytes) % 64 == 0; };
  for (size_t pad_v = 0; pad_v < 64 && !fits(); ++pad_v) {
    for (size_t pad_w = 0; pad_w < 64 && !fits(); ++pad_w) prefix = Prefix(pad_v, pad_w);
  }
  ASSERT_TRUE(fits());
  std::ofstream out(path, std::ios::binary);
  out.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
  std::vector<float> chunk(1 << 18);
  for (int64_t start = 0; start < kElements; start += static_cast<int64_t>(chunk.size())) {
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = Pattern(start + static_cast<int64_t>(i));
    out.write(reinterpret_cast<const char*>(chunk.data()),
              static_cast<std::streamsize>(chunk.size() * sizeof(float)));
  }
}

// A field of /proc/self/status in bytes ("RssAnon").
int64_t StatusBytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1)) * 1024;
  }
  return -1;
}

// Whether `p` lies in a mapping of the file at `path` (from /proc/self/maps).
bool InMappingOf(const void* p, const std::string& path) {
  std::ifstream in("/proc/self/maps");
  std::string line;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(in, line)) {
    if (line.size() < path.size() || line.compare(line.size() - path.size(), path.size(), path)) {
      continue;
    }
    uintptr_t lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi) return true;
  }
  return false;
}

double Sum(const Tensor& t) {
  double sum = 0;
  const float* data = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) sum += data[i];
  return sum;
}

double ExpectedSum() {
  double sum = 0;
  for (int64_t i = 0; i < kElements; ++i) sum += Pattern(i);
  return sum;
}

TEST(OnnxImportMemory, AlignedWeightsAreBorrowedFromTheMappedFile) {
  TempDir dir;
  const std::string path = dir.File("big.onnx");
  WriteBigModel(path, 0);
  const int64_t anon_before = StatusBytes("RssAnon");
  ASSERT_GT(anon_before, 0);
  auto g = ImportOnnxFile(path);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const ir::Value* w = (*g)->FindValue("w");
  ASSERT_NE(w, nullptr);
  ASSERT_TRUE(w->is_constant());
  const Tensor& t = *w->constant();
  ASSERT_EQ(t.num_elements(), kElements);
  EXPECT_TRUE(InMappingOf(t.raw(), std::filesystem::canonical(path).string()));
  EXPECT_EQ(Sum(t), ExpectedSum());
  // Reading every weight touched file-backed pages only.
  EXPECT_LT(StatusBytes("RssAnon") - anon_before, int64_t{8} << 20);
}

TEST(OnnxImportMemory, MisalignedWeightsAreCopiedOnceAndTheFilePagesReleased) {
  TempDir dir;
  const std::string path = dir.File("big.onnx");
  WriteBigModel(path, 1);
  const int64_t rss_before = StatusBytes("VmRSS");
  auto g = ImportOnnxFile(path);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const Tensor& t = *(*g)->FindValue("w")->constant();
  EXPECT_FALSE(InMappingOf(t.raw(), std::filesystem::canonical(path).string()));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw()) % alignof(float), 0u);
  EXPECT_EQ(Sum(t), ExpectedSum());
  // v, borrowed, keeps the file mapped; w's pages of it were dropped after the copy, so
  // resident memory holds one copy of the weights, not a copy plus the file's pages.
  const Tensor& v = *(*g)->FindValue("v")->constant();
  EXPECT_TRUE(InMappingOf(v.raw(), std::filesystem::canonical(path).string()));
  const int64_t bytes = kElements * 4;
  EXPECT_LT(StatusBytes("VmRSS") - rss_before, bytes + (int64_t{8} << 20));
}

TEST(OnnxImportMemory, ConstantsKeepTheMappingAlive) {
  TempDir dir;
  const std::string path = dir.File("big.onnx");
  WriteBigModel(path, 0);
  Tensor kept;
  {
    auto g = ImportOnnxFile(path);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    kept = *(*g)->FindValue("w")->constant();
  }
  EXPECT_TRUE(InMappingOf(kept.raw(), std::filesystem::canonical(path).string()));
  EXPECT_EQ(kept.data<float>()[kElements - 1], Pattern(kElements - 1));
  const void* address = kept.raw();
  kept = Tensor();
  EXPECT_FALSE(InMappingOf(address, std::filesystem::canonical(path).string()));
}

}  // namespace
}  // namespace hetero
