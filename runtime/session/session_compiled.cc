// Compiled model files for Session: SaveCompiled writes the optimized graph and each
// segment's serialized executable; LoadCompiledModel restores them without compiling.
#include <algorithm>

#include "compiler/ir/parser.h"
#include "compiler/ir/printer.h"
#include "runtime/session/session_impl.h"

namespace hetero {
namespace {

// Constants up to this size are written out: host shape inference reads their values.
constexpr int64_t kInlineElements = 1024;

std::string Fingerprint(const plugins::Device& device) {
  const plugins::DeviceProperties& p = device.properties();
  return p.name + " | " + p.vendor + " | " + p.driver_version;
}

StatusOr<std::unique_ptr<ir::Graph>> ParseStored(const std::string& path, const std::string& text,
                                                 const std::string& what) {
  auto graph = ir::ParseGraph(text, {.elided_without_storage = true});
  if (!graph.ok()) {
    return Status(StatusCode::kDataLoss,
                  path + ": " + what + " does not parse: " + graph.status().message());
  }
  return graph;
}

}  // namespace

std::vector<std::string> CompiledModelDevices(const CompiledModelFile& file) {
  std::vector<std::string> names;
  for (const CompiledSegment& segment : file.segments) {
    if (std::find(names.begin(), names.end(), segment.device) == names.end()) {
      names.push_back(segment.device);
    }
  }
  return names;
}

Status LoadCompiledModel(Session::Impl& impl, const std::string& path, CompiledModelFile file) {
  impl.model.spec = path;
  HETERO_ASSIGN_OR_RETURN(impl.model.graph, ParseStored(path, file.graph_ir, "the graph"));
  std::vector<PartitionedExecutor::LoadedSegment> segments;
  for (size_t s = 0; s < file.segments.size(); ++s) {
    CompiledSegment& stored = file.segments[s];
    auto device = std::find_if(impl.devices.begin(), impl.devices.end(),
                               [&](const auto& d) { return d->name() == stored.device; });
    if (device == impl.devices.end()) return Internal("device " + stored.device + " not opened");
    if (Fingerprint(**device) != stored.fingerprint) {
      return Status(StatusCode::kFailedPrecondition,
                    path + ": segment " + std::to_string(s) + " was compiled for '" +
                        stored.fingerprint + "', but " + stored.device + " is '" +
                        Fingerprint(**device) + "'; compile the model again");
    }
    PartitionedExecutor::LoadedSegment segment;
    HETERO_ASSIGN_OR_RETURN(segment.graph,
                            ParseStored(path, stored.graph_ir, "segment " + std::to_string(s)));
    segment.device = *device;
    segment.executable = std::move(stored.executable);
    segments.push_back(std::move(segment));
  }
  impl.timings.imported_nodes = impl.model.graph->num_nodes();
  auto executor = PartitionedExecutor::FromCompiled(*impl.model.graph, std::move(segments));
  if (!executor.ok()) return executor.status().WithContext(path);
  impl.executor = std::move(*executor);
  return OkStatus();
}

Status Session::SaveCompiled(const std::string& path) const {
  const PartitionedExecutor& executor = *impl_->executor;
  CompiledModelFile file;
  file.source = impl_->model.spec;
  file.graph_ir = ir::PrintGraph(*impl_->model.graph, {.max_inline_elements = kInlineElements});
  for (size_t s = 0; s < executor.num_segments(); ++s) {
    const DeviceExecutor& segment = executor.SegmentExecutor(s);
    CompiledSegment stored;
    stored.device = executor.SegmentDevice(s);
    stored.fingerprint = Fingerprint(segment.device());
    stored.graph_ir =
        ir::PrintGraph(executor.SegmentGraph(s), {.max_inline_elements = kInlineElements});
    auto bytes = segment.executable().Serialize();
    if (!bytes.ok()) {
      return Status(bytes.status().code(), "cannot save a compiled model: segment " +
                                               std::to_string(s) + " on " + stored.device + ": " +
                                               bytes.status().message());
    }
    stored.executable = std::move(*bytes);
    file.segments.push_back(std::move(stored));
  }
  return WriteCompiledModel(path, file);
}

}  // namespace hetero
