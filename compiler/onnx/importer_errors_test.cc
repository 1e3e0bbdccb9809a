// Bad models fed to the importer: each is a clean error naming the problem.
#include <gtest/gtest.h>

#include <random>

#include "compiler/onnx/importer.h"
#include "compiler/onnx/onnx_test_util.h"

namespace hetero {
namespace {

using namespace onnx_test;  // NOLINT
using ::onnx::TensorProto;

constexpr int32_t kF32 = TensorProto::FLOAT;

// x: f32[2,3] → Add(x, w) → y, with w a raw_data initializer.
::onnx::ModelProto AddModel(int opset = 17) {
  auto m = NewModel(opset);
  AddInput(m, "x", kF32, {2, 3});
  AddF32Initializer(m, "w", {3}, {1, 2, 3});
  AddNode(m, "Add", {"x", "w"}, {"y"}, "add_0");
  AddOutput(m, "y");
  return m;
}

Status ImportModel(const ::onnx::ModelProto& m, const TempDir& dir,
                   const std::string& name = "m.onnx") {
  return ImportOnnxFile(Write(m, dir.File(name))).status();
}

// The well-formed models the tests below break import cleanly.
TEST(OnnxImportErrors, UnbrokenModelsImport) {
  TempDir dir;
  EXPECT_TRUE(ImportModel(AddModel(), dir).ok());
  EXPECT_TRUE(ImportModel(AddModel(13), dir).ok());
  EXPECT_TRUE(ImportModel(AddModel(21), dir).ok());
}

TEST(OnnxImportErrors, MissingFile) {
  TempDir dir;
  Status s = ImportOnnxFile(dir.File("nope.onnx")).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(s.message(), "nope.onnx"));
}

TEST(OnnxImportErrors, EmptyFile) {
  TempDir dir;
  WriteBytes(dir.File("empty.onnx"), "");
  Status s = ImportOnnxFile(dir.File("empty.onnx")).status();
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), "empty"));
}

TEST(OnnxImportErrors, EveryTruncationIsAnError) {
  TempDir dir;
  const std::string bytes = AddModel().SerializeAsString();
  int data_loss = 0;
  for (size_t len = 1; len < bytes.size(); ++len) {
    WriteBytes(dir.File("t.onnx"), bytes.substr(0, len));
    auto g = ImportOnnxFile(dir.File("t.onnx"));
    EXPECT_FALSE(g.ok()) << "prefix of " << len << " bytes imported";
    if (g.status().code() == StatusCode::kDataLoss) ++data_loss;
  }
  // Cuts inside the graph leave a length prefix running past the end.
  EXPECT_GT(data_loss, static_cast<int>(bytes.size()) / 2);
}

TEST(OnnxImportErrors, GarbageBytes) {
  TempDir dir;
  WriteBytes(dir.File("text.onnx"), "this is not an ONNX model at all\n");
  EXPECT_FALSE(ImportOnnxFile(dir.File("text.onnx")).ok());
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    std::string bytes(1 + rng() % 512, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    WriteBytes(dir.File("g.onnx"), bytes);
    EXPECT_FALSE(ImportOnnxFile(dir.File("g.onnx")).ok()) << "trial " << trial;
  }
  // A length prefix claiming ~1 TB must not be believed.
  WriteBytes(dir.File("huge.onnx"), std::string("\x3a\xff\xff\xff\xff\x1f", 6));
  Status s = ImportOnnxFile(dir.File("huge.onnx")).status();
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
}

TEST(OnnxImportErrors, UnsupportedOpsAreListedOnce) {
  TempDir dir;
  auto m = NewModel(17);
  AddInput(m, "x", kF32, {4});
  AddNode(m, "Relu", {"x"}, {"r"}, "relu_0");
  AddNode(m, "NonMaxSuppression", {"r"}, {"a"}, "nms_0");
  AddNode(m, "TopK", {"a"}, {"b"}, "topk_3");
  AddNode(m, "TopK", {"b"}, {"c"}, "topk_9");
  AddOutput(m, "c");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(s.message(),
                       "unsupported ops: NonMaxSuppression (first at node "
                       "'nms_0'), TopK (first at node 'topk_3')"));
  EXPECT_FALSE(Contains(s.message(), "topk_9"));
  EXPECT_FALSE(Contains(s.message(), "Relu"));
}

