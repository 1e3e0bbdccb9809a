// Test helpers: small ONNX models built with the protobuf API and written to a temp folder.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

namespace hetero::onnx_test {

inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// A fresh folder under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hetero_onnx_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline ::onnx::ModelProto NewModel(int opset = 17) {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("hetero-test");
  auto* op = model.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

using DimSpec = std::variant<int64_t, std::string>;  // a size or a dim_param

inline void SetType(::onnx::ValueInfoProto* v, int32_t elem_type,
                    const std::vector<DimSpec>& dims) {
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const DimSpec& d : dims) {
    auto* dim = shape->add_dim();
    if (std::holds_alternative<int64_t>(d)) {
      dim->set_dim_value(std::get<int64_t>(d));
    } else if (!std::get<std::string>(d).empty()) {
      dim->set_dim_param(std::get<std::string>(d));
    }  // "" leaves the dim unknown
  }
}

inline void AddInput(::onnx::ModelProto& m, const std::string& name, int32_t elem_type,
                     const std::vector<DimSpec>& dims) {
  auto* v = m.mutable_graph()->add_input();
  v->set_name(name);
  SetType(v, elem_type, dims);
}

inline void AddOutput(::onnx::ModelProto& m, const std::string& name) {
  m.mutable_graph()->add_output()->set_name(name);
}

inline ::onnx::NodeProto* AddNode(::onnx::ModelProto& m, const std::string& op,
                                  const std::vector<std::string>& inputs,
                                  const std::vector<std::string>& outputs,
                                  const std::string& name = "") {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

inline void SetInt(::onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(v);
}

inline void SetFloat(::onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

inline void SetInts(::onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

inline ::onnx::TensorProto* AddInitializer(::onnx::ModelProto& m, const std::string& name,
                                           int32_t elem_type, const std::vector<int64_t>& dims) {
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(elem_type);
  for (int64_t d : dims) t->add_dims(d);
  return t;
}

template <typename T>
void SetRaw(::onnx::TensorProto* t, const std::vector<T>& values) {
  t->set_raw_data(
      std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
}

inline ::onnx::TensorProto* AddF32Initializer(::onnx::ModelProto& m, const std::string& name,
                                              const std::vector<int64_t>& dims,
                                              const std::vector<float>& values) {
  auto* t = AddInitializer(m, name, ::onnx::TensorProto::FLOAT, dims);
  SetRaw(t, values);
  return t;
}

inline ::onnx::TensorProto* AddI64Initializer(::onnx::ModelProto& m, const std::string& name,
                                              const std::vector<int64_t>& dims,
                                              const std::vector<int64_t>& values) {
  auto* t = AddInitializer(m, name, ::onnx::TensorProto::INT64, dims);
  SetRaw(t, values);
  return t;
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string Write(const ::onnx::ModelProto& m, const std::string& path) {
  WriteBytes(path, m.SerializeAsString());
  return path;
}

}  // namespace hetero::onnx_test
