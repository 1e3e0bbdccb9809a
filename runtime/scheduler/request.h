// One request's state while the scheduler runs it: where each value is (host, device
// buffers), how many inputs each segment still waits for, the first error.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hetero/session.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "runtime/plugins/device.h"

namespace hetero::scheduler {

// A value's copy in one device's memory.
struct DeviceCopy {
  std::shared_ptr<plugins::Device> device;
  std::shared_ptr<plugins::Buffer> buffer;
};

// Where one value of a request is. Guarded by Request::mutex.
struct ValueSlot {
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;
  std::optional<Tensor> host;      // a host copy, when there is one
  std::vector<DeviceCopy> copies;  // each device holds at most one

  const DeviceCopy* On(const plugins::Device* device) const {
    for (const DeviceCopy& c : copies) {
      if (c.device.get() == device) return &c;
    }
    return nullptr;
  }
};

struct Request {
  uint64_t id = 0;
  RunOptions options;
  std::function<void(StatusOr<RunResult>)> done;

  std::mutex mutex;
  std::map<std::string, ValueSlot> values;  // graph inputs and segment outputs
  Status error;                             // the first failure

  // Per segment: dependencies still to arrive (its gate forwards at zero).
  std::unique_ptr<std::atomic<int>[]> pending;
  std::atomic<int> sinks_pending{0};

  bool cancelled() const { return options.cancel && options.cancel->cancelled(); }
  bool failed() {
    std::lock_guard<std::mutex> lock(mutex);
    return !error.ok();
  }
  void Fail(Status status) {
    std::lock_guard<std::mutex> lock(mutex);
    if (error.ok()) error = std::move(status);
  }
};

using RequestPtr = std::shared_ptr<Request>;

}  // namespace hetero::scheduler

// The shared state behind hetero::DeviceTensor.
struct hetero::DeviceTensor::Impl {
  std::shared_ptr<plugins::Device> device;
  std::shared_ptr<plugins::Buffer> buffer;
  DType dtype = DType::kF32;
  std::vector<int64_t> dims;
};
