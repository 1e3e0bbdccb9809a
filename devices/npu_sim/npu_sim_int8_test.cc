// int8 on npu-sim: per-channel weight scales and a calibrated activation scale, int8
// saturation and int32 accumulation checked element by element against an independent
// computation, accuracy against f32, calibration errors, and serialization.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "devices/npu_sim/npu_plugin.h"
#include "runtime/io/npy.h"
#include "runtime/plugins/device.h"
#include "runtime/plugins/host_services.h"
#include "runtime/plugins/plugin_library.h"
#include "runtime/session/device_executor.h"

namespace hetero::npu_sim {
namespace {

constexpr int64_t kRows = 24, kK = 96, kN = 40;

Tensor Random(std::vector<int64_t> dims, float scale, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, scale);
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return Tensor::FromFloat(std::move(dims), v);
}

float Bf16(float f) { return BFloat16ToFloat(FloatToBFloat16(f)); }

int Quantize(double x, double scale) {
  const double r = std::nearbyint(x / scale);
  return static_cast<int>(r < -128 ? -128 : (r > 127 ? 127 : r));
}

class NpuSimInt8 : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = std::make_shared<plugins::HostServices>(2);
    auto lib = plugins::PluginLibrary::FromEntry("npu-sim", &hetero_npu_sim_plugin_get_api);
    ASSERT_TRUE(lib.ok());
    auto plugin = plugins::Plugin::Create(*lib, host_);
    ASSERT_TRUE(plugin.ok());
    plugin_ = *plugin;
    auto d = plugin_->OpenDevice(2);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ((*d)->properties().name, "npu-sim:rngd");
    rngd_ = *d;
    std::mt19937 rng(11);
    w_ = Random({kK, kN}, 0.2f, rng);
    calib_ = Random({1, kRows, kK}, 1.0f, rng);
    calib_path_ = ::testing::TempDir() + "npu_sim_int8_calib.npy";
    ASSERT_TRUE(WriteNpy(calib_path_, calib_).ok());
    graph_ = std::make_unique<ir::Graph>("mm");
    auto* x = graph_->AddInput("x", TensorType{DType::kF32, Shape({1, kRows, kK})}).value();
    auto* c = graph_->AddConstant("w", w_).value();
    graph_->AddOutput(graph_->AddNode("MatMul", {x, c}).value()->output(0));
  }

  std::shared_ptr<plugins::HostServices> host_;
  std::shared_ptr<plugins::Plugin> plugin_;
  std::shared_ptr<plugins::Device> rngd_;
  Tensor w_, calib_;
  std::string calib_path_;
  std::unique_ptr<ir::Graph> graph_;
};

TEST_F(NpuSimInt8, MatMulIsInt8WithSaturationAndInt32Sums) {
  auto exec = DeviceExecutor::Create(*graph_, rngd_, "precision=int8;calibrate=" + calib_path_);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  // Twice the calibration input: values past the calibrated range saturate at +-127.
  std::vector<float> doubled(calib_.data<float>(), calib_.data<float>() + calib_.num_elements());
  for (float& v : doubled) v *= 2.0f;
  for (const Tensor& x : {calib_, Tensor::FromFloat({1, kRows, kK}, doubled)}) {
    auto got = (*exec)->Run({{"x", x}});
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    // Independent: bf16 inputs and weights, scales max/127, round half even, saturate.
    double a_max = 0;
    for (int64_t i = 0; i < calib_.num_elements(); ++i) {
      a_max = std::max(a_max, std::fabs(double{Bf16(calib_.data<float>()[i])}));
    }
    const double a_scale = static_cast<float>(a_max) / 127.0f;
    double max_err = 0, max_ref = 0, dot = 0, n_ref = 0, n_got = 0;
    int saturated = 0;
    for (int64_t j = 0; j < kN; ++j) {
      double w_max = 0;
      for (int64_t k = 0; k < kK; ++k)
        w_max = std::max(w_max, std::fabs(double{Bf16(w_.data<float>()[k * kN + j])}));
      const double w_scale = static_cast<float>(w_max) / 127.0f;
      for (int64_t i = 0; i < kRows; ++i) {
        int64_t acc = 0;
        double exact = 0;
        for (int64_t k = 0; k < kK; ++k) {
          const float xv = Bf16(x.data<float>()[i * kK + k]);
          const float wv = Bf16(w_.data<float>()[k * kN + j]);
          const int qa = Quantize(xv, a_scale);
          saturated += qa == 127 || qa == -128;
          acc += int64_t{qa} * Quantize(wv, w_scale);
          exact += double{x.data<float>()[i * kK + k]} * w_.data<float>()[k * kN + j];
        }
        const double want = acc * a_scale * w_scale;
        const float g = (*got)[0].data<float>()[i * kN + j];
        ASSERT_NEAR(g, want, std::fabs(want) * (1.0 / 256) + 1e-6) << i << "," << j;
        max_err = std::max(max_err, std::fabs(g - exact));
        max_ref = std::max(max_ref, std::fabs(exact));
        dot += g * exact;
        n_ref += exact * exact;
        n_got += double{g} * g;
      }
    }
    const double cos = dot / std::sqrt(n_ref * n_got);
    std::printf(
        "int8 MatMul %lldx%lldx%lld on rngd: max rel error %.3g, cosine %.6f, %d saturated\n",
        static_cast<long long>(kRows), static_cast<long long>(kK), static_cast<long long>(kN),
        max_err / max_ref, cos, saturated);
    if (x.data<float>() == calib_.data<float>()) {
      EXPECT_LE(max_err / max_ref, 3e-2);
      EXPECT_GE(cos, 0.999);
    } else {
      EXPECT_GT(saturated, 0);
    }
  }
}

TEST_F(NpuSimInt8, CalibrationIsRequiredAndChecked) {
  auto view = plugins::GraphView::FromGraph(*graph_);
  ASSERT_TRUE(view.ok());
  auto none = rngd_->Compile(**view, "precision=int8");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("calibrate="), std::string::npos);
  EXPECT_FALSE(rngd_->Compile(**view, "precision=int8;calibrate=/nonexistent/c.npy").ok());
  const std::string wrong = ::testing::TempDir() + "npu_sim_int8_wrong.npy";
  ASSERT_TRUE(WriteNpy(wrong, Tensor::FromFloat({kRows, kK}, std::vector<float>(kRows * kK))).ok());
  auto rank = rngd_->Compile(**view, "precision=int8;calibrate=" + wrong);
  ASSERT_FALSE(rank.ok());
  EXPECT_NE(rank.status().message().find("rank"), std::string::npos) << rank.status().message();
  auto exe = rngd_->Compile(**view, "precision=int8;calibrate=" + calib_path_);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto bytes = exe->Serialize();
  ASSERT_TRUE(bytes.ok());
  auto back = rngd_->Deserialize(bytes->data(), bytes->size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto again = back->Serialize();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes) << "the activation scales survive the round trip";
}

}  // namespace
}  // namespace hetero::npu_sim
