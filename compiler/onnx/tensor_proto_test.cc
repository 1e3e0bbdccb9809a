// TensorProto → Tensor in every storage form, with the checks each one needs.
#include "compiler/onnx/tensor_proto.h"

#include <gtest/gtest.h>

#include <cstring>

#include "compiler/onnx/onnx_test_util.h"

namespace hetero::onnx_import {
namespace {

using namespace onnx_test;  // NOLINT
using ::onnx::TensorProto;

TensorProto Proto(int32_t type, std::vector<int64_t> dims) {
  TensorProto t;
  t.set_name("t");
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

std::vector<double> Values(const Tensor& t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.num_elements(); ++i) v.push_back(t.GetDouble(i));
  return v;
}

TEST(TensorProto, TypedFields) {
  TensorProto f = Proto(TensorProto::FLOAT, {2});
  f.add_float_data(1.5f);
  f.add_float_data(-3.0f);
  auto t = TensorFromProto(f, "f");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dtype(), DType::kF32);
  EXPECT_EQ(Values(*t), (std::vector<double>{1.5, -3.0}));

  TensorProto i64 = Proto(TensorProto::INT64, {3});
  for (int64_t v : {int64_t{1} << 40, int64_t{-2}, int64_t{0}}) i64.add_int64_data(v);
  auto ti = TensorFromProto(i64, "i64");
  ASSERT_TRUE(ti.ok());
  EXPECT_EQ(ti->ToInt64Vector(), (std::vector<int64_t>{int64_t{1} << 40, -2, 0}));

  TensorProto i32 = Proto(TensorProto::INT32, {1});
  i32.add_int32_data(-70000);
  EXPECT_EQ(TensorFromProto(i32, "i32")->GetInt64(0), -70000);
}

TEST(TensorProto, NarrowTypesPackedInInt32Data) {
  struct Case {
    int32_t type;
    DType dtype;
    std::vector<int32_t> stored;
    std::vector<double> expected;
  };
  // f16 0x3c00 = 1, 0xc000 = -2; bf16 0x3f80 = 1, 0x4040 = 3; f8e4m3 0x38 = 1, 0x40 = 2.
  const std::vector<Case> cases = {
      {TensorProto::FLOAT16, DType::kF16, {0x3c00, 0xc000}, {1.0, -2.0}},
      {TensorProto::BFLOAT16, DType::kBF16, {0x3f80, 0x4040}, {1.0, 3.0}},
      {17, DType::kF8E4M3, {0x38, 0x40}, {1.0, 2.0}},
      {TensorProto::BOOL, DType::kBool, {1, 0}, {1.0, 0.0}},
      {TensorProto::INT8, DType::kI8, {-128, 127}, {-128.0, 127.0}},
      {TensorProto::UINT8, DType::kU8, {255, 7}, {255.0, 7.0}},
  };
  for (const Case& c : cases) {
    TensorProto p = Proto(c.type, {2});
    for (int32_t v : c.stored) p.add_int32_data(v);
    auto t = TensorFromProto(p, "packed");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ(t->dtype(), c.dtype);
    EXPECT_EQ(Values(*t), c.expected) << DTypeName(c.dtype);
  }
}

TEST(TensorProto, RawDataIsCopiedFromTheProto) {
  TensorProto p = Proto(TensorProto::INT32, {2, 2});
  SetRaw(&p, std::vector<int32_t>{1, -2, 3, -4});
  auto t = TensorFromProto(p, "raw");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ToInt64Vector(), (std::vector<int64_t>{1, -2, 3, -4}));
  EXPECT_NE(t->raw(), static_cast<const void*>(p.raw_data().data()));
}

TEST(TensorProto, SplicedBytesAreBorrowedWhenAligned) {
  alignas(8) static const float kData[3] = {0.5f, 1.5f, 2.5f};
  auto owner = std::make_shared<int>(0);
  TensorProto p = Proto(TensorProto::FLOAT, {3});
  ByteRange range{reinterpret_cast<const uint8_t*>(kData), sizeof(kData), owner};
  const long before = owner.use_count();
  auto t = TensorFromProto(p, "spliced", TensorSources{&range, nullptr});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->raw(), static_cast<const void*>(kData));  // no copy
  EXPECT_EQ(owner.use_count(), before + 1);              // the tensor keeps the owner alive
  EXPECT_EQ(Values(*t), (std::vector<double>{0.5, 1.5, 2.5}));
}

TEST(TensorProto, MisalignedSplicedBytesAreCopied) {
  alignas(8) static uint8_t buffer[13];
  const float values[3] = {4.0f, -1.0f, 8.0f};
  std::memcpy(buffer + 1, values, sizeof(values));
  TensorProto p = Proto(TensorProto::FLOAT, {3});
  ByteRange range{buffer + 1, sizeof(values), nullptr};
  auto t = TensorFromProto(p, "misaligned", TensorSources{&range, nullptr});
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->raw(), static_cast<const void*>(buffer + 1));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t->raw()) % alignof(float), 0u);
  EXPECT_EQ(Values(*t), (std::vector<double>{4.0, -1.0, 8.0}));
}

TEST(TensorProto, ExternalDataIsBorrowedFromTheMappedFile) {
  TempDir dir;
  std::string bytes(16, '\0');
  const int64_t value = 123456789012;
  std::memcpy(bytes.data() + 8, &value, sizeof(value));
  WriteBytes(dir.File("w.bin"), bytes);
  TensorProto p = Proto(TensorProto::INT64, {1});
  p.set_data_location(TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<const char*, const char*>{"location", "w.bin"},
                      {"offset", "8"},
                      {"length", "8"}}) {
    auto* e = p.add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  ExternalDataFiles files(dir.path());
  auto t = TensorFromProto(p, "ext", TensorSources{nullptr, &files});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->GetInt64(0), 123456789012);
  // Without a resolver, external data is an error rather than a silent empty tensor.
  EXPECT_FALSE(TensorFromProto(p, "ext").ok());
}

TEST(TensorProto, ErrorsNameTheTensor) {
  TensorProto none = Proto(TensorProto::UNDEFINED, {1});
  EXPECT_TRUE(Contains(TensorFromProto(none, "initializer 'u'").status().message(),
                       "initializer 'u': element type is undefined"));
  TensorProto dbl = Proto(TensorProto::DOUBLE, {1});
  dbl.add_double_data(1.0);
  auto s = TensorFromProto(dbl, "initializer 'd'").status();
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(s.message(), "initializer 'd': dtype double is not in hetero's dtype set"));
  TensorProto f8 = Proto(19, {1});  // float8e5m2
  EXPECT_TRUE(Contains(TensorFromProto(f8, "x").status().message(), "float8e5m2"));
  TensorProto packed = Proto(TensorProto::FLOAT16, {3});
  packed.add_int32_data(0);
  EXPECT_TRUE(Contains(TensorFromProto(packed, "h").status().message(),
                       "h: int32_data holds 1 values, but dims [3] need 3"));
}

TEST(TensorProto, DTypeNamesRoundTrip) {
  for (DType d : kAllDTypes) {
    auto back = DTypeFromOnnx(OnnxDTypeOf(d), "");
    ASSERT_TRUE(back.ok()) << DTypeName(d);
    EXPECT_EQ(*back, d);
  }
  EXPECT_EQ(OnnxDTypeName(TensorProto::BFLOAT16), "bfloat16");
  EXPECT_EQ(OnnxDTypeName(22), "int4");
}

}  // namespace
}  // namespace hetero::onnx_import
