// SegmentCalibration: one reference run of the whole graph over the model's calibration
// inputs, segment inputs captured and written as .npy files.
#include "runtime/session/calibration.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "runtime/io/npy.h"
#include "runtime/session/reference_executor.h"

namespace hetero {
namespace {

// The inputs by model name: "" resolved to the first input.
StatusOr<std::map<std::string, Tensor>> ResolveNames(const ir::Graph& graph,
                                                     const std::map<std::string, Tensor>& given) {
  std::map<std::string, Tensor> inputs = given;
  auto first = inputs.find("");
  if (first != inputs.end()) {
    if (graph.inputs().empty()) return InvalidArgument("calibrate: the model has no inputs");
    Tensor t = first->second;
    inputs.erase(first);
    inputs[graph.inputs()[0]->name()] = std::move(t);
  }
  Status s = CheckInputs(graph, inputs);
  if (!s.ok()) return s.WithContext("calibrate");
  return inputs;
}

StatusOr<std::string> MakeTempDir() {
  static std::atomic<int> counter{0};
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) return Internal("calibrate: no temporary directory: " + ec.message());
  const std::filesystem::path dir = base / ("hetero-calibration-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(counter.fetch_add(1)));
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("calibrate: cannot create " + dir.string() + ": " + ec.message());
  const std::string text = dir.string();
  if (text.find_first_of(",;") != std::string::npos) {
    std::filesystem::remove_all(dir, ec);
    return InvalidArgument("calibrate: the temporary directory " + text +
                           " has ',' or ';' in its path (set TMPDIR)");
  }
  return text;
}

}  // namespace

SegmentCalibration::~SegmentCalibration() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // best effort: a leftover temp dir is harmless
}

StatusOr<std::unique_ptr<SegmentCalibration>> SegmentCalibration::Write(
    const ir::Graph& graph, const std::map<std::string, Tensor>& given,
    const std::vector<const ir::Graph*>& segments, const std::vector<bool>& wanted) {
  HETERO_ASSIGN_OR_RETURN(auto inputs, ResolveNames(graph, given));
  std::vector<std::string> names;
  for (size_t s = 0; s < segments.size(); ++s) {
    if (!wanted[s]) continue;
    for (const ir::Value* v : segments[s]->inputs()) names.push_back(v->name());
  }
  auto values = RunReferenceValues(graph, inputs, names);
  if (!values.ok()) return values.status().WithContext("calibrate: the reference run");
  auto out = std::make_unique<SegmentCalibration>();
  out->files_.assign(segments.size(), "");
  HETERO_ASSIGN_OR_RETURN(out->dir_, MakeTempDir());
  for (size_t s = 0; s < segments.size(); ++s) {
    if (!wanted[s]) continue;
    std::string& list = out->files_[s];
    const auto& seg_inputs = segments[s]->inputs();
    for (size_t i = 0; i < seg_inputs.size(); ++i) {
      auto it = values->find(seg_inputs[i]->name());
      if (it == values->end()) {
        return Internal("calibrate: value '" + seg_inputs[i]->name() + "' was not computed");
      }
      const std::string path =
          out->dir_ + "/s" + std::to_string(s) + "_" + std::to_string(i) + ".npy";
      HETERO_RETURN_IF_ERROR(WriteNpy(path, it->second));
      list += (list.empty() ? "" : ",") + path;
    }
  }
  return out;
}

std::string WithCalibration(const std::string& options, const std::string& files) {
  if (files.empty()) return options;
  return "calibrate=" + files + (options.empty() ? "" : ";" + options);
}

}  // namespace hetero
