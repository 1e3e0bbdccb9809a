// Runs the fixture models (tiny GPT-2, BERT, Llama from PyTorch) and compares with PyTorch.
//
// Each fixture is imported from ONNX, fed the saved inputs of a case, run on the
// reference executor, and every output element is checked against PyTorch's value with
//   |got - want| <= kTolerance * max(|want|, 1)
// (relative above 1, absolute below). tests/models/README.md says how the files were made.
#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/onnx/importer.h"
#include "gtest/gtest.h"
#include "hetero/tensor.h"
#include "runtime/io/npy.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

constexpr double kTolerance = 1e-4;
const std::string kFixtureDir = HETERO_FIXTURE_DIR;

struct Fixture {
  std::string model;
  std::vector<std::string> inputs;   // in the order the exporter named them
  std::vector<std::string> outputs;  // likewise
};

const std::vector<Fixture>& Fixtures() {
  static const std::vector<Fixture> fixtures = {
      {"gpt2", {"input_ids"}, {"logits"}},
      {"bert",
       {"input_ids", "attention_mask", "token_type_ids"},
       {"last_hidden_state", "pooler_output"}},
      {"llama", {"input_ids"}, {"logits"}},
  };
  return fixtures;
}
constexpr int kOpsets[] = {13, 17};
const char* const kCases[] = {"b2s7", "b1s11"};

std::string ModelPath(const std::string& model, int opset) {
  return kFixtureDir + "/" + model + "_opset" + std::to_string(opset) + ".onnx";
}
std::string ArrayPath(const std::string& model, const std::string& name, const std::string& c) {
  return kFixtureDir + "/" + model + "/" + name + "_" + c + ".npy";
}

std::string DimsString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

// Multi-index of flat element `index` in a row-major tensor of `dims`.
std::vector<int64_t> Unflatten(int64_t index, const std::vector<int64_t>& dims) {
  std::vector<int64_t> at(dims.size());
  for (size_t i = dims.size(); i-- > 0;) {
    at[i] = index % dims[i];
    index /= dims[i];
  }
  return at;
}

// Empty when every element of `got` is within tolerance of `want`; otherwise says how
// many elements are off and where the worst one is.
std::string CompareOutput(const Tensor& got, const Tensor& want) {
  if (got.dims() != want.dims()) {
    return "shape " + DimsString(got.dims()) + ", expected " + DimsString(want.dims());
  }
  int64_t bad = 0, worst = -1;
  double worst_excess = 0, max_abs = 0;
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    const double g = got.GetDouble(i), w = want.GetDouble(i);
    const double err = std::fabs(g - w);
    const double excess = err / (kTolerance * std::max(std::fabs(w), 1.0));
    if (!(excess <= 1.0)) ++bad;  // NaN counts as bad
    if (!(excess <= worst_excess)) {
      worst_excess = excess;
      worst = i;
    }
    if (std::isfinite(err)) max_abs = std::max(max_abs, err);
  }
  if (bad == 0) return "";
  std::ostringstream out;
  out << bad << " of " << want.num_elements() << " elements off; max |got-want| " << max_abs
      << "; worst at " << DimsString(Unflatten(worst, want.dims())) << ": got "
      << got.GetDouble(worst) << ", want " << want.GetDouble(worst);
  return out.str();
}

// The graph's inputs for one case, read from <model>/<input>_<case>.npy.
StatusOr<std::map<std::string, Tensor>> ReadInputs(const ir::Graph& graph, const std::string& model,
                                                   const std::string& case_name) {
  std::map<std::string, Tensor> inputs;
  for (const ir::Value* in : graph.inputs()) {
    HETERO_ASSIGN_OR_RETURN(Tensor t, ReadNpy(ArrayPath(model, in->name(), case_name)));
    inputs.emplace(in->name(), std::move(t));
  }
  return inputs;
}

