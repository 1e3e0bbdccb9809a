// Compiled model files: a flat, checksummed, length-prefixed layout; every length is
// checked against the bytes left before anything is allocated.
#include "runtime/session/compiled_model.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace hetero {
namespace {

constexpr char kMagic[8] = {'H', 'E', 'T', 'E', 'R', 'O', 'C', 'M'};
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 40;

uint64_t Fnv1a(const uint8_t* data, size_t size) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

class Writer {
 public:
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void Bytes(const void* data, uint64_t size) {
    U64(size);
    Raw(data, size);
  }
  void Str(const std::string& s) { Bytes(s.data(), s.size()); }
  void Raw(const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), p, p + size);
  }
  std::vector<uint8_t>& out() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  Reader(const std::vector<uint8_t>& data, size_t end, const std::string& path)
      : data_(data), end_(end), path_(path) {}
  Status U32(uint32_t& v) { return Raw(&v, 4, "a count"); }
  Status U64(uint64_t& v) { return Raw(&v, 8, "a length"); }
  Status Str(std::string& s, const char* what) {
    uint64_t size = 0;
    HETERO_RETURN_IF_ERROR(U64(size));
    if (size > end_ - pos_) return Truncated(what);
    s.assign(reinterpret_cast<const char*>(data_.data() + pos_), size);
    pos_ += size;
    return OkStatus();
  }
  Status Bytes(std::vector<uint8_t>& b, const char* what) {
    uint64_t size = 0;
    HETERO_RETURN_IF_ERROR(U64(size));
    if (size > end_ - pos_) return Truncated(what);
    b.assign(data_.begin() + pos_, data_.begin() + pos_ + size);
    pos_ += size;
    return OkStatus();
  }
  size_t pos() const { return pos_; }

 private:
  Status Raw(void* v, size_t size, const char* what) {
    if (size > end_ - pos_) return Truncated(what);
    std::memcpy(v, data_.data() + pos_, size);
    pos_ += size;
    return OkStatus();
  }
  Status Truncated(const char* what) const {
    return Status(StatusCode::kDataLoss, path_ + ": compiled model is truncated or corrupt (" +
                                             what + " at byte " + std::to_string(pos_) + ")");
  }
  const std::vector<uint8_t>& data_;
  size_t end_;
  const std::string& path_;
  size_t pos_ = 0;
};

StatusOr<std::vector<uint8_t>> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return NotFound("cannot open '" + path + "'");
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<uint64_t>(size) > kMaxFileBytes) {
    return InvalidArgument(path + ": cannot read its size, or it is over 1 TiB");
  }
  std::vector<uint8_t> data(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(data.data()), size)) {
    return Status(StatusCode::kDataLoss, "cannot read '" + path + "'");
  }
  return data;
}

}  // namespace

bool IsCompiledModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof(kMagic)] = {};
  return in.read(magic, sizeof(magic)) && std::memcmp(magic, kMagic, sizeof(kMagic)) == 0;
}

Status WriteCompiledModel(const std::string& path, const CompiledModelFile& model) {
  Writer w;
  w.Raw(kMagic, sizeof(kMagic));
  w.U32(kCompiledModelVersion);
  w.U32(static_cast<uint32_t>(model.segments.size()));
  w.Str(model.source);
  w.Str(model.graph_ir);
  for (const CompiledSegment& segment : model.segments) {
    w.Str(segment.device);
    w.Str(segment.fingerprint);
    w.Str(segment.graph_ir);
    w.Bytes(segment.executable.data(), segment.executable.size());
  }
  w.U64(Fnv1a(w.out().data(), w.out().size()));
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return NotFound("cannot write '" + path + "'");
    out.write(reinterpret_cast<const char*>(w.out().data()),
              static_cast<std::streamsize>(w.out().size()));
    if (!out) return Status(StatusCode::kDataLoss, "cannot write '" + path + "'");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return Status(StatusCode::kDataLoss, "cannot write '" + path + "'");
  }
  return OkStatus();
}

StatusOr<CompiledModelFile> ReadCompiledModel(const std::string& path) {
  HETERO_ASSIGN_OR_RETURN(std::vector<uint8_t> data, ReadAll(path));
  if (data.size() < sizeof(kMagic) + 16 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgument(path + ": not a hetero compiled model");
  }
  const size_t body = data.size() - 8;
  uint64_t stored = 0;
  std::memcpy(&stored, data.data() + body, 8);
  uint32_t version = 0;
  std::memcpy(&version, data.data() + sizeof(kMagic), 4);
  if (version != kCompiledModelVersion) {
    return Status(StatusCode::kFailedPrecondition,
                  path + ": compiled model format version " + std::to_string(version) +
                      ", this hetero reads version " + std::to_string(kCompiledModelVersion) +
                      "; compile the model again");
  }
  if (Fnv1a(data.data(), body) != stored) {
    return Status(StatusCode::kDataLoss, path + ": compiled model is corrupt (checksum mismatch)");
  }
  Reader r(data, body, path);
  uint64_t skip = 0;
  HETERO_RETURN_IF_ERROR(r.U64(skip));  // magic
  uint32_t count = 0;
  HETERO_RETURN_IF_ERROR(r.U32(version));
  HETERO_RETURN_IF_ERROR(r.U32(count));
  CompiledModelFile model;
  HETERO_RETURN_IF_ERROR(r.Str(model.source, "the source"));
  HETERO_RETURN_IF_ERROR(r.Str(model.graph_ir, "the graph"));
  for (uint32_t s = 0; s < count; ++s) {
    CompiledSegment segment;
    HETERO_RETURN_IF_ERROR(r.Str(segment.device, "a device name"));
    HETERO_RETURN_IF_ERROR(r.Str(segment.fingerprint, "a device fingerprint"));
    HETERO_RETURN_IF_ERROR(r.Str(segment.graph_ir, "a segment graph"));
    HETERO_RETURN_IF_ERROR(r.Bytes(segment.executable, "an executable"));
    model.segments.push_back(std::move(segment));
  }
  if (r.pos() != body) {
    return Status(StatusCode::kDataLoss, path + ": compiled model has trailing bytes");
  }
  return model;
}

}  // namespace hetero
