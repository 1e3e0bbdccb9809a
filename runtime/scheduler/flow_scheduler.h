// FlowScheduler: a PartitionedExecutor's segments as one oneTBB flow graph that every
// request flows through — a gate per segment that opens when its inputs are computed, an
// async node per segment whose device work completes behind an event (no worker waits
// for a device), many requests in flight at once, each failure its own.
#pragma once

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/task_arena.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "hetero/session.h"
#include "profiler/recorder.h"
#include "runtime/scheduler/request.h"
#include "runtime/scheduler/segment_launch.h"
#include "runtime/session/partitioned_executor.h"

namespace hetero::scheduler {

struct SchedulerOptions {
  int max_in_flight = 64;  // requests inside the graph at once; more wait in a queue
  profiler::Recorder* recorder = nullptr;
};

class FlowScheduler {
 public:
  // The executor must outlive the scheduler; `arena` is where the graph's tasks run
  // (the host's, sized by --threads).
  FlowScheduler(const PartitionedExecutor& executor, tbb::task_arena& arena,
                SchedulerOptions options = {});
  // Waits for every request submitted.
  ~FlowScheduler();
  FlowScheduler(const FlowScheduler&) = delete;
  FlowScheduler& operator=(const FlowScheduler&) = delete;

  // Queues a request; `done` is called once, on an arena thread, with the outputs or the
  // first error (naming the segment, its device and, from the device, the node). Inputs
  // are checked here; a bad input calls `done` before Submit returns. Thread-safe.
  void Submit(NamedTensors inputs, RunOptions options,
              std::function<void(StatusOr<RunResult>)> done);
  // Submit and wait (on the calling thread, which must not be an arena worker).
  StatusOr<RunResult> Run(NamedTensors inputs, RunOptions options = {});

  const std::vector<SegmentPlan>& segments() const { return plans_; }

 private:
  using Node = tbb::flow::async_node<RequestPtr, RequestPtr>;
  using Gate = tbb::flow::multifunction_node<RequestPtr, std::tuple<RequestPtr>>;

  void BuildPlans();
  void BuildGraph();
  void Start(RequestPtr request);
  void Complete(const RequestPtr& request);

  const PartitionedExecutor& executor_;
  tbb::task_arena& arena_;
  SchedulerOptions options_;
  std::vector<SegmentPlan> plans_;
  std::vector<int> gate_counts_;  // per segment: inputs it waits for
  int sink_count_ = 0;

  std::unique_ptr<tbb::flow::graph> graph_;
  std::unique_ptr<tbb::flow::broadcast_node<RequestPtr>> start_;
  std::vector<std::unique_ptr<Gate>> gates_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unique_ptr<Gate> finish_gate_;
  std::unique_ptr<tbb::flow::function_node<RequestPtr>> finish_;

  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;
  std::deque<RequestPtr> waiting_;
  uint64_t next_id_ = 1;
};

}  // namespace hetero::scheduler
