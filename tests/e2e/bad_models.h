// Small ONNX models, good and deliberately broken, written with the ONNX protobuf API.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace hetero::testing {

// y = Gather(table[10,4] f32, ids i64[n]); table holds 0..39. Opset 17.
::onnx::ModelProto GatherModel();
// y = x + w with x f32[batch,3] and w f32[3] = {1,2,3}. Opset 17.
::onnx::ModelProto AddModel();

void SaveModel(const ::onnx::ModelProto& model, const std::string& path);
void SaveBytes(const std::string& bytes, const std::string& path);
std::string ReadBytes(const std::string& path);

// A fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& stem);

}  // namespace hetero::testing
