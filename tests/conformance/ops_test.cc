// Mandatory: support-query honesty. For every op of the registry and every element type
// its schema accepts, each small case the plugin claims must compile, run and match the
// reference kernel within the dtype's tolerance. Declined cases are counted, not failed.
#include <functional>
#include <map>

#include "compiler/ir/graph.h"
#include "ops/reference/testing.h"
#include "runtime/plugins/graph_view.h"
#include "tests/conformance/conformance.h"
#include "tests/conformance/device_runner.h"
#include "tests/conformance/op_cases.h"

namespace hetero::conformance {
namespace {

struct OpParam {
  const ops::OpSchema* schema;
  DType dtype;
};

std::vector<OpParam> AllOpParams() {
  std::vector<OpParam> params;
  for (const ops::OpSchema* s : ops::OpRegistry::Global().All()) {
    for (DType t : s->dtypes) params.push_back({s, t});
  }
  return params;
}

// One instance and device for the whole suite: hundreds of cases share them.
class Ops : public ::testing::TestWithParam<OpParam> {
 protected:
  static void SetUpTestSuite() {
    const Target& t = GetTarget();
    auto plugin = plugins::Plugin::Create(t.library, t.host);
    if (!plugin.ok()) return;
    plugin_ = new std::shared_ptr<plugins::Plugin>(*plugin);
    auto count = (*plugin)->DeviceCount();
    if (!count.ok() || *count == 0) return;
    auto device = (*plugin)->OpenDevice(0);
    if (device.ok()) device_ = new std::shared_ptr<plugins::Device>(*device);
  }
  static void TearDownTestSuite() {
    delete device_;
    delete plugin_;
    device_ = nullptr;
    plugin_ = nullptr;
  }
  static std::shared_ptr<plugins::Plugin>* plugin_;
  static std::shared_ptr<plugins::Device>* device_;
};
std::shared_ptr<plugins::Plugin>* Ops::plugin_ = nullptr;
std::shared_ptr<plugins::Device>* Ops::device_ = nullptr;

struct BuiltCase {
  ir::Graph graph{"case"};
  std::map<std::string, Tensor> inputs;  // graph inputs by name
  std::vector<Tensor> expected;
};

// The graph of one node over the case's inputs, and the reference kernel's outputs.
Status BuildCase(const ops::OpSchema& schema, const OpCase& c, std::mt19937& rng, BuiltCase& out) {
  std::vector<ir::Value*> values;
  std::vector<const Tensor*> tensors;
  std::vector<Tensor> storage(c.inputs.size());
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const InputSpec& spec = c.inputs[i];
    if (spec.absent) {
      values.push_back(nullptr);
      tensors.push_back(nullptr);
      continue;
    }
    storage[i] = MakeInput(spec, rng);
    const std::string name = "in" + std::to_string(i);
    if (spec.constant) {
      HETERO_ASSIGN_OR_RETURN(ir::Value * v, out.graph.AddConstant(name, storage[i]));
      values.push_back(v);
    } else {
      HETERO_ASSIGN_OR_RETURN(ir::Value * v, out.graph.AddInput(name, storage[i].type()));
      values.push_back(v);
      out.inputs[name] = storage[i];
    }
    tensors.push_back(&storage[i]);
  }
  HETERO_ASSIGN_OR_RETURN(ir::Node * node,
                          out.graph.AddNode(schema.name, values, c.attrs, c.num_outputs, "node"));
  for (ir::Value* v : node->outputs()) out.graph.AddOutput(v);
  HETERO_ASSIGN_OR_RETURN(out.expected,
                          ops::op_testing::RunOp(schema.name, tensors, c.attrs, c.num_outputs));
  return OkStatus();
}

TEST_P(Ops, ClaimedCasesMatchTheReference) {
  if (device_ == nullptr) GTEST_SKIP() << "the plugin lists no device on this machine";
  plugins::Device& device = **device_;
  const OpParam& p = GetParam();
  const std::string what = p.schema->name + " " + std::string(DTypeName(p.dtype));
  const std::vector<OpCase> cases = CasesFor(*p.schema, p.dtype);
  ASSERT_FALSE(cases.empty()) << "no cases for " << what;
  std::mt19937 rng(static_cast<uint32_t>(std::hash<std::string>()(what)));
  int claimed = 0;
  std::string declined_reason;
  for (const OpCase& c : cases) {
    SCOPED_TRACE(what + ", case '" + c.label + "'");
    BuiltCase built;
    Status s = BuildCase(*p.schema, c, rng, built);
    ASSERT_TRUE(s.ok()) << "the case itself is invalid (a bug in the suite): " << s.ToString();
    auto view = plugins::GraphView::FromGraph(built.graph);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    auto support = device.QuerySupport(**view);
    ASSERT_TRUE(support.ok()) << support.status().ToString();
    ASSERT_EQ(support->supported.size(), 1u);
    if (!support->supported[0]) {
      ++GetTally().declined_cases;
      if (declined_reason.empty()) declined_reason = support->reason[0];
      continue;
    }
    ++claimed;
    ++GetTally().claimed_cases;
    std::vector<std::vector<int64_t>> dims;
    for (const Tensor& e : built.expected) dims.push_back(e.dims());
    auto got = CompileAndRun(device, built.graph, built.inputs, dims);
    ASSERT_TRUE(got.ok()) << "claimed as supported, but: " << got.status().ToString();
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_TRUE(MatchesReference(built.expected[i], (*got)[i])) << "output " << i;
    }
  }
  if (claimed == 0) {
    AddNote(what + ": no case claimed, nothing to check (" +
            (declined_reason.empty() ? "no reason given" : declined_reason) + ")");
  }
}

std::string ParamName(const ::testing::TestParamInfo<OpParam>& info) {
  return info.param.schema->name + "_" + std::string(DTypeName(info.param.dtype));
}

INSTANTIATE_TEST_SUITE_P(AllOps, Ops, ::testing::ValuesIn(AllOpParams()), ParamName);

}  // namespace
}  // namespace hetero::conformance
