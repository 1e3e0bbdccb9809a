// hetero::Session over the partitioned executor: load, optimize, place, compile (or load
// a compiled model file); runs
// from any thread through the flow-graph scheduler; in-flight runs are waited for on
// destruction.
#include "hetero/session.h"

#include <chrono>
#include <optional>

#include "compiler/passes/pipeline.h"
#include "profiler/recorder.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/scheduler/flow_scheduler.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"
#include "runtime/session/profile_guided.h"
#include "runtime/session/session_impl.h"

namespace hetero {

namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

profiler::Event EventFromRecord(const plugins::ProfileRecord& record,
                                const std::vector<std::shared_ptr<plugins::Device>>& devices) {
  profiler::Event event;
  const bool is_copy = record.name.rfind("copy", 0) == 0;
  event.kind = is_copy ? profiler::EventKind::kTransfer : profiler::EventKind::kDeviceOp;
  event.track = record.plugin;
  for (const auto& device : devices) {
    if (device->plugin().name() == record.plugin && device->index() == record.device_index) {
      event.track = device->name();
    }
  }
  event.lane = "stream " + std::to_string(record.stream_id);
  event.name = record.name;
  event.op = record.op;
  event.start_ns = record.start_ns;
  event.end_ns = record.end_ns;
  event.correlation_id = record.correlation_id;
  event.counters = record.counters;
  event.simulated = record.simulated;
  return event;
}

}  // namespace

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::~Session() {
  // Waits for requests in flight, before the devices and the arena go.
  impl_->scheduler.reset();
}