TEST(OnnxImportErrors, OtherDomainIsRefused) {
  TempDir dir;
  auto m = AddModel();
  auto* n = AddNode(m, "FusedGemm", {"y"}, {"z"}, "fg");
  n->set_domain("com.microsoft");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(s.message(), "FusedGemm of domain 'com.microsoft' (first at node 'fg')"));
}

TEST(OnnxImportErrors, OpsetOutsideRange) {
  TempDir dir;
  for (int opset : {12, 22}) {
    Status s = ImportModel(AddModel(opset), dir);
    EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
    EXPECT_TRUE(Contains(s.message(), "opset " + std::to_string(opset)));
    EXPECT_TRUE(Contains(s.message(), "13 to 21"));
  }
  auto m = AddModel();
  m.clear_opset_import();
  EXPECT_TRUE(Contains(ImportModel(m, dir).message(), "no opset"));
}

TEST(OnnxImportErrors, NameUsedButNeverDefined) {
  TempDir dir;
  auto m = AddModel();
  AddNode(m, "Add", {"y", "ghost"}, {"z"}, "add_1");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "node 'add_1' (Add) uses 'ghost', which is never defined"));
}

TEST(OnnxImportErrors, GraphOutputNeverDefined) {
  TempDir dir;
  auto m = AddModel();
  AddOutput(m, "missing_out");
  EXPECT_TRUE(
      Contains(ImportModel(m, dir).message(), "graph output 'missing_out' is never defined"));
}

TEST(OnnxImportErrors, Cycle) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {2});
  AddNode(m, "Add", {"x", "b"}, {"a"}, "first");
  AddNode(m, "Mul", {"a", "x"}, {"b"}, "second");
  AddNode(m, "Relu", {"x"}, {"r"}, "outside");
  AddOutput(m, "b");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "cycle"));
  EXPECT_TRUE(Contains(s.message(), "'first'"));
  EXPECT_TRUE(Contains(s.message(), "'second'"));
  EXPECT_FALSE(Contains(s.message(), "outside"));
}

TEST(OnnxImportErrors, ValueDefinedTwice) {
  TempDir dir;
  auto m = AddModel();
  AddNode(m, "Relu", {"x"}, {"y"}, "relu_again");
  Status s = ImportModel(m, dir);
  EXPECT_TRUE(Contains(s.message(),
                       "'y' is produced by both node 'add_0' (Add) and node "
                       "'relu_again' (Relu)"));
}

TEST(OnnxImportErrors, InitializerSizeDisagreesWithDims) {
  TempDir dir;
  auto m = AddModel();
  m.mutable_graph()->mutable_initializer(0)->add_dims(2);  // [3] → [3,2] with 3 values
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(),
                       "initializer 'w': raw_data holds 12 bytes, but dims [3,2] "
                       "of f32 need 24"));
  auto typed = AddModel();
  auto* w = typed.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->add_float_data(1.0f);
  EXPECT_TRUE(Contains(ImportModel(typed, dir).message(),
                       "initializer 'w': float_data holds 1 values, but dims [3] need 3"));
}

TEST(OnnxImportErrors, AbsurdDimsAreRefusedBeforeAllocating) {
  TempDir dir;
  for (const std::vector<int64_t>& dims : std::vector<std::vector<int64_t>>{
           {int64_t{1} << 40, int64_t{1} << 40}, {int64_t{1} << 62, 4}, {4, -2}}) {
    auto m = AddModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_dims();
    for (int64_t d : dims) w->add_dims(d);
    Status s = ImportModel(m, dir);
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(Contains(s.message(), "initializer 'w'"));
  }
  // Typed storage too: the dims are checked before the values are copied.
  auto m = AddModel();
  auto* w = m.mutable_graph()->mutable_initializer(0);
  w->clear_raw_data();
  w->clear_dims();
  w->add_dims(int64_t{1} << 50);
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(Contains(s.message(), "initializer 'w'"));
}

TEST(OnnxImportErrors, DTypesOutsideHeteroAreNamed) {
  TempDir dir;
  for (int32_t type :
       {TensorProto::DOUBLE, TensorProto::UINT16, TensorProto::COMPLEX64, TensorProto::STRING}) {
    auto m = AddModel();
    AddInitializer(m, "odd", type, {1});
    Status s = ImportModel(m, dir);
    EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "initializer 'odd'"));
  }
  auto m = AddModel();
  AddInput(m, "d", TensorProto::DOUBLE, {1});
  Status s = ImportModel(m, dir);
  EXPECT_TRUE(Contains(s.message(), "input 'd': dtype double is not in hetero's dtype set"));
}

