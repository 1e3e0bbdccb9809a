// A compiled model file (`hetero compile MODEL --device LIST -o model.hnpu`): the
// optimized graph, where each segment runs, and each segment's executable as its
// plugin serialized it — so `hetero run` and `hetero bench` start without compiling.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hetero/status.h"

namespace hetero {

// Format version 1. Layout: "HETEROCM", u32 version, u32 segment count, then
// length-prefixed (u64) fields — source spec, graph IR, and per segment: device name,
// device fingerprint, segment graph IR, executable bytes — and an FNV-1a 64 checksum of
// everything before it. Integers little-endian.
inline constexpr uint32_t kCompiledModelVersion = 1;

struct CompiledSegment {
  std::string device;       // as given at compile time: "npu-sim:rngd", "cpu"
  std::string fingerprint;  // the device's name, vendor and driver version
  std::string graph_ir;     // the segment's graph, large constants elided
  std::vector<uint8_t> executable;
};

struct CompiledModelFile {
  std::string source;    // the model it was compiled from
  std::string graph_ir;  // the whole optimized graph, large constants elided
  std::vector<CompiledSegment> segments;
};

// Whether the file starts with the compiled-model magic (false when unreadable).
bool IsCompiledModelFile(const std::string& path);

Status WriteCompiledModel(const std::string& path, const CompiledModelFile& model);
// Errors name the file: not a compiled model, another format version, truncated or
// corrupted (checksum), a field longer than the file.
StatusOr<CompiledModelFile> ReadCompiledModel(const std::string& path);

}  // namespace hetero
