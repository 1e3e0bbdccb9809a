// LaunchSegment: inputs resolved under the request's lock, shapes inferred on the host,
// work queued on a fresh stream, and the continuation chained to the device's event.
#include "runtime/scheduler/segment_launch.h"

#include <atomic>
#include <optional>
#include <thread>

#include "runtime/plugins/host_services.h"

namespace hetero::scheduler {
namespace {

// Outputs this small are downloaded too: later segments' shape inference reads them.
constexpr int64_t kSmallValueElements = 1024;

std::atomic<uint64_t> next_correlation_id{1};

// Where one input comes from.
struct Source {
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;
  std::shared_ptr<plugins::Buffer> reuse;    // already on this device
  std::optional<Tensor> host;                // to upload
  std::shared_ptr<plugins::Buffer> sibling;  // on another device of the same plugin
};

// One launch, kept alive until the device is done with its memory.
struct InFlight {
  RequestPtr request;
  const SegmentPlan* plan = nullptr;
  LaunchContext ctx;
  std::function<void()> resume;
  std::shared_ptr<plugins::Device> device;
  plugins::Stream stream;
  plugins::Event event;
  bool queued = false;  // the stream holds work that must drain before memory is freed
  std::vector<std::shared_ptr<plugins::Buffer>> inputs;
  std::vector<bool> new_input;  // uploaded or copied here: recorded for reuse
  std::vector<Tensor> upload_sources;
  std::vector<std::shared_ptr<plugins::Buffer>> outputs;
  std::vector<std::vector<int64_t>> output_dims;
  std::vector<DType> output_dtypes;
  std::vector<std::optional<Tensor>> host_outputs;
  uint64_t correlation_id = 0;
  uint64_t launch_start_ns = 0;
  uint64_t launch_end_ns = 0;
};

using InFlightPtr = std::shared_ptr<InFlight>;

bool CanCopyBetween(const plugins::Device& from, const plugins::Device& to) {
  return &from.plugin() == &to.plugin() && to.properties().Has(HETERO_CAP_DEVICE_COPY);
}

Status GatherSources(InFlight& run, std::vector<Source>& sources,
                     std::map<std::string, Tensor>& infer_inputs) {
  Request& request = *run.request;
  std::lock_guard<std::mutex> lock(request.mutex);
  for (const std::string& name : run.plan->inputs) {
    auto it = request.values.find(name);
    if (it == request.values.end()) {
      return Internal("value '" + name + "' was not computed before the segment");
    }
    const ValueSlot& slot = it->second;
    Source source;
    source.dtype = slot.dtype;
    source.dims = slot.dims;
    if (const DeviceCopy* here = slot.On(run.device.get())) {
      source.reuse = here->buffer;
    } else if (slot.host) {
      source.host = *slot.host;
    } else {
      for (const DeviceCopy& copy : slot.copies) {
        if (CanCopyBetween(*copy.device, *run.device)) source.sibling = copy.buffer;
      }
      if (!source.sibling) {
        return Internal("value '" + name + "' is on " +
                        (slot.copies.empty() ? "no device" : slot.copies[0].device->name()) +
                        " with no host copy and no copy path to " + run.device->name());
      }
    }
    infer_inputs.emplace(
        name, slot.host ? *slot.host : Tensor::Borrow(slot.dtype, slot.dims, nullptr, nullptr));
    sources.push_back(std::move(source));
  }
  return OkStatus();
}

StatusOr<std::shared_ptr<plugins::Buffer>> AllocateFor(plugins::Device& device, DType dtype,
                                                       const std::vector<int64_t>& dims,
                                                       const std::string& what) {
  auto count = CheckedElementCount(dims);
  if (!count.ok()) return count.status().WithContext(what);
  auto buffer = device.Allocate(static_cast<uint64_t>(*count) * DTypeSize(dtype));
  if (!buffer.ok()) return buffer.status().WithContext(what);
  return std::make_shared<plugins::Buffer>(std::move(*buffer));
}

// Inputs into place on the device: reused, copied from a sibling device, or uploaded.
Status PlaceInputs(InFlight& run, std::vector<Source>& sources,
                   std::vector<hetero_tensor_desc>& descs) {
  for (size_t i = 0; i < sources.size(); ++i) {
    Source& source = sources[i];
    const std::string& name = run.plan->inputs[i];
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc,
                            plugins::MakeTensorDesc(source.dtype, source.dims));
    descs.push_back(desc);
    if (source.reuse) {
      run.inputs.push_back(source.reuse);
      run.new_input.push_back(false);
      continue;
    }
    HETERO_ASSIGN_OR_RETURN(auto buffer,
                            AllocateFor(*run.device, source.dtype, source.dims, "input " + name));
    run.queued = true;
    if (source.host) {
      HETERO_RETURN_IF_ERROR(
          run.stream.CopyToDevice(source.host->raw(), *buffer, 0, source.host->byte_size()));
      run.upload_sources.push_back(*source.host);
    } else {
      HETERO_RETURN_IF_ERROR(
          run.stream.CopyDeviceToDevice(*source.sibling, 0, *buffer, 0, buffer->size()));
    }
    run.inputs.push_back(std::move(buffer));
    run.new_input.push_back(true);
  }
  return OkStatus();
}

// Execute, then the downloads; the last piece of work signals run.event (if any).
Status QueueWork(InFlight& run, std::vector<hetero_tensor_desc>& in_descs) {
  const plugins::GraphView& view = run.plan->executor->view();
  std::vector<hetero_tensor_desc> out_descs;
  std::vector<size_t> downloads;
  const auto out_values = view.OutputValues();
  for (size_t k = 0; k < run.output_dims.size(); ++k) {
    const DType dtype = out_values[k]->type().dtype;
    run.output_dtypes.push_back(dtype);
    HETERO_ASSIGN_OR_RETURN(hetero_tensor_desc desc,
                            plugins::MakeTensorDesc(dtype, run.output_dims[k]));
    out_descs.push_back(desc);
    HETERO_ASSIGN_OR_RETURN(auto buffer, AllocateFor(*run.device, dtype, run.output_dims[k],
                                                     "output " + run.plan->outputs[k]));
    run.outputs.push_back(std::move(buffer));
    run.host_outputs.emplace_back();
    auto count = CheckedElementCount(run.output_dims[k]);
    if (run.plan->output_to_host[k] || (count.ok() && *count <= kSmallValueElements)) {
      downloads.push_back(k);
    }
  }
  std::vector<plugins::Buffer*> ins, outs;
  for (auto& b : run.inputs) ins.push_back(b.get());
  for (auto& b : run.outputs) outs.push_back(b.get());
  plugins::SyncArgs sync;
  sync.correlation_id = run.correlation_id;
  plugins::Event* signal = run.event.raw() != nullptr ? &run.event : nullptr;
  if (downloads.empty()) sync.signal = signal;
  run.queued = true;
  HETERO_RETURN_IF_ERROR(
      run.stream.Execute(run.plan->executor->executable(), ins, in_descs, outs, out_descs, sync));
  for (size_t d = 0; d < downloads.size(); ++d) {
    const size_t k = downloads[d];
    HETERO_ASSIGN_OR_RETURN(Tensor host,
                            Tensor::Allocate(run.output_dtypes[k], run.output_dims[k]));
    plugins::SyncArgs copy_sync;
    copy_sync.correlation_id = run.correlation_id;
    if (d + 1 == downloads.size()) copy_sync.signal = signal;
    HETERO_RETURN_IF_ERROR(
        run.stream.CopyToHost(*run.outputs[k], 0, host.mutable_raw(), host.byte_size(), copy_sync));
    run.host_outputs[k] = std::move(host);
  }
  return OkStatus();
}

Status Prepare(InFlight& run) {
  std::vector<Source> sources;
  std::map<std::string, Tensor> infer_inputs;
  HETERO_RETURN_IF_ERROR(GatherSources(run, sources, infer_inputs));
  HETERO_ASSIGN_OR_RETURN(run.output_dims,
                          InferOutputDims(run.plan->executor->graph(), infer_inputs));
  HETERO_ASSIGN_OR_RETURN(run.stream, run.device->CreateStream());
  if (run.device->properties().Has(HETERO_CAP_EVENTS)) {
    HETERO_ASSIGN_OR_RETURN(run.event, run.device->CreateEvent());
  }
  std::vector<hetero_tensor_desc> in_descs;
  HETERO_RETURN_IF_ERROR(PlaceInputs(run, sources, in_descs));
  return QueueWork(run, in_descs);
}

void RecordLaunch(const InFlight& run, uint64_t end_ns) {
  profiler::Recorder* recorder = run.ctx.recorder;
  if (recorder == nullptr || !recorder->enabled()) return;
  profiler::Event launch;
  launch.kind = profiler::EventKind::kScheduler;
  launch.track = "host";
  launch.lane = "scheduler";
  launch.name = "launch segment " + std::to_string(run.plan->index);
  launch.start_ns = run.launch_start_ns;
  launch.end_ns = run.launch_end_ns;
  launch.correlation_id = run.correlation_id;
  launch.request_id = run.request->id;
  recorder->Add(launch);
  profiler::Event segment = launch;
  segment.name = "segment " + std::to_string(run.plan->index) + " on " + run.plan->device_name;
  segment.lane = "request " + std::to_string(run.request->id);
  segment.end_ns = end_ns;
  recorder->Add(std::move(segment));
}

// Runs on the arena once the device is done (or the launch failed and drained).
void Finish(const InFlightPtr& run, Status status) {
  if (run->queued) {
    Status drained = run->stream.Synchronize();  // the work is done: returns at once
    if (status.ok()) status = drained;
  }
  Request& request = *run->request;
  const SegmentPlan& plan = *run->plan;
  if (!status.ok()) {
    request.Fail(Status(status.code(), "segment " + std::to_string(plan.index) + " on " +
                                           plan.device_name + ": " + status.message()));
  } else {
    std::lock_guard<std::mutex> lock(request.mutex);
    for (size_t k = 0; k < plan.outputs.size(); ++k) {
      ValueSlot& slot = request.values[plan.outputs[k]];
      slot.dtype = run->output_dtypes[k];
      slot.dims = run->output_dims[k];
      if (run->host_outputs[k]) slot.host = std::move(*run->host_outputs[k]);
      slot.copies.push_back({run->device, run->outputs[k]});
    }
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      ValueSlot& slot = request.values[plan.inputs[i]];
      if (run->new_input[i] && slot.On(run->device.get()) == nullptr) {
        slot.copies.push_back({run->device, run->inputs[i]});
      }
    }
  }
  RecordLaunch(*run, plugins::HostServices::NowNs());
  auto resume = std::move(run->resume);
  resume();
}

