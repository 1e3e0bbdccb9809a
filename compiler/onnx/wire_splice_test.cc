// The raw_data splice: what it removes, what it keeps, and that no input crashes it.
#include "compiler/onnx/wire_splice.h"

#include <gtest/gtest.h>

#include <random>

#include "compiler/onnx/onnx_test_util.h"

namespace hetero::onnx_import {
namespace {

using namespace onnx_test;  // NOLINT
using ::onnx::TensorProto;

StatusOr<SplicedModel> Splice(const std::string& bytes) {
  return SpliceOutRawData(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string RawOf(const std::string& bytes, const RawDataRange& r) {
  return bytes.substr(static_cast<size_t>(r.offset), static_cast<size_t>(r.length));
}

// Three initializers (raw, typed, raw) and a Constant node holding raw_data of its own.
::onnx::ModelProto ThreeInitializers() {
  auto m = NewModel();
  AddF32Initializer(m, "a", {2}, {1.5f, 2.5f});
  auto* typed = AddInitializer(m, "b", TensorProto::FLOAT, {1});
  typed->add_float_data(7.0f);
  AddI64Initializer(m, "c", {3}, {10, 20, 30});
  auto* node = AddNode(m, "Constant", {}, {"k"}, "k");
  auto* attr = node->add_attribute();
  attr->set_name("value");
  attr->set_type(::onnx::AttributeProto::TENSOR);
  attr->mutable_t()->set_data_type(TensorProto::FLOAT);
  attr->mutable_t()->add_dims(1);
  SetRaw(attr->mutable_t(), std::vector<float>{9.0f});
  return m;
}

TEST(WireSplice, CutsInitializerRawDataAndKeepsTheRest) {
  const auto original = ThreeInitializers();
  const std::string bytes = original.SerializeAsString();
  auto spliced = Splice(bytes);
  ASSERT_TRUE(spliced.ok()) << spliced.status().ToString();
  const auto& ranges = spliced->initializer_raw_data;
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_TRUE(ranges[0].present);
  EXPECT_FALSE(ranges[1].present);
  EXPECT_TRUE(ranges[2].present);
  EXPECT_EQ(RawOf(bytes, ranges[0]), original.graph().initializer(0).raw_data());
  EXPECT_EQ(RawOf(bytes, ranges[2]), original.graph().initializer(2).raw_data());
  // Two payloads (8 + 24 bytes) with a tag and a length byte each go; the graph's own
  // length prefix may also get a byte shorter.
  const size_t removed = bytes.size() - spliced->bytes.size();
  EXPECT_GE(removed, 8u + 24u + 2u * 2u);
  EXPECT_LE(removed, 8u + 24u + 2u * 2u + 1u);

  ::onnx::ModelProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(spliced->bytes));
  ASSERT_EQ(parsed.graph().initializer_size(), 3);
  EXPECT_FALSE(parsed.graph().initializer(0).has_raw_data());
  EXPECT_EQ(parsed.graph().initializer(0).name(), "a");
  EXPECT_EQ(parsed.graph().initializer(1).float_data(0), 7.0f);
  EXPECT_EQ(parsed.graph().initializer(2).dims_size(), 1);
  // Tensors elsewhere (a Constant's value) are not touched.
  EXPECT_EQ(parsed.graph().node(0).attribute(0).t().raw_data(),
            original.graph().node(0).attribute(0).t().raw_data());
  EXPECT_EQ(parsed.opset_import(0).version(), 17);
}

TEST(WireSplice, GraphFieldsRepeatedAreMergedInOrder) {
  // Protobuf merges a message field that appears twice; the initializers concatenate.
  auto first = NewModel();
  AddF32Initializer(first, "a", {1}, {1.0f});
  ::onnx::ModelProto second;
  AddF32Initializer(second, "b", {2}, {2.0f, 3.0f});
  const std::string bytes = first.SerializeAsString() + second.SerializeAsString();
  auto spliced = Splice(bytes);
  ASSERT_TRUE(spliced.ok());
  ::onnx::ModelProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(spliced->bytes));
  ASSERT_EQ(parsed.graph().initializer_size(), 2);
  ASSERT_EQ(spliced->initializer_raw_data.size(), 2u);
  EXPECT_EQ(parsed.graph().initializer(1).name(), "b");
  EXPECT_EQ(spliced->initializer_raw_data[1].length, 8u);
}

TEST(WireSplice, LastRawDataWins) {
  // TensorProto { raw_data: "ab", raw_data: "wxyz" } inside graph.initializer.
  const std::string tensor = std::string(
      "\x4a\x02"
      "ab"
      "\x4a\x04"
      "wxyz",
      10);
  const std::string graph = std::string("\x2a", 1) + static_cast<char>(tensor.size()) + tensor;
  const std::string model = std::string("\x3a", 1) + static_cast<char>(graph.size()) + graph;
  auto spliced = Splice(model);
  ASSERT_TRUE(spliced.ok());
  ASSERT_EQ(spliced->initializer_raw_data.size(), 1u);
  EXPECT_EQ(RawOf(model, spliced->initializer_raw_data[0]), "wxyz");
}

TEST(WireSplice, MalformedBytesAreDataLoss) {
  const std::vector<std::string> cases = {
      std::string("\x3a\x05\x2a\x10", 4),                      // nested length past the end
      std::string("\x3a\xff\xff\xff\xff\xff\xff\xff\x7f", 9),  // length ~2^63
      std::string(11, '\x80'),                                 // varint longer than 10 bytes
      std::string("\x0b\x0c", 2),                              // group wire types
      std::string("\x00\x01", 2),                              // field number 0
      std::string("\x0d\x01\x02", 3),                          // fixed32 cut short
  };
  for (const std::string& bytes : cases) {
    auto s = Splice(bytes);
    EXPECT_EQ(s.status().code(), StatusCode::kDataLoss) << s.status().ToString();
  }
}

TEST(WireSplice, NoPrefixOrMutationCrashes) {
  const std::string bytes = ThreeInitializers().SerializeAsString();
  for (size_t len = 0; len <= bytes.size(); ++len) {
    auto s = Splice(bytes.substr(0, len));
    if (s.ok()) {
      EXPECT_LE(s->bytes.size(), len);
    }
  }
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string mutated = bytes;
    for (int k = 0; k < 3; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    auto s = Splice(mutated);
    if (!s.ok()) continue;
    EXPECT_LE(s->bytes.size(), mutated.size());
    for (const RawDataRange& r : s->initializer_raw_data) {
      EXPECT_LE(r.offset + r.length, mutated.size());
    }
  }
}

}  // namespace
}  // namespace hetero::onnx_import
