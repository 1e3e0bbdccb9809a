// Read-only memory mappings of an ONNX model file and of its external-data files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hetero/status.h"

namespace hetero::onnx_import {

// A whole file mapped read-only. Tensors borrowed from it hold a shared_ptr to it, so
// the mapping lives as long as the last of them. Immutable, so thread-safe.
class MappedFile {
 public:
  // Fails (NotFound, InvalidArgument) for a missing file, a directory or an empty file.
  static StatusOr<std::shared_ptr<const MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Drops the pages covering [p, p + n) from this process's resident set after they were
  // copied; the file stays mapped and a later read faults them back in. Safe because
  // the mapping is never written.
  void ReleasePages(const uint8_t* p, size_t n) const;

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// A span of bytes, with the owner that keeps them valid and, when they lie in a mapped
// file, that file.
struct ByteRange {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::shared_ptr<const void> keepalive;
  const MappedFile* file = nullptr;
};

// Finds the external-data files of one model. Every location must name a regular file
// inside the model's folder (no absolute paths, no `..` escapes, no symlinks leading
// out), and every requested range must lie inside that file. Files are mapped once
// and shared. Not thread-safe.
class ExternalDataFiles {
 public:
  explicit ExternalDataFiles(std::filesystem::path model_dir) : model_dir_(std::move(model_dir)) {}

  // The bytes [offset, offset + length) of `location`; no length: to the end of the
  // file. `what` names the tensor in errors ("initializer 'w'").
  StatusOr<ByteRange> Read(const std::string& location, uint64_t offset,
                           std::optional<uint64_t> length, std::string_view what);

 private:
  StatusOr<std::filesystem::path> Resolve(const std::string& location, std::string_view what);

  std::filesystem::path model_dir_;
  std::map<std::string, std::shared_ptr<const MappedFile>> files_;
};

}  // namespace hetero::onnx_import
