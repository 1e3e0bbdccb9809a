// Session's private state, shared by session.cc (create, run) and
// session_compiled.cc (compiled model files).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hetero/session.h"
#include "profiler/recorder.h"
#include "runtime/plugins/plugin_registry.h"
#include "runtime/scheduler/flow_scheduler.h"
#include "runtime/session/compiled_model.h"
#include "runtime/session/model_loader.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero {

struct Session::Impl {
  std::unique_ptr<plugins::PluginRegistry> registry;
  LoadedModel model;
  std::unique_ptr<PartitionedExecutor> executor;
  std::unique_ptr<scheduler::FlowScheduler> scheduler;
  SessionTimings timings;
  std::vector<std::shared_ptr<plugins::Device>> devices;
  std::vector<std::pair<std::string, TensorType>> input_types;
  std::shared_ptr<profiler::Recorder> recorder;
};

// Loads `file` onto `devices` (opened from its segments' device names, in order of first
// use): the graph, the segments' executables, no compilation.
Status LoadCompiledModel(Session::Impl& impl, const std::string& path, CompiledModelFile file);
// The segments' device names, each once, in order of first use.
std::vector<std::string> CompiledModelDevices(const CompiledModelFile& file);

}  // namespace hetero
