// hetero::Session over the partitioned executor: load, optimize, place, compile; runs
// from any thread; asynchronous runs on their own threads, waited for on destruction.
#include "hetero/session.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "compiler/passes/pipeline.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero {

struct Session::Impl {
  std::unique_ptr<plugins::PluginRegistry> registry;
  LoadedModel model;
  std::unique_ptr<PartitionedExecutor> executor;
  mutable std::mutex mutex;
  mutable std::condition_variable idle;
  mutable int in_flight = 0;
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Session::~Session() {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  impl_->idle.wait(lock, [&] { return impl_->in_flight == 0; });
}

StatusOr<std::unique_ptr<Session>> Session::Create(const std::string& model_spec,
                                                   SessionOptions options) {
  if (options.threads < 0) return InvalidArgument("SessionOptions::threads must be >= 0");
  auto impl = std::make_unique<Impl>();
  impl->registry = plugins::LoadPluginRegistry(options.plugin_paths, options.threads);
  std::vector<std::shared_ptr<plugins::Device>> devices;
  for (const std::string& name : options.devices) {
    HETERO_ASSIGN_OR_RETURN(auto device, impl->registry->OpenDevice(name));
    if (options.profiling) HETERO_RETURN_IF_ERROR(device->SetProfiling(true));
    devices.push_back(std::move(device));
  }
  if (devices.empty()) return InvalidArgument("SessionOptions::devices is empty");
  HETERO_ASSIGN_OR_RETURN(impl->model, LoadModel(model_spec));
  if (options.optimize) {
    HETERO_RETURN_IF_ERROR(passes::Pipeline::Default().Run(*impl->model.graph).status());
  }
  placement::PlacementOptions placement_options;
  for (const std::string& text : options.pins) {
    HETERO_ASSIGN_OR_RETURN(placement::Pin pin, placement::ParsePin(text));
    placement_options.pins.push_back(std::move(pin));
  }
  placement_options.no_fallback = options.no_fallback;
  HETERO_ASSIGN_OR_RETURN(
      impl->executor,
      PartitionedExecutor::Create(*impl->model.graph, std::move(devices), placement_options));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

StatusOr<NamedTensors> Session::Run(const NamedTensors& inputs) const {
  HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, impl_->executor->Run(inputs));
  NamedTensors named;
  const auto& values = impl_->model.graph->outputs();
  for (size_t i = 0; i < outputs.size(); ++i) named.emplace(values[i]->name(), outputs[i]);
  return named;
}

void Session::RunAsync(NamedTensors inputs,
                       std::function<void(StatusOr<NamedTensors>)> done) const {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    ++impl_->in_flight;
  }
  std::thread([this, inputs = std::move(inputs), done = std::move(done)]() {
    done(Run(inputs));
    std::lock_guard<std::mutex> lock(impl_->mutex);
    if (--impl_->in_flight == 0) impl_->idle.notify_all();
  }).detach();
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

std::string Session::ExplainPlacement() const {
  return placement::FormatPlan(impl_->executor->plan());
}

}  // namespace hetero
