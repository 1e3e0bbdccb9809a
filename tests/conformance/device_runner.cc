// Running graphs on a plugin device, and the comparison with the reference.
#include "tests/conformance/device_runner.h"

#include <cmath>
#include <cstring>

#include "tests/conformance/conformance.h"
#include "tests/conformance/op_cases.h"
#include "tools/conformance/compute_format.h"

namespace hetero::conformance {

StatusOr<DeviceRun> PrepareRun(plugins::Device& device, plugins::Stream& stream,
                               const plugins::GraphView& view,
                               const std::map<std::string, Tensor>& inputs,
                               const std::vector<std::vector<int64_t>>& output_dims) {
  DeviceRun run;
  HETERO_ASSIGN_OR_RETURN(run.executable, device.Compile(view, CompileOptions()));
  for (const ir::Value* v : view.InputValues()) {
    auto it = inputs.find(v->name());
    if (it == inputs.end()) return InvalidArgument("no value for input '" + v->name() + "'");
    const Tensor& t = it->second;
    HETERO_ASSIGN_OR_RETURN(plugins::Buffer buffer, device.Allocate(t.byte_size()));
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc, plugins::MakeTensorDesc(t.dtype(), t.dims()));
    HETERO_RETURN_IF_ERROR(stream.CopyToDevice(t.raw(), buffer, 0, t.byte_size()));
    run.inputs.push_back(std::move(buffer));
    run.input_descs.push_back(desc);
  }
  const auto outs = view.OutputValues();
  if (outs.size() != output_dims.size())
    return Internal("output count differs from the dims given");
  for (size_t i = 0; i < outs.size(); ++i) {
    HETERO_ASSIGN_OR_RETURN(Tensor host, Tensor::Allocate(outs[i]->type().dtype, output_dims[i]));
    HETERO_ASSIGN_OR_RETURN(plugins::Buffer buffer, device.Allocate(host.byte_size()));
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc,
                            plugins::MakeTensorDesc(host.dtype(), host.dims()));
    run.outputs.push_back(std::move(buffer));
    run.output_descs.push_back(desc);
    run.results.push_back(std::move(host));
  }
  return run;
}

Status QueueRun(plugins::Stream& stream, DeviceRun& run, const plugins::SyncArgs& sync) {
  std::vector<plugins::Buffer*> in, out;
  for (auto& b : run.inputs) in.push_back(&b);
  for (auto& b : run.outputs) out.push_back(&b);
  HETERO_RETURN_IF_ERROR(
      stream.Execute(run.executable, in, run.input_descs, out, run.output_descs, sync));
  for (size_t i = 0; i < run.outputs.size(); ++i) {
    Tensor& host = run.results[i];
    HETERO_RETURN_IF_ERROR(
        stream.CopyToHost(run.outputs[i], 0, host.mutable_raw(), host.byte_size()));
  }
  return OkStatus();
}

StatusOr<std::vector<Tensor>> CompileAndRun(plugins::Device& device, const ir::Graph& graph,
                                            const std::map<std::string, Tensor>& inputs,
                                            const std::vector<std::vector<int64_t>>& output_dims) {
  HETERO_ASSIGN_OR_RETURN(std::unique_ptr<plugins::GraphView> view,
                          plugins::GraphView::FromGraph(graph));
  HETERO_ASSIGN_OR_RETURN(plugins::Stream stream, device.CreateStream());
  HETERO_ASSIGN_OR_RETURN(DeviceRun run, PrepareRun(device, stream, *view, inputs, output_dims));
  HETERO_RETURN_IF_ERROR(QueueRun(stream, run));
  HETERO_RETURN_IF_ERROR(stream.Synchronize());
  return run.results;
}

::testing::AssertionResult MatchesReference(const Tensor& expected, const Tensor& got) {
  if (expected.dtype() != got.dtype() || expected.dims() != got.dims()) {
    return ::testing::AssertionFailure()
           << "expected " << expected.type().ToString() << ", got " << got.type().ToString();
  }
  // A float output wider than the device's compute format: that format's tolerance.
  if (auto narrow = NarrowComparisonFor(expected.dtype())) {
    return MatchesInFormat(expected, got, *narrow);
  }
  const double tol = Tolerance(expected.dtype());
  int64_t bad = 0;
  std::string first;
  for (int64_t i = 0; i < expected.num_elements(); ++i) {
    const double e = expected.GetDouble(i);
    const double g = got.GetDouble(i);
    bool ok;
    if (std::isnan(e) || std::isnan(g)) {
      ok = std::isnan(e) && std::isnan(g);
    } else if (std::isinf(e) || std::isinf(g) || tol == 0) {
      ok = expected.dtype() == DType::kI64 ? expected.GetInt64(i) == got.GetInt64(i) : e == g;
    } else {
      ok = std::fabs(e - g) <= tol * std::max(1.0, std::fabs(e));
    }
    if (!ok && bad++ < 5) {
      first += " [" + std::to_string(i) + "] expected " + std::to_string(e) + " got " +
               std::to_string(g);
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << expected.num_elements()
                                       << " elements differ (tolerance " << tol << "):" << first;
}

}  // namespace hetero::conformance
