// hetero::Session: results against the reference executor, RunAsync both ways, errors.
#include "hetero/session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "compiler/builtin/builtin.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

TEST(SessionTest, RunMatchesTheReferenceAndRunAsyncMatchesRun) {
  SessionOptions options;
  options.threads = 2;
  auto session = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto graph = BuildBuiltinModel("gpt2-tiny");
  ASSERT_TRUE(graph.ok());
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 2, 6);
  ASSERT_TRUE(inputs.ok());
  auto want = RunReference(**graph, *inputs);
  ASSERT_TRUE(want.ok());
  auto got = (*session)->Run(*inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ((*session)->output_names().size(), want->size());
  const Tensor& logits = got->at((*session)->output_names()[0]);
  ASSERT_EQ(logits.type(), (*want)[0].type());
  for (int64_t e = 0; e < logits.num_elements(); ++e) {
    const double w = (*want)[0].GetDouble(e);
    ASSERT_NEAR(logits.GetDouble(e), w, 1e-4 * std::max(1.0, std::fabs(w))) << e;
  }
  auto async_result = (*session)->RunAsync(*inputs).get();
  ASSERT_TRUE(async_result.ok());
  const Tensor& again = async_result->at((*session)->output_names()[0]);
  EXPECT_EQ(std::memcmp(again.raw(), logits.raw(), logits.byte_size()), 0);

  std::promise<bool> called;
  (*session)->RunAsync(*inputs,
                       [&](StatusOr<NamedTensors> result) { called.set_value(result.ok()); });
  EXPECT_TRUE(called.get_future().get());
  EXPECT_NE((*session)->ExplainPlacement().find("segment 0 on cpu"), std::string::npos);
}

TEST(SessionTest, ErrorsNameWhatFailed) {
  SessionOptions options;
  options.devices = {"nowhere"};
  auto no_device = Session::Create("builtin:gpt2-tiny", options);
  EXPECT_FALSE(no_device.ok());
  auto no_model = Session::Create("builtin:nope");
  EXPECT_FALSE(no_model.ok());
  auto session = Session::Create("builtin:gpt2-tiny");
  ASSERT_TRUE(session.ok());
  auto missing = (*session)->RunAsync(NamedTensors{}).get();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find((*session)->input_names()[0]), std::string::npos);
}

TEST(SessionTest, QuantizeInt8RunsQuantMatMulAndRefusesOtherValues) {
  SessionOptions options;
  options.quantize = "int8";
  auto session = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  size_t quantized = 0;
  for (const NodePlacement& p : (*session)->placement()) quantized += p.op == "QuantMatMul";
  EXPECT_GT(quantized, 0u);
  auto inputs = BuiltinSampleInputs("gpt2-tiny", 1, 6);
  ASSERT_TRUE(inputs.ok());
  auto got = (*session)->Run(*inputs);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  options.quantize = "int4";
  auto bad = Session::Create("builtin:gpt2-tiny", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("quantize 'int4' is not known"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace hetero

namespace hetero {
namespace {

// A cpu executable compiled with precision=bf16 keeps its bf16 weights through
// SaveCompiled and Create: the loaded session computes what the compiled one did.
TEST(SessionTest, CompiledFileKeepsTheCpuBf16Precision) {
  auto inputs = BuiltinSampleInputs("bert-tiny", 1, 8);
  ASSERT_TRUE(inputs.ok());
  auto run = [&](const std::string& spec, const SessionOptions& options) -> Tensor {
    auto session = Session::Create(spec, options);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return Tensor();
    auto out = (*session)->Run(*inputs);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->at((*session)->output_names()[0]) : Tensor();
  };
  auto same = [](const Tensor& a, const Tensor& b) {
    return a.byte_size() == b.byte_size() && std::memcmp(a.raw(), b.raw(), a.byte_size()) == 0;
  };
  SessionOptions f32_options;
  SessionOptions bf16_options;
  bf16_options.compile_options["cpu"] = "precision=bf16";
  const Tensor f32 = run("builtin:bert-tiny", f32_options);
  const Tensor bf16 = run("builtin:bert-tiny", bf16_options);
  ASSERT_GT(bf16.byte_size(), 0u);
  if (same(f32, bf16)) {
    GTEST_SKIP() << "this CPU has no bf16 GEMM path (AVX-512 BF16), so precision=bf16 "
                    "computes f32 and there is nothing to tell apart";
  }
  auto compiled = Session::Create("builtin:bert-tiny", bf16_options);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  const std::string path = ::testing::TempDir() + "/session_bf16.hnpu";
  ASSERT_TRUE((*compiled)->SaveCompiled(path).ok());
  const Tensor loaded = run(path, SessionOptions());
  EXPECT_TRUE(same(loaded, bf16)) << "the loaded executable lost its bf16 weights";
  EXPECT_FALSE(same(loaded, f32));
}

}  // namespace
}  // namespace hetero
