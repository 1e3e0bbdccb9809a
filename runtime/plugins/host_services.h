// HostServices: hetero's side of hetero_host_api (log, clock, oneTBB arena, profiling).
#pragma once

#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "devices/abi/hetero_plugin.h"

namespace hetero::plugins {

// A profile record copied out of a plugin's hetero_profile_record.
struct ProfileRecord {
  std::string plugin;  // the plugin that emitted it
  uint64_t correlation_id = 0;
  std::string name;
  std::string op;  // empty when the plugin gave none
  uint32_t device_index = 0;
  uint32_t stream_id = 0;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  std::vector<std::pair<std::string, double>> counters;
  bool simulated = false;
};

// Receives profile records. Called from any thread, possibly concurrently; must not
// throw (an exception is caught and logged) and must not call SetProfileSink.
using ProfileSink = std::function<void(const ProfileRecord&)>;

class HostBinding;

// The services hetero lends to plugins. One HostServices is shared by every plugin
// instance of a process (or of a test); each instance gets its own HostBinding so logs
// and profile records name the plugin. Thread-safe. No callback lets an exception out.
class HostServices {
 public:
  // `num_threads` sizes the oneTBB arena that parallel_for and enqueue_task run on;
  // 0 means the machine's hardware concurrency.
  explicit HostServices(int num_threads = 0);
  // Waits for every task enqueued by plugins, then releases the arena.
  ~HostServices();
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  int num_threads() const { return num_threads_; }
  // The arena plugin work runs on; the host's own CPU work may share it.
  tbb::task_arena& arena() { return *arena_; }

  // Installs the sink profile records go to; an empty function turns delivery off.
  void SetProfileSink(ProfileSink sink);
  bool profiling_enabled() const { return has_sink_.load(std::memory_order_acquire); }

  // Blocks until every task enqueued so far (and those they enqueue) has finished.
  void WaitForTasks();

  // A hetero_host_api for one plugin instance; `plugin_name` prefixes its log lines and
  // labels its profile records. The binding must outlive the plugin instance.
  std::unique_ptr<HostBinding> Bind(std::string plugin_name);

  // The steady clock in nanoseconds: the clock of every profile record.
  static uint64_t NowNs();

  // What the callbacks of hetero_host_api do, callable by the host too.
  // A log line "plugin 'x': message", filtered by the log level.
  void Log(const std::string& plugin, int32_t level, const char* message);
  // fn(arg, begin, end) over [0, count) on the arena; returns when all chunks are done.
  void ParallelFor(uint64_t count, uint64_t grain, void (*fn)(void*, uint64_t, uint64_t),
                   void* arg);
  // fn(arg) later on the arena; WaitForTasks and the destructor wait for it.
  void Enqueue(void (*fn)(void*), void* arg);
  // Copies a record and hands it to the sink (dropped when none is installed).
  void Deliver(const std::string& plugin, const hetero_profile_record* record);

 private:
  int num_threads_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::mutex sink_mutex_;
  std::shared_ptr<const ProfileSink> sink_;
  std::atomic<bool> has_sink_{false};
  std::mutex tasks_mutex_;
  std::condition_variable tasks_done_;
  uint64_t pending_tasks_ = 0;
};

// One plugin instance's view of the host: owns the hetero_host_api passed to
// plugin_create. Keep it alive until plugin_destroy has returned.
class HostBinding {
 public:
  HostBinding(HostServices* services, std::string plugin_name);
  HostBinding(const HostBinding&) = delete;
  HostBinding& operator=(const HostBinding&) = delete;

  const hetero_host_api* api() const { return &api_; }
  HostServices& services() const { return *services_; }
  const std::string& plugin_name() const { return plugin_name_; }

 private:
  HostServices* services_;
  std::string plugin_name_;
  hetero_host_api api_;
};

}  // namespace hetero::plugins
