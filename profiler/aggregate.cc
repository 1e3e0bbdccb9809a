// Per-inference time splits and the per-op table from profiler events.
#include "profiler/aggregate.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <tuple>

#include "profiler/roofline.h"

namespace hetero::profiler {

namespace {

double Counter(const Event& e, const char* name) {
  for (const auto& [key, value] : e.counters) {
    if (key == name) return value;
  }
  return -1;
}

double Ms(uint64_t start, uint64_t end) {
  return end > start ? static_cast<double>(end - start) / 1e6 : 0.0;
}

// The format a record says its arithmetic ran in: the suffix of a "compute_<dtype>"
// counter; "" when none.
std::string ComputeDType(const Event& e) {
  constexpr std::string_view kPrefix = "compute_";
  for (const auto& [key, value] : e.counters) {
    if (value > 0 && key.size() > kPrefix.size() && key.compare(0, kPrefix.size(), kPrefix) == 0) {
      return key.substr(kPrefix.size());
    }
  }
  return "";
}

// The roof of an op computed in `dtype` ("" or a format the device lists no peak for:
// its f32 peak, else its largest).
Roof RoofOf(const std::map<std::string, double>& flops, double bandwidth,
            const std::string& dtype = "") {
  Roof roof;
  roof.bandwidth = bandwidth;
  if (auto it = flops.find(dtype); !dtype.empty() && it != flops.end() && it->second > 0) {
    roof.peak_flops = it->second;
    return roof;
  }
  auto f32 = flops.find("f32");
  if (f32 != flops.end()) {
    roof.peak_flops = f32->second;
  } else {
    for (const auto& [dtype, v] : flops) roof.peak_flops = std::max(roof.peak_flops, v);
  }
  return roof;
}

using Span = std::pair<uint64_t, uint64_t>;

// Sorted, disjoint union of intervals.
std::vector<Span> Union(std::vector<Span> v) {
  std::sort(v.begin(), v.end());
  std::vector<Span> out;
  for (const Span& i : v) {
    if (!out.empty() && i.first <= out.back().second) {
      out.back().second = std::max(out.back().second, i.second);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

uint64_t Length(const std::vector<Span>& disjoint) {
  uint64_t n = 0;
  for (const Span& i : disjoint) n += i.second - i.first;
  return n;
}

// Length of the intersection of two disjoint sorted unions.
uint64_t Overlap(const std::vector<Span>& a, const std::vector<Span>& b) {
  uint64_t n = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    const uint64_t lo = std::max(a[i].first, b[j].first);
    const uint64_t hi = std::min(a[i].second, b[j].second);
    if (hi > lo) n += hi - lo;
    (a[i].second < b[j].second) ? ++i : ++j;
  }
  return n;
}

}  // namespace

InferenceSplit SplitInference(const std::vector<Event>& events) {
  InferenceSplit split;
  // (simulated, track, correlation) -> [first start, last end]
  std::map<std::tuple<bool, std::string, uint64_t>, std::pair<uint64_t, uint64_t>> launches;
  std::vector<Span> scheduler, busy;  // host-clock intervals
  for (const Event& e : events) {
    switch (e.kind) {
      case EventKind::kTransfer:
        split.transfer_ms += Ms(e.start_ns, e.end_ns);
        if (!e.simulated) busy.emplace_back(e.start_ns, std::max(e.start_ns, e.end_ns));
        break;
      case EventKind::kScheduler:
        scheduler.emplace_back(e.start_ns, std::max(e.start_ns, e.end_ns));
        break;
      case EventKind::kDeviceOp: {
        if (!e.simulated) busy.emplace_back(e.start_ns, std::max(e.start_ns, e.end_ns));
        auto [it, fresh] = launches.try_emplace({e.simulated, e.track, e.correlation_id},
                                                std::make_pair(e.start_ns, e.end_ns));
        if (!fresh) {
          it->second.first = std::min(it->second.first, e.start_ns);
          it->second.second = std::max(it->second.second, e.end_ns);
        }
        break;
      }
      case EventKind::kHost: break;
    }
  }
  // Scheduler slices nest (a segment's span holds its launch) and cover device work:
  // count the time they cover while no measured device op or transfer runs.
  const std::vector<Span> sched = Union(std::move(scheduler));
  const uint64_t sched_ns = Length(sched) - Overlap(sched, Union(std::move(busy)));
  split.scheduler_ms = static_cast<double>(sched_ns) / 1e6;
  for (const auto& [key, span] : launches) {
    if (std::get<0>(key)) {
      split.simulated_ms += Ms(span.first, span.second);
      split.has_simulated = true;
    } else {
      split.device_ms += Ms(span.first, span.second);
      split.has_device = true;
    }
  }
  return split;
}

std::vector<std::vector<Event>> GroupByRequest(std::vector<Event> events) {
  std::map<uint64_t, uint64_t> request_of;  // correlation id -> request id
  for (const Event& e : events) {
    if (e.request_id != 0 && e.correlation_id != 0) request_of[e.correlation_id] = e.request_id;
  }
  std::map<uint64_t, std::vector<Event>> groups;
  for (Event& e : events) {
    uint64_t request = e.request_id;
    if (request == 0 && e.correlation_id != 0) {
      auto it = request_of.find(e.correlation_id);
      if (it != request_of.end()) request = it->second;
    }
    if (request != 0) groups[request].push_back(std::move(e));
  }
  std::vector<std::vector<Event>> out;
  out.reserve(groups.size());
  for (auto& [request, group] : groups) out.push_back(std::move(group));
  return out;
}

void CollectNodeCosts(const std::vector<Event>& events, NodeCosts* costs) {
  for (const Event& e : events) {
    // A simulated chip's bytes are in its own storage formats: not lent to other devices.
    if (e.kind != EventKind::kDeviceOp || e.simulated || costs->count(e.name)) continue;
    const double flops = Counter(e, "flops");
    const double bytes = Counter(e, "bytes");
    if (flops >= 0 && bytes >= 0) (*costs)[e.name] = {flops, bytes};
  }
}

void OpAccumulator::AddInference(const std::vector<Event>& events) {
  std::map<std::pair<std::string, std::string>, std::pair<double, double>> this_run;
  for (const Event& e : events) {
    if (e.kind != EventKind::kDeviceOp) continue;
    const auto key = std::make_pair(e.name, e.track);
    auto [it, fresh] = nodes_.try_emplace(key);
    NodeSamples& node = it->second;
    if (fresh) {
      order_.push_back(key);
      node.op = e.op.empty() ? "(none)" : e.op;  // a device record of no op (a DMA)
      node.simulated = e.simulated;
      node.flops = std::max(0.0, Counter(e, "flops"));
      node.bytes = std::max(0.0, Counter(e, "bytes"));
      node.compute_dtype = ComputeDType(e);
    }
    auto& [ms, calls] = this_run[key];
    ms += Ms(e.start_ns, e.end_ns);
    calls += 1;
  }
  for (const auto& [key, value] : this_run) {
    nodes_[key].ms.push_back(value.first);
    nodes_[key].calls = value.second;
  }
  ++inferences_;
}

std::vector<OpRow> OpAccumulator::Rows(
    const std::vector<DeviceInfo>& devices, const NodeCosts& costs,
    const std::vector<std::array<std::string, 3>>& placed) const {
  std::vector<OpRow> rows;
  double total_ms = 0;
  for (const auto& key : order_) {
    const NodeSamples& node = nodes_.at(key);
    OpRow row;
    row.node = key.first;
    row.device = key.second;
    row.op = node.op;
    row.calls = node.calls;
    row.simulated = node.simulated;
    row.time_ms = Percentile(node.ms, 50);
    row.samples_ms = node.ms;
    row.flops = node.flops;
    row.bytes = node.bytes;
    row.compute_dtype = node.compute_dtype;
    if (row.flops > 0 || row.bytes > 0) row.bytes_source = "device";
    // The device's own bytes win: only a device whose records carry no counters borrows
    // another device's (which count that device's formats).
    auto cost = costs.find(row.node);
    if (row.flops == 0 && row.bytes == 0 && cost != costs.end() &&
        (cost->second.first > 0 || cost->second.second > 0)) {
      row.flops = cost->second.first;
      row.bytes = cost->second.second;
      row.bytes_source = "other device";
    }
    const double seconds = row.time_ms / 1e3;
    if (seconds > 0) {
      row.gflops_per_s = row.flops / seconds / 1e9;
      row.gbytes_per_s = row.bytes / seconds / 1e9;
    }
    for (const DeviceInfo& d : devices) {
      if (d.name != row.device) continue;
      const Roof roof = RoofOf(d.peak_flops, d.memory_bandwidth, row.compute_dtype);
      row.bound = BoundOf(roof, row.flops, row.bytes);
      row.attainment = Attainment(roof, row.flops, row.bytes, seconds);
      const Roof measured = RoofOf(d.measured_flops, d.measured_bandwidth, row.compute_dtype);
      row.attainment_measured = Attainment(measured, row.flops, row.bytes, seconds);
    }
    total_ms += row.time_ms;
    rows.push_back(std::move(row));
  }
  for (OpRow& row : rows) row.percent = total_ms > 0 ? row.time_ms / total_ms * 100 : 0;
  std::set<std::string> devices_with_records;
  for (const auto& key : order_) devices_with_records.insert(key.second);
  for (const auto& [node, op, device] : placed) {
    if (nodes_.count({node, device})) continue;
    OpRow row;
    row.node = node;
    row.op = op;
    row.device = device;
    // A device that recorded its other ops but not this one ran it inside another.
    row.status = devices_with_records.count(device) ? "fused" : "not run";
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace hetero::profiler