// Runs one case and checks every output against PyTorch's; failures name the output.
void ExpectCaseMatches(const ir::Graph& graph, const Fixture& fx, const std::string& case_name) {
  SCOPED_TRACE(fx.model + " case " + case_name);
  auto inputs = ReadInputs(graph, fx.model, case_name);
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  auto outputs = RunReference(graph, *inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  ASSERT_EQ(outputs->size(), fx.outputs.size());
  for (size_t i = 0; i < fx.outputs.size(); ++i) {
    auto want = ReadNpy(ArrayPath(fx.model, fx.outputs[i], case_name));
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    const std::string mismatch = CompareOutput((*outputs)[i], *want);
    EXPECT_EQ(mismatch, "") << "output '" << fx.outputs[i] << "'";
  }
}

struct Param {
  Fixture fixture;
  int opset;
  std::string case_name;
};

std::vector<Param> AllParams() {
  std::vector<Param> params;
  for (const Fixture& fx : Fixtures()) {
    for (int opset : kOpsets) {
      for (const char* c : kCases) params.push_back({fx, opset, c});
    }
  }
  return params;
}

// gtest prints a failing parameter with this: "llama opset 17 case b2s7".
void PrintTo(const Param& p, std::ostream* os) {
  *os << p.fixture.model << " opset " << p.opset << " case " << p.case_name;
}

class FixtureModelTest : public testing::TestWithParam<Param> {};

TEST_P(FixtureModelTest, MatchesPyTorch) {
  const Param& p = GetParam();
  auto model = ImportOnnxFile(ModelPath(p.fixture.model, p.opset));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ir::Graph& graph = **model;
  // The importer keeps the exporter's names: callers feed inputs and read outputs by them.
  std::vector<std::string> in_names, out_names;
  for (const ir::Value* v : graph.inputs()) in_names.push_back(v->name());
  for (const ir::Value* v : graph.outputs()) out_names.push_back(v->name());
  EXPECT_EQ(in_names, p.fixture.inputs);
  EXPECT_EQ(out_names, p.fixture.outputs);
  ExpectCaseMatches(graph, p.fixture, p.case_name);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureModelTest, testing::ValuesIn(AllParams()),
                         [](const testing::TestParamInfo<Param>& info) {
                           return info.param.fixture.model + "_opset" +
                                  std::to_string(info.param.opset) + "_" + info.param.case_name;
                         });

// One imported graph serves both shapes, in both orders: nothing from the first run's
// shapes may stick to the graph.
TEST(FixtureModels, OneGraphRunsTwoShapes) {
  for (const Fixture& fx : Fixtures()) {
    auto model = ImportOnnxFile(ModelPath(fx.model, 17));
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    for (const char* c : {"b2s7", "b1s11", "b2s7"}) ExpectCaseMatches(**model, fx, c);
  }
}

// The padding mask must reach the attention: with the mask of row 1 set to all ones,
// BERT's output for row 1 changes (so a kernel that ignored the mask would fail above).
TEST(FixtureModels, BertPaddingMaskChangesOutput) {
  const Fixture& bert = Fixtures()[1];
  auto model = ImportOnnxFile(ModelPath(bert.model, 17));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto inputs = ReadInputs(**model, bert.model, "b2s7");
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  auto mask = inputs->at("attention_mask").Clone();  // the file's memory stays untouched
  ASSERT_TRUE(mask.ok()) << mask.status().ToString();
  int64_t padded = 0;
  for (int64_t i = 0; i < mask->num_elements(); ++i) {
    if (mask->GetInt64(i) == 0) ++padded;
    mask->SetInt64(i, 1);
  }
  ASSERT_GT(padded, 0) << "the b2s7 case should pad one row";
  inputs->at("attention_mask") = *mask;
  auto outputs = RunReference(**model, *inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  auto want = ReadNpy(ArrayPath(bert.model, "last_hidden_state", "b2s7"));
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  EXPECT_NE(CompareOutput((*outputs)[0], *want), "");
}

}  // namespace
}  // namespace hetero
