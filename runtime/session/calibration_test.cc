// SegmentCalibration: a segment's calibration files hold the values entering it when the
// whole graph runs on the reference kernels; model inputs are checked by name, dtype and
// shape, "" is the first input, and the temporary files go with the object.
#include "runtime/session/calibration.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/io/npy.h"
#include "runtime/session/segment_graph.h"

namespace hetero {
namespace {

// x -> Neg ("neg") -> Relu ("relu") -> output; segment 1 is the Relu alone, so its input
// is the mid-graph value -x.
struct TwoSegments {
  ir::Graph graph{"two"};
  std::unique_ptr<ir::Graph> head, tail;
  TwoSegments() {
    ir::Value* x = *graph.AddInput("x", TensorType{DType::kF32, Shape{2, 3}});
    ir::Node* neg = *graph.AddNode("Neg", {x}, {}, 1, "neg");
    ir::Node* relu = *graph.AddNode("Relu", {neg->output(0)}, {}, 1, "relu");
    graph.AddOutput(relu->output(0));
    head = ExtractSegmentGraph(graph, {neg}).value();
    tail = ExtractSegmentGraph(graph, {relu}).value();
  }
};

TEST(SegmentCalibrationTest, SegmentFilesHoldTheValuesEnteringIt) {
  TwoSegments t;
  const Tensor x = Tensor::FromFloat({2, 3}, {1, -2, 3, -4, 5, -6});
  std::string dir;
  for (const std::string name : {"x", ""}) {
    SCOPED_TRACE("name '" + name + "'");
    auto calib = SegmentCalibration::Write(t.graph, {{name, x}}, {t.head.get(), t.tail.get()},
                                           {false, true});
    ASSERT_TRUE(calib.ok()) << calib.status().ToString();
    EXPECT_EQ((*calib)->Files(0), "");
    const std::string file = (*calib)->Files(1);
    ASSERT_EQ(file.find(','), std::string::npos) << "one input, one file: " << file;
    auto got = ReadNpy(file);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->dims(), x.dims());
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      EXPECT_EQ(got->data<float>()[i], -x.data<float>()[i]) << i;
    }
    dir = std::filesystem::path(file).parent_path().string();
    EXPECT_EQ(WithCalibration("precision=int8", file), "calibrate=" + file + ";precision=int8");
  }
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the temporary files outlived the object";
}

TEST(SegmentCalibrationTest, BadInputsAreErrorsNamingThem) {
  TwoSegments t;
  const std::vector<const ir::Graph*> segments = {t.head.get(), t.tail.get()};
  const std::vector<bool> wanted = {false, true};
  struct Bad {
    std::map<std::string, Tensor> inputs;
    std::string says;
  };
  const std::vector<Bad> cases = {
      {{{"y", Tensor::FromFloat({2, 3}, std::vector<float>(6))}}, "missing input x"},
      {{{"x", Tensor::FromFloat({2, 3}, std::vector<float>(6))},
        {"y", Tensor::FromFloat({2, 3}, std::vector<float>(6))}},
       "unknown input 'y'"},
      {{{"x", Tensor::FromFloat({3, 2}, std::vector<float>(6))}}, "input 'x' is f32[3,2]"},
      {{{"x", Tensor::Allocate(DType::kI64, {2, 3}).value()}}, "input 'x' is i64[2,3]"},
  };
  for (const Bad& bad : cases) {
    auto r = SegmentCalibration::Write(t.graph, bad.inputs, segments, wanted);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().rfind("calibrate: ", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find(bad.says), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace hetero
