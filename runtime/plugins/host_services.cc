// HostServices: the log, clock, arena and profiling callbacks plugins receive.
#include "runtime/plugins/host_services.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "hetero/logging.h"

namespace hetero::plugins {
namespace {

LogLevel ToLogLevel(int32_t level) {
  switch (level) {
    case HETERO_LOG_DEBUG: return LogLevel::kDebug;
    case HETERO_LOG_INFO: return LogLevel::kInfo;
    case HETERO_LOG_WARNING: return LogLevel::kWarning;
    default: return LogLevel::kError;
  }
}

HostBinding* BindingOf(void* context) { return static_cast<HostBinding*>(context); }

// The C callbacks. Each catches everything: nothing may unwind into a plugin.
void LogCallback(void* context, int32_t level, const char* message) noexcept {
  try {
    HostBinding* binding = BindingOf(context);
    binding->services().Log(binding->plugin_name(), level, message);
  } catch (...) {
  }
}

uint64_t NowCallback(void*) noexcept { return HostServices::NowNs(); }

void ParallelForCallback(void* context, uint64_t count, uint64_t grain,
                         void (*fn)(void*, uint64_t, uint64_t), void* arg) noexcept {
  try {
    BindingOf(context)->services().ParallelFor(count, grain, fn, arg);
  } catch (...) {
    LogMessage(LogLevel::kError, "host parallel_for failed with an exception");
  }
}

void EnqueueCallback(void* context, void (*fn)(void*), void* arg) noexcept {
  try {
    BindingOf(context)->services().Enqueue(fn, arg);
  } catch (...) {
    LogMessage(LogLevel::kError, "host enqueue_task failed with an exception");
  }
}

void ProfileCallback(void* context, const hetero_profile_record* record) noexcept {
  try {
    HostBinding* binding = BindingOf(context);
    binding->services().Deliver(binding->plugin_name(), record);
  } catch (...) {
    LogMessage(LogLevel::kError, "profile sink threw an exception; record dropped");
  }
}

// oneTBB starts hardware_concurrency - 1 worker threads by default, and an arena's
// enqueued tasks run on workers only: an arena of N threads that nobody joins with
// execute() would run on N - 1 threads at most (on a 2-core machine, one). Raise the
// process-wide limit so that N workers exist. The limit is process-wide and only
// raised, never lowered; it is kept for the life of the process (it must outlive every
// arena, or oneTBB warns when it drops).
void EnsureWorkers(int num_threads) {
  static std::mutex mutex;
  static tbb::global_control* control = nullptr;
  static int workers = 0;
  std::lock_guard<std::mutex> lock(mutex);
  const int wanted =
      std::max(num_threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (wanted <= workers) return;
  delete control;
  control = new tbb::global_control(tbb::global_control::max_allowed_parallelism,
                                    static_cast<size_t>(wanted) + 1);
  workers = wanted;
}

int ResolveThreads(int num_threads) {
  return num_threads > 0 ? num_threads
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::unique_ptr<tbb::task_arena> MakeArena(int num_threads) {
  EnsureWorkers(num_threads);
  // No slot is reserved for external threads: every slot can hold a worker.
  return std::make_unique<tbb::task_arena>(num_threads, 0);
}

}  // namespace

HostServices::HostServices(int num_threads)
    : num_threads_(ResolveThreads(num_threads)), arena_(MakeArena(num_threads_)) {}

HostServices::~HostServices() { WaitForTasks(); }

uint64_t HostServices::NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void HostServices::SetProfileSink(ProfileSink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  has_sink_.store(static_cast<bool>(sink), std::memory_order_release);
  sink_ = sink ? std::make_shared<const ProfileSink>(std::move(sink)) : nullptr;
}

void HostServices::WaitForTasks() {
  std::unique_lock<std::mutex> lock(tasks_mutex_);
  tasks_done_.wait(lock, [this] { return pending_tasks_ == 0; });
}

std::unique_ptr<HostBinding> HostServices::Bind(std::string plugin_name) {
  return std::make_unique<HostBinding>(this, std::move(plugin_name));
}

void HostServices::Log(const std::string& plugin, int32_t level, const char* message) {
  const LogLevel log_level = ToLogLevel(level);
  if (log_level < CurrentLogLevel()) return;
  LogMessage(log_level, "plugin '" + plugin + "': " + (message ? message : "(null message)"));
}

void HostServices::ParallelFor(uint64_t count, uint64_t grain,
                               void (*fn)(void*, uint64_t, uint64_t), void* arg) {
  if (count == 0 || fn == nullptr) return;
  if (grain == 0) grain = 1;
  if (count <= grain || num_threads_ == 1) {
    fn(arg, 0, count);
    return;
  }
  arena_->execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<uint64_t>(0, count, grain),
        [&](const tbb::blocked_range<uint64_t>& range) { fn(arg, range.begin(), range.end()); });
  });
}

void HostServices::Enqueue(void (*fn)(void*), void* arg) {
  if (fn == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    ++pending_tasks_;
  }
  arena_->enqueue([this, fn, arg] {
    try {
      fn(arg);
    } catch (...) {
      LogMessage(LogLevel::kError, "a plugin task threw an exception");
    }
    std::lock_guard<std::mutex> lock(tasks_mutex_);
    if (--pending_tasks_ == 0) tasks_done_.notify_all();
  });
}

void HostServices::Deliver(const std::string& plugin, const hetero_profile_record* record) {
  if (record == nullptr || !profiling_enabled()) return;
  if (!HETERO_HAS_FIELD(record, hetero_profile_record, counters)) {
    Log(plugin, HETERO_LOG_WARNING, "profile record with a struct_size too small; dropped");
    return;
  }
  std::shared_ptr<const ProfileSink> sink;
  {
    std::lock_guard<std::mutex> lock(sink_mutex_);
    sink = sink_;
  }
  if (!sink) return;
  ProfileRecord copy;
  copy.plugin = plugin;
  copy.correlation_id = record->correlation_id;
  copy.name = record->name ? record->name : "";
  copy.op = record->op ? record->op : "";
  copy.device_index = record->device_index;
  copy.stream_id = record->stream_id;
  copy.start_ns = record->start_ns;
  copy.end_ns = record->end_ns;
  if (record->counters != nullptr) {
    for (uint32_t i = 0; i < record->num_counters; ++i) {
      const hetero_profile_counter& counter = record->counters[i];
      copy.counters.emplace_back(counter.name ? counter.name : "", counter.value);
    }
  }
  if (HETERO_HAS_FIELD(record, hetero_profile_record, simulated)) {
    copy.simulated = record->simulated != 0;
  }
  (*sink)(copy);
}

HostBinding::HostBinding(HostServices* services, std::string plugin_name)
    : services_(services), plugin_name_(std::move(plugin_name)) {
  api_ = hetero_host_api{};
  api_.struct_size = sizeof(hetero_host_api);
  api_.host_context = this;
  api_.log = &LogCallback;
  api_.now_ns = &NowCallback;
  api_.parallel_for = &ParallelForCallback;
  api_.enqueue_task = &EnqueueCallback;
  api_.profile_record = &ProfileCallback;
}

}  // namespace hetero::plugins
