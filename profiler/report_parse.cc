// Reads a bench JSON document back into a BenchReport (for `bench compare`).
#include "profiler/report.h"

namespace hetero::profiler {

namespace {

std::vector<double> Numbers(const JsonValue* array) {
  std::vector<double> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const JsonValue& v : array->items()) {
    if (v.is_number()) out.push_back(v.as_number());
  }
  return out;
}

bool BoolOr(const JsonValue& object, const std::string& key, bool fallback) {
  const JsonValue* v = object.Find(key);
  return v != nullptr && v->type() == JsonValue::Type::kBool ? v->as_bool() : fallback;
}

// results[].ops; samples_ms and bytes_source are absent before schema 1.1.
std::vector<OpRow> OpsFromJson(const JsonValue* ops) {
  std::vector<OpRow> out;
  if (ops == nullptr || !ops->is_array()) return out;
  for (const JsonValue& o : ops->items()) {
    OpRow row;
    row.node = o.StringOr("node", "");
    row.op = o.StringOr("op", "");
    row.device = o.StringOr("device", "");
    row.status = o.StringOr("status", "run");
    row.time_ms = o.NumberOr("time_ms", 0);
    row.flops = o.NumberOr("flops", 0);
    row.bytes = o.NumberOr("bytes", 0);
    row.bytes_source = o.StringOr("bytes_source", "");
    row.compute_dtype = o.StringOr("compute_dtype", "");
    row.simulated = BoolOr(o, "simulated", false);
    row.samples_ms = Numbers(o.Find("samples_ms"));
    out.push_back(std::move(row));
  }
  return out;
}

// results[].device_memory (schema 1.1); empty when absent.
std::vector<DeviceMemory> DeviceMemoryFromJson(const JsonValue* memory) {
  std::vector<DeviceMemory> out;
  if (memory == nullptr || !memory->is_array()) return out;
  for (const JsonValue& m : memory->items()) {
    DeviceMemory d;
    d.device = m.StringOr("device", "");
    d.available = BoolOr(m, "available", false);
    d.reason = m.StringOr("reason", "");
    d.peak_bytes = m.NumberOr("peak_bytes", 0);
    d.bytes_in_use = m.NumberOr("bytes_in_use", 0);
    if (const JsonValue* covers = m.Find("covers"); covers != nullptr && covers->is_array()) {
      for (const JsonValue& c : covers->items()) {
        if (c.is_string()) d.covers.push_back(c.as_string());
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

StatusOr<BenchResult> ResultFromJson(const JsonValue& r, size_t index) {
  const std::string where = "results[" + std::to_string(index) + "]";
  if (!r.is_object()) return InvalidArgument(where + " is not an object");
  const JsonValue* samples = r.Find("samples");
  if (samples == nullptr || !samples->is_object()) {
    return InvalidArgument(where + " has no \"samples\" object");
  }
  BenchResult out;
  out.label = r.StringOr("label", "");
  if (out.label.empty()) return InvalidArgument(where + " has no \"label\"");
  out.devices = r.StringOr("devices", out.label);
  out.scenario = r.StringOr("scenario", "single");
  out.threads = static_cast<int>(r.NumberOr("threads", 0));
  out.shape = r.StringOr("shape", "");
  out.simulated = BoolOr(r, "simulated", false);
  out.all_simulated = BoolOr(r, "all_simulated", false);
  out.wall_ms = Numbers(samples->Find("wall_ms"));
  out.device_ms = Numbers(samples->Find("device_ms"));
  out.simulated_ms = Numbers(samples->Find("simulated_ms"));
  out.device_total_ms = Numbers(samples->Find("device_total_ms"));
  out.transfer_ms = Numbers(samples->Find("transfer_ms"));
  out.scheduler_ms = Numbers(samples->Find("scheduler_ms"));
  out.throughput = r.NumberOr("throughput_per_s", 0);
  out.peak_rss_mb = r.NumberOr("peak_rss_mb", 0);
  out.ops = OpsFromJson(r.Find("ops"));
  out.device_memory = DeviceMemoryFromJson(r.Find("device_memory"));  // since 1.1
  return out;
}

}  // namespace

StatusOr<BenchReport> BenchReportFromJson(const JsonValue& doc) {
  if (!doc.is_object()) return InvalidArgument("a bench report is a JSON object");
  const std::string version = doc.StringOr("schema_version", "");
  if (version.empty()) return InvalidArgument("no \"schema_version\": not a hetero bench report");
  if (version.substr(0, version.find('.')) !=
      std::string(kBenchSchemaVersion).substr(0, std::string(kBenchSchemaVersion).find('.'))) {
    return InvalidArgument("schema_version " + version + " is not readable by this hetero (" +
                           kBenchSchemaVersion + ")");
  }
  BenchReport report;
  report.model = doc.StringOr("model", "");
  report.baseline = doc.StringOr("baseline", "");
  const JsonValue* results = doc.Find("results");
  if (results == nullptr || !results->is_array()) return InvalidArgument("no \"results\" array");
  for (size_t i = 0; i < results->items().size(); ++i) {
    HETERO_ASSIGN_OR_RETURN(BenchResult r, ResultFromJson(results->items()[i], i));
    report.results.push_back(std::move(r));
  }
  return report;
}

}  // namespace hetero::profiler
