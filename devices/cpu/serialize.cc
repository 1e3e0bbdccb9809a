// Executables as bytes: a versioned, checksummed image of the Program; deserializing
// rebuilds a graph view from it and decodes that, so a blob gets every compile check.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/chains.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/kernels/cpu_isa.h"
#include "devices/cpu/kernels/kernel_table.h"
#include "devices/cpu/program.h"
#include "devices/cpu/run_arena.h"

namespace hetero::cpu {
namespace {

// Version 02 added a flags byte after the magic (bit 0: bf16 weights); 01 images load
// as f32, which is what they were compiled for.
constexpr char kMagic[8] = {'H', 'E', 'T', 'C', 'P', 'U', '0', '2'};
constexpr char kMagicV1[8] = {'H', 'E', 'T', 'C', 'P', 'U', '0', '1'};
constexpr uint8_t kFlagBf16Weights = 1;
constexpr uint64_t kMaxCount = uint64_t{1} << 32;

uint64_t Fnv1a(const char* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ static_cast<uint8_t>(data[i])) * 0x100000001b3ull;
  return h;
}

class Writer {
 public:
  template <typename T>
  void Put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  void Bytes(const void* p, uint64_t n) {
    Put(n);
    out_.append(static_cast<const char*>(p), n);
  }
  void Str(const std::string& s) { Bytes(s.data(), s.size()); }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const char* p, size_t n) : p_(p), n_(n) {}
  template <typename T>
  Status Get(T* v) {
    if (n_ - pos_ < sizeof(T))
      return DataLoss("executable blob is truncated at byte " + std::to_string(pos_));
    std::memcpy(v, p_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return OkStatus();
  }
  // A view of the next length-prefixed run of bytes (inside the blob).
  Status Bytes(const char** data, uint64_t* size) {
    HETERO_RETURN_IF_ERROR(Get(size));
    if (*size > n_ - pos_)
      return DataLoss("executable blob is truncated at byte " + std::to_string(pos_));
    *data = p_ + pos_;
    pos_ += *size;
    return OkStatus();
  }
  Status Str(std::string* s) {
    const char* d = nullptr;
    uint64_t n = 0;
    HETERO_RETURN_IF_ERROR(Bytes(&d, &n));
    s->assign(d, n);
    return OkStatus();
  }
  Status Count(uint64_t* n) {
    HETERO_RETURN_IF_ERROR(Get(n));
    if (*n > kMaxCount || *n > n_)
      return DataLoss("executable blob has a bad count " + std::to_string(*n));
    return OkStatus();
  }
  bool at_end() const { return pos_ == n_; }

 private:
  const char* p_;
  size_t n_;
  size_t pos_ = 0;
};

void WriteAttr(Writer& w, const std::string& name, const ops::AttrValue& value) {
  w.Str(name);
  w.Put<uint8_t>(static_cast<uint8_t>(ops::KindOf(value)));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
          w.Put(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          w.Str(v);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.Put<uint64_t>(v.size());
          for (const auto& s : v) w.Str(s);
        } else {
          w.Bytes(v.data(), v.size() * sizeof(v[0]));
        }
      },
      value);
}