StatusOr<std::unique_ptr<Session>> Session::Create(const std::string& model_spec,
                                                   SessionOptions options) {
  if (options.threads < 0) return InvalidArgument("SessionOptions::threads must be >= 0");
  auto impl = std::make_unique<Impl>();
  impl->registry = plugins::LoadPluginRegistry(options.plugin_paths, options.threads);
  impl->recorder = std::make_shared<profiler::Recorder>(options.profiling);
  std::optional<CompiledModelFile> compiled;
  std::vector<std::string> device_names = options.devices;
  auto start = std::chrono::steady_clock::now();
  if (IsCompiledModelFile(model_spec)) {
    HETERO_ASSIGN_OR_RETURN(compiled, ReadCompiledModel(model_spec));
    device_names = CompiledModelDevices(*compiled);
  }
  std::vector<std::shared_ptr<plugins::Device>> devices;
  for (const std::string& name : device_names) {
    HETERO_ASSIGN_OR_RETURN(auto device, impl->registry->OpenDevice(name));
    if (options.profiling) HETERO_RETURN_IF_ERROR(device->SetProfiling(true));
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return InvalidArgument("SessionOptions::devices is empty");
  impl->devices = devices;
  if (options.profiling) {
    impl->registry->host().SetProfileSink(
        [recorder = impl->recorder, devices](const plugins::ProfileRecord& record) {
          recorder->Add(EventFromRecord(record, devices));
        });
  }
  if (compiled) {
    HETERO_RETURN_IF_ERROR(LoadCompiledModel(*impl, model_spec, std::move(*compiled)));
    impl->timings.load_ms = MillisSince(start);
    return Finish(std::move(impl), options, start);
  }
  start = std::chrono::steady_clock::now();
  HETERO_ASSIGN_OR_RETURN(impl->model, LoadModel(model_spec));
  impl->timings.load_ms = MillisSince(start);
  impl->timings.imported_nodes = impl->model.graph->num_nodes();
  for (const auto* value : impl->model.graph->inputs())
    impl->input_types.emplace_back(value->name(), value->type());
  start = std::chrono::steady_clock::now();
  if (options.optimize) {
    HETERO_RETURN_IF_ERROR(passes::Pipeline::Default().Run(*impl->model.graph).status());
  }
  if (!options.quantize.empty()) {
    if (options.quantize != "int8") {
      return InvalidArgument("quantize '" + options.quantize + "' is not known (int8)");
    }
    HETERO_ASSIGN_OR_RETURN(passes::Pipeline quantize, passes::Pipeline::Parse("quantize-int8"));
    HETERO_RETURN_IF_ERROR(quantize.Run(*impl->model.graph).status());
  }
  impl->timings.optimize_ms = MillisSince(start);
  start = std::chrono::steady_clock::now();
  placement::PlacementOptions placement_options;
  for (const std::string& text : options.pins) {
    HETERO_ASSIGN_OR_RETURN(placement::Pin pin, placement::ParsePin(text));
    placement_options.pins.push_back(std::move(pin));
  }
  placement_options.no_fallback = options.no_fallback;
  if (!options.profile_guided.empty()) {
    HETERO_ASSIGN_OR_RETURN(placement_options.measured_s,
                            ReadMeasuredOpTimes(options.profile_guided));
  }
  if (options.min_segment_nodes > 0) {
    placement_options.min_segment_nodes = static_cast<size_t>(options.min_segment_nodes);
  }
  HETERO_ASSIGN_OR_RETURN(
      impl->executor,
      PartitionedExecutor::Create(*impl->model.graph, std::move(devices), placement_options,
                                  options.compile_options, options.calibration_inputs));
  return Finish(std::move(impl), options, start);
}

StatusOr<std::unique_ptr<Session>> Session::Finish(std::unique_ptr<Impl> impl,
                                                   const SessionOptions& options,
                                                   std::chrono::steady_clock::time_point start) {
  for (const auto* value : impl->model.graph->inputs()) {
    if (impl->input_types.size() < impl->model.graph->inputs().size())
      impl->input_types.emplace_back(value->name(), value->type());
  }
  scheduler::SchedulerOptions scheduler_options;
  scheduler_options.max_in_flight = options.max_in_flight;
  scheduler_options.recorder = options.profiling ? impl->recorder.get() : nullptr;
  impl->scheduler = std::make_unique<scheduler::FlowScheduler>(
      *impl->executor, impl->registry->host().arena(), scheduler_options);
  impl->timings.compile_ms = MillisSince(start);
  impl->timings.compiled_nodes = impl->model.graph->num_nodes();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

StatusOr<RunResult> Session::Run(const NamedTensors& inputs, const RunOptions& options) const {
  return impl_->scheduler->Run(inputs, options);
}

StatusOr<NamedTensors> Session::Run(const NamedTensors& inputs) const {
  HETERO_ASSIGN_OR_RETURN(RunResult result, impl_->scheduler->Run(inputs));
  return std::move(result.outputs);
}

void Session::RunAsync(NamedTensors inputs, RunOptions options,
                       std::function<void(StatusOr<RunResult>)> done) const {
  impl_->scheduler->Submit(std::move(inputs), std::move(options), std::move(done));
}

void Session::RunAsync(NamedTensors inputs,
                       std::function<void(StatusOr<NamedTensors>)> done) const {
  impl_->scheduler->Submit(std::move(inputs), {},
                           [done = std::move(done)](StatusOr<RunResult> result) {
                             if (!result.ok()) {
                               done(result.status());
                             } else {
                               done(std::move(result->outputs));
                             }
                           });
}

std::future<StatusOr<NamedTensors>> Session::RunAsync(NamedTensors inputs) const {
  auto promise = std::make_shared<std::promise<StatusOr<NamedTensors>>>();
  auto future = promise->get_future();
  RunAsync(std::move(inputs),
           [promise](StatusOr<NamedTensors> result) { promise->set_value(std::move(result)); });
  return future;
}

std::vector<std::string> Session::input_names() const {
  std::vector<std::string> names;
  for (const auto* value : impl_->model.graph->inputs()) names.push_back(value->name());
  return names;
}

std::vector<std::string> Session::output_names() const {
  std::vector<std::string> names;
  for (const auto* value : impl_->model.graph->outputs()) names.push_back(value->name());
  return names;
}

std::vector<std::pair<std::string, TensorType>> Session::input_types() const {
  return impl_->input_types;
}

const SessionTimings& Session::timings() const { return impl_->timings; }

std::vector<SessionDevice> Session::devices() const {
  std::vector<SessionDevice> out;
  for (const auto& device : impl_->devices) {
    const plugins::DeviceProperties& props = device->properties();
    SessionDevice d;
    d.name = device->name();
    d.kind = plugins::DeviceKindName(props.kind);
    d.description = props.name;
    d.simulated = props.Has(HETERO_CAP_SIMULATED);
    for (DType dtype : kAllDTypes) {
      if (double peak = props.PeakFlops(dtype); peak > 0)
        d.peak_flops[std::string(DTypeName(dtype))] = peak;
    }
    d.memory_bandwidth = props.memory_bandwidth;
    d.host_link_bandwidth = props.host_link_bandwidth;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DeviceMemoryStats> Session::MemoryStats(bool reset_peak) const {
  std::vector<DeviceMemoryStats> out;
  for (const auto& device : impl_->devices) {
    DeviceMemoryStats d;
    d.device = device->name();
    StatusOr<plugins::MemoryStats> stats = device->ReadMemoryStats(reset_peak);
    if (stats.ok()) {
      d.available = true;
      d.bytes_in_use = stats->bytes_in_use;
      d.peak_bytes_in_use = stats->peak_bytes_in_use;
      d.allocations = stats->allocations;
      d.covers = plugins::MemoryCoverageNames(stats->coverage);
    } else {
      d.unavailable_reason = stats.status().message();
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<NodePlacement> Session::placement() const {
  std::vector<NodePlacement> out;
  const placement::PlacementPlan& plan = impl_->executor->plan();
  for (size_t s = 0; s < plan.segments.size(); ++s) {
    for (const ir::Node* node : plan.segments[s].nodes) {
      out.push_back(
          {node->name(), node->op(), plan.devices[plan.segments[s].device], static_cast<int>(s)});
    }
  }
  return out;
}

std::vector<profiler::Event> Session::TakeProfile() const { return impl_->recorder->Take(); }

std::string Session::ExplainPlacement() const {
  return placement::FormatPlan(impl_->executor->plan());
}

}  // namespace hetero