TEST(OnnxImportErrors, AxesMustBeConstant) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {3});
  AddInput(m, "axes", TensorProto::INT64, {1});
  AddNode(m, "Unsqueeze", {"x", "axes"}, {"y"}, "unsq");
  AddOutput(m, "y");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), "node 'unsq' (Unsqueeze): axes must be a constant"));
}

TEST(OnnxImportErrors, LayerNormStashTypeOtherThanFloat) {
  TempDir dir;
  auto m = NewModel();
  AddInput(m, "x", kF32, {2, 4});
  AddF32Initializer(m, "g", {4}, {1, 1, 1, 1});
  SetInt(AddNode(m, "LayerNormalization", {"x", "g"}, {"y"}, "ln"), "stash_type", 11);
  AddOutput(m, "y");
  Status s = ImportModel(m, dir);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(Contains(s.message(), "node 'ln' (LayerNormalization): stash_type 11"));
}

// External data: a folder holding the model and weights.bin.
class ExternalDataErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string weights(64, '\0');
    WriteBytes(dir_.File("weights.bin"), weights);
  }
  Status ImportWith(const std::string& location, const std::string& offset = "",
                    const std::string& length = "") {
    auto m = AddModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    w->set_data_location(TensorProto::EXTERNAL);
    auto add = [&](const std::string& k, const std::string& v) {
      if (v.empty()) return;
      auto* e = w->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    add("location", location);
    add("offset", offset);
    add("length", length);
    return ImportModel(m, dir_, "model.onnx");
  }
  TempDir dir_;
};

TEST_F(ExternalDataErrors, InsideTheFolderIsRead) {
  EXPECT_TRUE(ImportWith("weights.bin", "0", "12").ok());
  EXPECT_TRUE(ImportWith("weights.bin", "52").ok());  // length: to the end of the file
  std::filesystem::create_directory(dir_.path() / "sub");
  EXPECT_TRUE(ImportWith("sub/../weights.bin", "4", "12").ok());
  std::filesystem::create_symlink(dir_.path() / "weights.bin", dir_.path() / "sub" / "link.bin");
  EXPECT_TRUE(ImportWith("sub/link.bin", "0", "12").ok());
}

TEST_F(ExternalDataErrors, AbsolutePathIsRefused) {
  Status s = ImportWith(dir_.File("weights.bin"), "0", "12");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "absolute"));
  EXPECT_TRUE(Contains(s.message(), "initializer 'w'"));
}

TEST_F(ExternalDataErrors, DotDotEscapeIsRefused) {
  std::filesystem::create_directory(dir_.path() / "sub");
  Status s = ImportWith("sub/../../weights.bin", "0", "12");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "outside the model's folder"));
}

TEST_F(ExternalDataErrors, SymlinkOutOfTheFolderIsRefused) {
  TempDir elsewhere;
  WriteBytes(elsewhere.File("secret.bin"), std::string(64, 'x'));
  std::filesystem::create_symlink(elsewhere.File("secret.bin"), dir_.path() / "link.bin");
  Status s = ImportWith("link.bin", "0", "12");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s.message(), "outside the model's folder"));
}

TEST_F(ExternalDataErrors, RangePastTheEndOfTheFile) {
  Status s = ImportWith("weights.bin", "60", "12");
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_TRUE(Contains(s.message(), "past the end of the 64-byte file"));
  EXPECT_EQ(ImportWith("weights.bin", "100").code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ImportWith("weights.bin", "18446744073709551615", "12").code(),
            StatusCode::kOutOfRange);
}

TEST_F(ExternalDataErrors, LengthDisagreesWithDims) {
  Status s = ImportWith("weights.bin", "0", "8");
  EXPECT_TRUE(Contains(s.message(), "external data holds 8 bytes, but dims [3] of f32 need 12"));
}

TEST_F(ExternalDataErrors, MissingFileAndBadNumbers) {
  EXPECT_EQ(ImportWith("absent.bin", "0", "12").code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(ImportWith("weights.bin", "-4", "12").message(), "offset '-4'"));
  EXPECT_TRUE(Contains(ImportWith("").message(), "no location"));
}

}  // namespace
}  // namespace hetero