std::string SerializeProgram(const Program& p) {
  Writer w;
  w.out().append(kMagic, sizeof(kMagic));
  w.Put<uint8_t>(p.bf16_weights ? kFlagBf16Weights : 0);
  w.Put<uint64_t>(p.values.size());
  for (const ProgramValue& v : p.values) {
    w.Str(v.name);
    w.Put<int32_t>(static_cast<int32_t>(v.dtype));
    w.Put<uint64_t>(v.dims.size());
    for (int64_t d : v.dims) w.Put(d);
    w.Put<uint8_t>(v.constant ? 1 : 0);
    if (v.constant) w.Bytes(v.constant->raw(), v.constant->byte_size());
  }
  w.Put<uint64_t>(p.nodes.size());
  for (const ProgramNode& n : p.nodes) {
    w.Str(n.schema->name);
    w.Str(n.name);
    w.Put<uint64_t>(n.attrs.items().size());
    for (const auto& [name, value] : n.attrs.items()) WriteAttr(w, name, value);
    w.Bytes(n.inputs.data(), n.inputs.size() * sizeof(int32_t));
    w.Bytes(n.outputs.data(), n.outputs.size() * sizeof(int32_t));
  }
  w.Bytes(p.inputs.data(), p.inputs.size() * sizeof(int32_t));
  w.Bytes(p.outputs.data(), p.outputs.size() * sizeof(int32_t));
  w.Put<uint64_t>(Fnv1a(w.out().data(), w.out().size()));
  return std::move(w.out());
}

}  // namespace
namespace {

struct BlobNode {
  std::string op;
  std::string name;
  ops::Attributes attrs;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

// What a blob holds, with the storage the rebuilt graph view points into.
struct BlobGraph {
  std::vector<std::string> names;
  std::vector<hetero_value_view> values;
  std::vector<BlobNode> nodes;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

Status ReadIndices(Reader& r, std::vector<int32_t>* out) {
  const char* data = nullptr;
  uint64_t size = 0;
  HETERO_RETURN_IF_ERROR(r.Bytes(&data, &size));
  if (size % sizeof(int32_t) != 0) return DataLoss("executable blob has a bad index list");
  out->resize(size / sizeof(int32_t));
  if (size > 0) std::memcpy(out->data(), data, size);
  return OkStatus();
}

Status ReadAttr(Reader& r, ops::Attributes& attrs) {
  std::string name;
  uint8_t kind = 0;
  HETERO_RETURN_IF_ERROR(r.Str(&name));
  HETERO_RETURN_IF_ERROR(r.Get(&kind));
  const char* data = nullptr;
  uint64_t size = 0;
  switch (static_cast<ops::AttrKind>(kind)) {
    case ops::AttrKind::kInt: {
      int64_t v;
      HETERO_RETURN_IF_ERROR(r.Get(&v));
      attrs.Set(name, v);
      return OkStatus();
    }
    case ops::AttrKind::kFloat: {
      double v;
      HETERO_RETURN_IF_ERROR(r.Get(&v));
      attrs.Set(name, v);
      return OkStatus();
    }
    case ops::AttrKind::kString: {
      std::string v;
      HETERO_RETURN_IF_ERROR(r.Str(&v));
      attrs.Set(name, v);
      return OkStatus();
    }
    case ops::AttrKind::kInts: {
      HETERO_RETURN_IF_ERROR(r.Bytes(&data, &size));
      std::vector<int64_t> v(size / sizeof(int64_t));
      if (size > 0) std::memcpy(v.data(), data, v.size() * sizeof(int64_t));
      attrs.Set(name, std::move(v));
      return OkStatus();
    }
    case ops::AttrKind::kFloats: {
      HETERO_RETURN_IF_ERROR(r.Bytes(&data, &size));
      std::vector<double> v(size / sizeof(double));
      if (size > 0) std::memcpy(v.data(), data, v.size() * sizeof(double));
      attrs.Set(name, std::move(v));
      return OkStatus();
    }
    case ops::AttrKind::kStrings: {
      uint64_t n = 0;
      HETERO_RETURN_IF_ERROR(r.Count(&n));
      std::vector<std::string> v(n);
      for (auto& s : v) HETERO_RETURN_IF_ERROR(r.Str(&s));
      attrs.Set(name, std::move(v));
      return OkStatus();
    }
  }
  return DataLoss("executable blob has an attribute of unknown kind " + std::to_string(kind));
}

Status ReadValues(Reader& r, BlobGraph& g) {
  uint64_t count = 0;
  HETERO_RETURN_IF_ERROR(r.Count(&count));
  g.names.resize(count);
  g.values.resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    hetero_value_view& v = g.values[i];
    v.struct_size = sizeof(v);
    v.type.struct_size = sizeof(v.type);
    HETERO_RETURN_IF_ERROR(r.Str(&g.names[i]));
    uint64_t rank = 0;
    HETERO_RETURN_IF_ERROR(r.Get(&v.type.dtype));
    HETERO_RETURN_IF_ERROR(r.Get(&rank));
    if (rank > HETERO_MAX_RANK)
      return DataLoss("executable blob has a value of rank " + std::to_string(rank));
    v.type.rank = static_cast<int32_t>(rank);
    for (uint64_t d = 0; d < rank; ++d) HETERO_RETURN_IF_ERROR(r.Get(&v.type.dims[d]));
    uint8_t has_constant = 0;
    HETERO_RETURN_IF_ERROR(r.Get(&has_constant));
    if (has_constant) {
      const char* data = nullptr;
      HETERO_RETURN_IF_ERROR(r.Bytes(&data, &v.constant_bytes));
      v.constant_data = data;
    }
  }
  return OkStatus();
}

Status ReadBlob(Reader& r, BlobGraph& g) {
  HETERO_RETURN_IF_ERROR(ReadValues(r, g));
  uint64_t count = 0;
  HETERO_RETURN_IF_ERROR(r.Count(&count));
  g.nodes.resize(count);
  for (BlobNode& n : g.nodes) {
    HETERO_RETURN_IF_ERROR(r.Str(&n.op));
    HETERO_RETURN_IF_ERROR(r.Str(&n.name));
    uint64_t num_attrs = 0;
    HETERO_RETURN_IF_ERROR(r.Count(&num_attrs));
    for (uint64_t a = 0; a < num_attrs; ++a) HETERO_RETURN_IF_ERROR(ReadAttr(r, n.attrs));
    HETERO_RETURN_IF_ERROR(ReadIndices(r, &n.inputs));
    HETERO_RETURN_IF_ERROR(ReadIndices(r, &n.outputs));
  }
  HETERO_RETURN_IF_ERROR(ReadIndices(r, &g.inputs));
  return ReadIndices(r, &g.outputs);
}

// The attributes of one node as ABI structs (pointing into `attrs`, which must outlive them).
struct AttrViews {
  std::vector<hetero_attr> attrs;
  std::vector<std::vector<const char*>> strings;
};

AttrViews MakeAttrViews(const ops::Attributes& attrs) {
  AttrViews out;
  out.strings.reserve(attrs.items().size());
  for (const auto& [name, value] : attrs.items()) {
    hetero_attr a{};
    a.struct_size = sizeof(a);
    a.name = name.c_str();
    a.kind = static_cast<int32_t>(ops::KindOf(value));  // the enums list kinds in one order
    if (auto* i = std::get_if<int64_t>(&value)) a.i = *i;
    if (auto* f = std::get_if<double>(&value)) a.f = *f;
    if (auto* s = std::get_if<std::string>(&value)) a.s = s->c_str();
    if (auto* is = std::get_if<std::vector<int64_t>>(&value)) {
      a.ints = is->data();
      a.count = is->size();
    }
    if (auto* fs = std::get_if<std::vector<double>>(&value)) {
      a.floats = fs->data();
      a.count = fs->size();
    }
    if (auto* ss = std::get_if<std::vector<std::string>>(&value)) {
      auto& ptrs = out.strings.emplace_back();
      for (const auto& s : *ss) ptrs.push_back(s.c_str());
      a.strings = ptrs.data();
      a.count = ptrs.size();
    }
    out.attrs.push_back(a);
  }
  return out;
}

StatusOr<Program> DecodeBlobGraph(BlobGraph& g) {
  for (size_t i = 0; i < g.values.size(); ++i) g.values[i].name = g.names[i].c_str();
  std::vector<AttrViews> attr_views;
  attr_views.reserve(g.nodes.size());
  std::vector<hetero_node_view> nodes;
  for (const BlobNode& n : g.nodes) {
    const AttrViews& av = attr_views.emplace_back(MakeAttrViews(n.attrs));
    hetero_node_view v{};
    v.struct_size = sizeof(v);
    v.op = n.op.c_str();
    v.name = n.name.c_str();
    v.num_inputs = static_cast<uint32_t>(n.inputs.size());
    v.inputs = n.inputs.data();
    v.num_outputs = static_cast<uint32_t>(n.outputs.size());
    v.outputs = n.outputs.data();
    v.num_attrs = static_cast<uint32_t>(av.attrs.size());
    v.attrs = av.attrs.data();
    nodes.push_back(v);
  }
  hetero_graph_view view{};
  view.struct_size = sizeof(view);
  view.opset_version = 1;
  view.num_values = static_cast<uint32_t>(g.values.size());
  view.values = g.values.data();
  view.num_nodes = static_cast<uint32_t>(nodes.size());
  view.nodes = nodes.data();
  view.num_inputs = static_cast<uint32_t>(g.inputs.size());
  view.inputs = g.inputs.data();
  view.num_outputs = static_cast<uint32_t>(g.outputs.size());
  view.outputs = g.outputs.data();
  return DecodeProgram(view);
}

StatusOr<Program> DeserializeProgram(const void* bytes, uint64_t size, bool* bf16_weights) {
  if (bytes == nullptr && size > 0) return InvalidArgument("executable_deserialize: bytes is NULL");
  if (size < sizeof(kMagic) + sizeof(uint64_t)) {
    return InvalidArgument("executable_deserialize: not a CPU executable (bad magic)");
  }
  const bool v1 = std::memcmp(bytes, kMagicV1, sizeof(kMagicV1)) == 0;
  if (!v1 && std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgument("executable_deserialize: not a CPU executable (bad magic)");
  }
  // The copy owns the constants of the deserialized executable.
  auto blob = std::make_shared<std::string>(static_cast<const char*>(bytes), size);
  const size_t body = size - sizeof(uint64_t);
  uint64_t checksum = 0;
  std::memcpy(&checksum, blob->data() + body, sizeof(checksum));
  if (checksum != Fnv1a(blob->data(), body)) {
    return DataLoss("executable_deserialize: checksum mismatch (corrupt blob)");
  }
  Reader r(blob->data() + sizeof(kMagic), body - sizeof(kMagic));
  uint8_t flags = 0;
  if (!v1) HETERO_RETURN_IF_ERROR(r.Get(&flags));
  if ((flags & ~kFlagBf16Weights) != 0) {
    return DataLoss("executable_deserialize: unknown flags " + std::to_string(flags));
  }
  *bf16_weights = (flags & kFlagBf16Weights) != 0;
  BlobGraph g;
  HETERO_RETURN_IF_ERROR(ReadBlob(r, g));
  if (!r.at_end()) return DataLoss("executable_deserialize: trailing bytes in blob");
  auto program = DecodeBlobGraph(g);
  if (!program.ok()) return program.status().WithContext("executable_deserialize");
  for (ProgramValue& v : program->values) {
    if (v.constant) {
      v.constant = Tensor::Borrow(v.dtype, v.constant->dims(), v.constant->raw(), blob);
    }
  }
  return std::move(*program);
}

}  // namespace

namespace abi {

hetero_status* ExecutableSerialize(hetero_executable* handle,
                                   void (*write)(void* ctx, const void* bytes, uint64_t size),
                                   void* ctx) {
  return Guard("cpu executable_serialize", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Executable * exe, FromHandle(handle, "executable_serialize"));
    if (write == nullptr) return InvalidArgument("executable_serialize: write is NULL");
    const std::string blob = SerializeProgram(*exe->program);
    write(ctx, blob.data(), blob.size());
    return OkStatus();
  });
}

hetero_status* ExecutableDeserialize(hetero_device* device_handle, const void* bytes, uint64_t size,
                                     hetero_executable** out) {
  return Guard("cpu executable_deserialize", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("executable_deserialize: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(device_handle, "executable_deserialize"));
    bool bf16 = false;
    HETERO_ASSIGN_OR_RETURN(Program program, DeserializeProgram(bytes, size, &bf16));
    if (bf16 && ActiveKernels().gemm_tile_bf16 == nullptr) {
      device->plugin->Log(HETERO_LOG_WARNING,
                          std::string("executable_deserialize: compiled with bf16 weights, but "
                                      "the ") +
                              IsaName(ActiveKernels().isa) +
                              " path has no bf16 GEMM (it needs AVX-512 BF16); weights stay f32");
    } else if (bf16) {
      PackConstantWeights(program, /*bf16=*/true);
    }
    auto exe = std::make_unique<Executable>();
    exe->device = device;
    PlanChains(program, FuseChainsEnabled());
    exe->program = std::make_shared<const Program>(std::move(program));
    exe->arenas = std::make_shared<RunArenaPool>(&device->memory);
    *out = ToHandle(exe.release());
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::cpu
