// Executables: compiled once, run many times with new inputs and (unless the device
// needs static shapes) new shapes; optionally serialized and loaded back.
#include <map>

#include "compiler/ir/graph.h"
#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"
#include "tests/conformance/device_runner.h"
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

class Executables : public PluginTest {
 protected:
  // y = Relu(x * w + b) over x: f32[batch, 3], with w and b constants.
  void SetUp() override {
    PluginTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto* x =
        graph_.AddInput("x", TensorType{DType::kF32, Shape({Dim::Symbol("batch"), 3})}).value();
    auto* w = graph_.AddConstant("w", Tensor::FromFloat({3}, {0.5f, -1.0f, 2.0f})).value();
    auto* b = graph_.AddConstant("b", Tensor::FromFloat({3}, {0.25f, 0.5f, -0.75f})).value();
    auto* m = graph_.AddNode("Mul", {x, w}).value()->output(0);
    auto* a = graph_.AddNode("Add", {m, b}).value()->output(0);
    graph_.AddOutput(graph_.AddNode("Relu", {a}).value()->output(0));
    auto view = plugins::GraphView::FromGraph(graph_);
    ASSERT_TRUE(view.ok());
    view_ = std::move(*view);
    auto support = device_->QuerySupport(*view_);
    ASSERT_TRUE(support.ok()) << support.status().ToString();
    if (support->num_supported() != graph_.num_nodes()) {
      GTEST_SKIP() << "the device does not claim Mul, Add and Relu on f32 (nothing to compile)";
    }
  }

  Tensor Input(int64_t batch, float seed) const {
    std::vector<float> v;
    for (int64_t i = 0; i < batch * 3; ++i)
      v.push_back(seed + 0.37f * static_cast<float>(i) - 1.5f);
    return Tensor::FromFloat({batch, 3}, v);
  }

  // Relu(x * w + b), computed here in float as the graph says.
  static Tensor Expected(const Tensor& x) {
    const float w[3] = {0.5f, -1.0f, 2.0f}, b[3] = {0.25f, 0.5f, -0.75f};
    std::vector<float> y;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      y.push_back(std::max(0.0f, x.data<float>()[i] * w[i % 3] + b[i % 3]));
    }
    return Tensor::FromFloat(x.dims(), y);
  }

  // Runs `exe` on x and checks the result.
  void RunAndCheck(plugins::Executable& exe, const Tensor& x) {
    const std::vector<Tensor> expected_outputs = {Expected(x)};
    const std::vector<Tensor>* expected = &expected_outputs;
    auto stream = device_->CreateStream();
    ASSERT_TRUE(stream.ok());
    auto in = device_->Allocate(x.byte_size());
    auto out = device_->Allocate((*expected)[0].byte_size());
    ASSERT_TRUE(in.ok() && out.ok());
    auto in_desc = plugins::MakeTensorDesc(x.dtype(), x.dims());
    auto out_desc = plugins::MakeTensorDesc(DType::kF32, (*expected)[0].dims());
    ASSERT_TRUE(in_desc.ok() && out_desc.ok());
    plugins::Buffer* ins[1] = {&*in};
    plugins::Buffer* outs[1] = {&*out};
    Tensor got = Tensor::Allocate(DType::kF32, (*expected)[0].dims()).value();
    ASSERT_TRUE(stream->CopyToDevice(x.raw(), *in, 0, x.byte_size()).ok());
    Status s = stream->Execute(exe, ins, {&*in_desc, 1}, outs, {&*out_desc, 1});
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(stream->CopyToHost(*out, 0, got.mutable_raw(), got.byte_size()).ok());
    ASSERT_TRUE(stream->Synchronize().ok());
    EXPECT_TRUE(MatchesReference((*expected)[0], got));
  }

  ir::Graph graph_{"exe"};
  std::unique_ptr<plugins::GraphView> view_;
};

TEST_F(Executables, RunRepeatedlyWithNewInputs) {
  auto exe = device_->Compile(*view_);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  for (int i = 0; i < 10; ++i) RunAndCheck(*exe, Input(2, static_cast<float>(i)));
}

TEST_F(Executables, RunWithNewShapes) {
  if (Has(HETERO_CAP_STATIC_SHAPES_ONLY)) GTEST_SKIP() << "the device needs static shapes";
  auto exe = device_->Compile(*view_);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  for (int64_t batch : {1, 5, 0, 64}) RunAndCheck(*exe, Input(batch, 0.5f));
}

TEST_F(Executables, OutlivesItsGraphView) {
  auto exe = device_->Compile(*view_);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  view_.reset();  // the executable keeps what it needs
  RunAndCheck(*exe, Input(3, 1.0f));
}

TEST_F(Executables, WrongInputsAreRefused) {
  auto exe = device_->Compile(*view_);
  ASSERT_TRUE(exe.ok());
  auto stream = device_->CreateStream();
  auto buffer = device_->Allocate(64);
  ASSERT_TRUE(stream.ok() && buffer.ok());
  auto wrong_dtype = plugins::MakeTensorDesc(DType::kI32, {2, 3});
  auto wrong_rank = plugins::MakeTensorDesc(DType::kF32, {6});
  auto ok_desc = plugins::MakeTensorDesc(DType::kF32, {2, 3});
  plugins::Buffer* bufs[1] = {&*buffer};
  for (const auto& bad : {*wrong_dtype, *wrong_rank}) {
    Status s = stream->Execute(*exe, bufs, {&bad, 1}, bufs, {&*ok_desc, 1});
    if (s.ok()) s = stream->Synchronize();
    EXPECT_FALSE(s.ok()) << "ran with an input the executable was not compiled for";
  }
  // Wrong counts.
  Status s = stream->Execute(*exe, {}, {}, bufs, {&*ok_desc, 1});
  if (s.ok()) s = stream->Synchronize();
  EXPECT_FALSE(s.ok());
}

TEST_F(Executables, OptionalSerializeRoundTrip) {
  HETERO_REQUIRE_CAP(HETERO_CAP_SERIALIZE);
  auto exe = device_->Compile(*view_);
  ASSERT_TRUE(exe.ok());
  auto blob = exe->Serialize();
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  ASSERT_FALSE(blob->empty());
  view_.reset();
  auto loaded = device_->Deserialize(blob->data(), blob->size());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  RunAndCheck(*loaded, Input(4, 2.0f));
  // Corrupt and truncated blobs are refused.
  std::vector<uint8_t> corrupt = *blob;
  corrupt[corrupt.size() / 2] ^= 0x5a;
  EXPECT_FALSE(device_->Deserialize(corrupt.data(), corrupt.size()).ok());
  EXPECT_FALSE(device_->Deserialize(blob->data(), blob->size() / 2).ok());
  EXPECT_FALSE(device_->Deserialize(blob->data(), 0).ok());
}

}  // namespace
}  // namespace hetero::conformance
