// Read-only file mappings, and external data kept inside the model's folder.
#include "compiler/onnx/model_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace hetero::onnx_import {

namespace fs = std::filesystem;

StatusOr<std::shared_ptr<const MappedFile>> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string msg = "cannot open '" + path + "': " + std::strerror(err);
    return err == ENOENT ? NotFound(msg) : InvalidArgument(msg);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument("'" + path + "' is not a regular file");
  }
  if (st.st_size == 0) {
    ::close(fd);
    return InvalidArgument("'" + path + "' is empty");
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) {
    return ResourceExhausted("cannot map '" + path + "' (" + std::to_string(size) +
                             " bytes): " + std::strerror(err));
  }
  return std::shared_ptr<const MappedFile>(
      new MappedFile(path, static_cast<const uint8_t*>(p), size));
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
}

void MappedFile::ReleasePages(const uint8_t* p, size_t n) const {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto base = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t begin = std::max(base, reinterpret_cast<uintptr_t>(p) / page * page);
  const uintptr_t end = std::min(base + size_, reinterpret_cast<uintptr_t>(p) + n);
  if (end <= begin) return;
  // Advice only: a failure leaves the pages resident, which is harmless.
  (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

StatusOr<fs::path> ExternalDataFiles::Resolve(const std::string& location, std::string_view what) {
  const std::string where = std::string(what) + ": external data '" + location + "'";
  if (location.empty())
    return InvalidArgument(std::string(what) + ": external data has no location");
  if (location.find('\0') != std::string::npos) return InvalidArgument(where + " has a NUL byte");
  const fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return InvalidArgument(where + " is an absolute path; it must be inside the model's folder");
  }
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(model_dir_, ec);
  if (ec) return InvalidArgument(where + ": cannot resolve the model's folder: " + ec.message());
  // weakly_canonical follows symlinks, so a link pointing out of the folder is caught too.
  const fs::path full = fs::weakly_canonical(dir / rel, ec);
  if (ec) return InvalidArgument(where + ": cannot resolve: " + ec.message());
  const fs::path inside = full.lexically_relative(dir);
  if (inside.empty() || *inside.begin() == ".." || inside == ".") {
    return InvalidArgument(where + " resolves to '" + full.string() +
                           "', outside the model's folder '" + dir.string() + "'");
  }
  return full;
}

StatusOr<ByteRange> ExternalDataFiles::Read(const std::string& location, uint64_t offset,
                                            std::optional<uint64_t> length, std::string_view what) {
  HETERO_ASSIGN_OR_RETURN(fs::path full, Resolve(location, what));
  const std::string key = full.string();
  auto it = files_.find(key);
  if (it == files_.end()) {
    auto mapped = MappedFile::Open(key);
    if (!mapped.ok()) return mapped.status().WithContext(std::string(what) + ": external data");
    it = files_.emplace(key, std::move(*mapped)).first;
  }
  const MappedFile& file = *it->second;
  const uint64_t size = file.size();
  const std::string where = std::string(what) + ": external data '" + location + "'";
  if (offset > size) {
    return OutOfRange(where + ": offset " + std::to_string(offset) + " is past the end of the " +
                      std::to_string(size) + "-byte file");
  }
  const uint64_t len = length.value_or(size - offset);
  if (len > size - offset) {
    return OutOfRange(where + ": offset " + std::to_string(offset) + " + length " +
                      std::to_string(len) + " is past the end of the " + std::to_string(size) +
                      "-byte file");
  }
  return ByteRange{file.data() + offset, static_cast<size_t>(len), it->second, &file};
}

}  // namespace hetero::onnx_import
