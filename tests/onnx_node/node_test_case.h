// One ONNX backend node test: its scope check, its data sets, and running it on hetero.
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <optional>
#include <string>

namespace hetero::onnx_node {

// Why a test is outside what the importer covers. `category` groups reasons in the
// summary ("op out of scope"); `detail` is the instance ("TopK"); `text` is the line.
struct SkipReason {
  std::string category;
  std::string detail;
  std::string text;
};

// A skip reason when the model uses an opset outside 13-21, an op the importer does not
// lower, a non-tensor value, or a dtype outside hetero's set; nullopt when in scope.
std::optional<SkipReason> OutOfScope(const ::onnx::ModelProto& model);

struct Outcome {
  enum class Kind { kPass, kFail, kSkip };
  Kind kind = Kind::kPass;
  std::string message;  // failure reason, or a note on a pass
  SkipReason skip;
};

// Imports `dir`/model.onnx, runs every test_data_set_* on the reference executor and
// compares the outputs. Never throws; every problem is a kFail with its reason.
Outcome RunNodeTest(const std::filesystem::path& dir);

}  // namespace hetero::onnx_node
