// Builders of the ONNX models the CLI error tests feed to hetero.
#include "tests/e2e/bad_models.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hetero::testing {
namespace {

void AddValueInfo(::onnx::ValueInfoProto* info, const std::string& name, int elem_type,
                  std::initializer_list<const char*> dims) {
  info->set_name(name);
  auto* tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elem_type);
  for (const char* d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (d[0] >= '0' && d[0] <= '9') {
      dim->set_dim_value(std::atoll(d));
    } else {
      dim->set_dim_param(d);
    }
  }
}

::onnx::ModelProto EmptyModel() {
  ::onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("hetero-tests");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(17);
  model.mutable_graph()->set_name("test");
  return model;
}

}  // namespace

::onnx::ModelProto GatherModel() {
  ::onnx::ModelProto model = EmptyModel();
  auto* g = model.mutable_graph();
  auto* table = g->add_initializer();
  table->set_name("table");
  table->set_data_type(::onnx::TensorProto::FLOAT);
  table->add_dims(10);
  table->add_dims(4);
  for (int i = 0; i < 40; ++i) table->add_float_data(static_cast<float>(i));
  auto* node = g->add_node();
  node->set_op_type("Gather");
  node->set_name("lookup");
  node->add_input("table");
  node->add_input("ids");
  node->add_output("y");
  AddValueInfo(g->add_input(), "ids", ::onnx::TensorProto::INT64, {"n"});
  AddValueInfo(g->add_output(), "y", ::onnx::TensorProto::FLOAT, {"n", "4"});
  return model;
}

::onnx::ModelProto AddModel() {
  ::onnx::ModelProto model = EmptyModel();
  auto* g = model.mutable_graph();
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(::onnx::TensorProto::FLOAT);
  w->add_dims(3);
  for (float v : {1.0f, 2.0f, 3.0f}) w->add_float_data(v);
  auto* node = g->add_node();
  node->set_op_type("Add");
  node->set_name("add");
  node->add_input("x");
  node->add_input("w");
  node->add_output("y");
  AddValueInfo(g->add_input(), "x", ::onnx::TensorProto::FLOAT, {"batch", "3"});
  AddValueInfo(g->add_output(), "y", ::onnx::TensorProto::FLOAT, {"batch", "3"});
  return model;
}

void SaveModel(const ::onnx::ModelProto& model, const std::string& path) {
  SaveBytes(model.SerializeAsString(), path);
}

void SaveBytes(const std::string& bytes, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string MakeTempDir(const std::string& stem) {
  const auto base =
      std::filesystem::temp_directory_path() / ("hetero-" + stem + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  return base.string();
}

}  // namespace hetero::testing
