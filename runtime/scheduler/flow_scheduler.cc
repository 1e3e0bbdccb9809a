// FlowScheduler: plans (inputs, outputs, which outputs go to the host), the flow graph
// (start → gates → async segment nodes → finish), admission and completion.
#include "runtime/scheduler/flow_scheduler.h"

#include <algorithm>
#include <future>
#include <set>

#include "hetero/logging.h"
#include "runtime/scheduler/request_io.h"

namespace hetero::scheduler {
namespace {

bool CanCopyBetween(const plugins::Device& from, const plugins::Device& to) {
  return &from.plugin() == &to.plugin() && to.properties().Has(HETERO_CAP_DEVICE_COPY);
}

std::set<std::string> GraphOutputNames(const ir::Graph& graph) {
  std::set<std::string> names;
  for (const ir::Value* v : graph.outputs()) names.insert(v->name());
  return names;
}

}  // namespace

FlowScheduler::FlowScheduler(const PartitionedExecutor& executor, tbb::task_arena& arena,
                             SchedulerOptions options)
    : executor_(executor), arena_(arena), options_(options) {
  if (options_.max_in_flight <= 0) options_.max_in_flight = 64;
  BuildPlans();
  BuildGraph();
}

FlowScheduler::~FlowScheduler() {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait(lock, [&] { return in_flight_ == 0 && waiting_.empty(); });
  }
  graph_->wait_for_all();
}

void FlowScheduler::BuildPlans() {
  const size_t n = executor_.num_segments();
  const std::set<std::string> graph_outputs = GraphOutputNames(executor_.graph());
  plans_.resize(n);
  for (size_t s = 0; s < n; ++s) {
    SegmentPlan& plan = plans_[s];
    plan.index = s;
    plan.executor = &executor_.SegmentExecutor(s);
    plan.device_name = executor_.SegmentDevice(s);
    plan.deps = executor_.SegmentDeps(s);
    for (const ir::Value* v : plan.executor->view().InputValues()) plan.inputs.push_back(v->name());
    for (const ir::Value* v : plan.executor->view().OutputValues()) {
      plan.outputs.push_back(v->name());
    }
  }
  // An output goes to the host when the caller needs it or a reader cannot take it from
  // the producing device directly.
  for (size_t s = 0; s < n; ++s) {
    SegmentPlan& plan = plans_[s];
    const plugins::Device& device = plan.executor->device();
    for (const std::string& name : plan.outputs) {
      bool to_host = graph_outputs.count(name) > 0;
      for (size_t t = 0; t < n && !to_host; ++t) {
        if (t == s) continue;
        const auto& reads = plans_[t].inputs;
        if (std::find(reads.begin(), reads.end(), name) == reads.end()) continue;
        const plugins::Device& reader = plans_[t].executor->device();
        if (&reader != &device && !CanCopyBetween(device, reader)) to_host = true;
      }
      plan.output_to_host.push_back(to_host);
    }
  }
  gate_counts_.assign(n, 1);
  std::vector<bool> is_dep(n, false);
  for (size_t s = 0; s < n; ++s) {
    gate_counts_[s] = std::max<int>(1, static_cast<int>(plans_[s].deps.size()));
    for (size_t d : plans_[s].deps) is_dep[d] = true;
  }
  sink_count_ = static_cast<int>(std::count(is_dep.begin(), is_dep.end(), false));
  if (sink_count_ == 0) sink_count_ = 1;  // no segments: start feeds finish directly
}

void FlowScheduler::BuildGraph() {
  namespace flow = tbb::flow;
  arena_.execute([&] {
    graph_ = std::make_unique<flow::graph>();
    start_ = std::make_unique<flow::broadcast_node<RequestPtr>>(*graph_);
    const size_t n = plans_.size();
    for (size_t s = 0; s < n; ++s) {
      gates_.push_back(std::make_unique<Gate>(
          *graph_, flow::unlimited, [s](const RequestPtr& r, Gate::output_ports_type& ports) {
            if (r->pending[s].fetch_sub(1, std::memory_order_acq_rel) == 1) {
              std::get<0>(ports).try_put(r);
            }
          }));
      nodes_.push_back(std::make_unique<Node>(
          *graph_, flow::unlimited, [this, s](const RequestPtr& r, Node::gateway_type& gateway) {
            gateway.reserve_wait();
            LaunchContext ctx{&arena_, options_.recorder};
            LaunchSegment(plans_[s], r, ctx, [r, &gateway] {
              gateway.try_put(r);
              gateway.release_wait();
            });
          }));
    }
    finish_gate_ = std::make_unique<Gate>(
        *graph_, flow::unlimited, [](const RequestPtr& r, Gate::output_ports_type& ports) {
          if (r->sinks_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::get<0>(ports).try_put(r);
          }
        });
    finish_ = std::make_unique<flow::function_node<RequestPtr>>(*graph_, flow::unlimited,
                                                                [this](const RequestPtr& r) {
                                                                  Complete(r);
                                                                  return flow::continue_msg();
                                                                });
    std::vector<bool> is_dep(n, false);
    for (size_t s = 0; s < n; ++s) {
      flow::make_edge(flow::output_port<0>(*gates_[s]), *nodes_[s]);
      if (plans_[s].deps.empty()) flow::make_edge(*start_, *gates_[s]);
      for (size_t d : plans_[s].deps) {
        flow::make_edge(*nodes_[d], *gates_[s]);
        is_dep[d] = true;
      }
    }
    for (size_t s = 0; s < n; ++s) {
      if (!is_dep[s]) flow::make_edge(*nodes_[s], *finish_gate_);
    }
    if (n == 0) flow::make_edge(*start_, *finish_gate_);
    flow::make_edge(flow::output_port<0>(*finish_gate_), *finish_);
  });
}

void FlowScheduler::Submit(NamedTensors inputs, RunOptions options,
                           std::function<void(StatusOr<RunResult>)> done) {
  auto request = std::make_shared<Request>();
  request->options = std::move(options);
  request->done = std::move(done);
  if (Status seeded = SeedRequest(*request, executor_.graph(), plans_, inputs); !seeded.ok()) {
    request->done(seeded);
    return;
  }
  request->pending = std::make_unique<std::atomic<int>[]>(plans_.size());
  for (size_t s = 0; s < plans_.size(); ++s) request->pending[s].store(gate_counts_[s]);
  request->sinks_pending.store(sink_count_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    request->id = next_id_++;
    if (in_flight_ >= options_.max_in_flight) {
      waiting_.push_back(std::move(request));
      return;
    }
    ++in_flight_;
  }
  Start(std::move(request));
}

void FlowScheduler::Start(RequestPtr request) { start_->try_put(request); }

void FlowScheduler::Complete(const RequestPtr& request) {
  StatusOr<RunResult> result = CollectOutputs(*request, executor_.graph());
  try {
    request->done(std::move(result));
  } catch (...) {
    LogMessage(LogLevel::kError, "a run's completion callback threw an exception");
  }
  request->done = nullptr;
  RequestPtr next;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!waiting_.empty()) {
      next = std::move(waiting_.front());
      waiting_.pop_front();
    } else {
      --in_flight_;
      // Under the lock: the destructor may run as soon as it sees zero.
      idle_.notify_all();
    }
  }
  if (next) Start(std::move(next));
}

StatusOr<RunResult> FlowScheduler::Run(NamedTensors inputs, RunOptions options) {
  std::promise<StatusOr<RunResult>> promise;
  auto future = promise.get_future();
  Submit(std::move(inputs), std::move(options),
         [&promise](StatusOr<RunResult> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace hetero::scheduler