// The last reference to a launch must not drop on the device's thread (its stream would
// wait for itself): every path hands its reference to the arena task.
void FinishLater(InFlightPtr run, Status status) {
  tbb::task_arena* arena = run->ctx.arena;
  arena->enqueue([run = std::move(run), status = std::move(status)] { Finish(run, status); });
}

// For devices without events, and for launches that failed with work queued: wait on a
// thread of its own, never on an arena worker (the device may need that worker).
void DrainThenFinish(InFlightPtr run, Status status) {
  std::thread([run = std::move(run), status = std::move(status)]() mutable {
    Status drained = run->stream.Synchronize();
    if (status.ok()) status = drained;
    FinishLater(std::move(run), std::move(status));
  }).detach();
}

}  // namespace

void LaunchSegment(const SegmentPlan& plan, const RequestPtr& request, const LaunchContext& ctx,
                   std::function<void()> resume) {
  auto run = std::make_shared<InFlight>();
  run->request = request;
  run->plan = &plan;
  run->ctx = ctx;
  run->resume = std::move(resume);
  run->device = plan.executor->shared_device();
  run->correlation_id = next_correlation_id.fetch_add(1, std::memory_order_relaxed);
  run->launch_start_ns = plugins::HostServices::NowNs();
  if (request->cancelled()) {
    request->Fail(Status(StatusCode::kCancelled,
                         "request cancelled before segment " + std::to_string(plan.index)));
  }
  if (request->failed()) {
    auto resume_now = std::move(run->resume);
    ctx.arena->enqueue(std::move(resume_now));
    return;
  }
  Status prepared = Prepare(*run);
  run->launch_end_ns = plugins::HostServices::NowNs();
  if (!prepared.ok()) {
    if (run->queued) {
      DrainThenFinish(std::move(run), std::move(prepared));
    } else {
      FinishLater(std::move(run), std::move(prepared));
    }
    return;
  }
  if (run->event.raw() == nullptr) {
    DrainThenFinish(std::move(run), OkStatus());
    return;
  }
  // The callback owns one reference and hands it on; this frame's is dropped first.
  const plugins::Event& event = run->event;
  InFlightPtr for_callback = run;
  InFlightPtr keep = std::move(run);
  Status armed = event.OnReady([for_callback = std::move(for_callback)](Status status) mutable {
    FinishLater(std::move(for_callback), std::move(status));
  });
  if (!armed.ok()) DrainThenFinish(std::move(keep), OkStatus());
}

}  // namespace hetero::scheduler
