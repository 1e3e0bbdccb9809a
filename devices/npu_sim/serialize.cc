// Executables as bytes (.hnpu): a versioned header (magic, format version, preset, compute
// formats, checksum) around the CPU plugin's checksummed program image, whose
// deserialization re-runs every compile check.
#include <cstring>
#include <string>

#include "devices/cpu/cpu_plugin.h"
#include "devices/npu_sim/npu_plugin.h"

namespace hetero::npu_sim {
namespace {

constexpr char kMagic[8] = {'H', 'E', 'T', 'N', 'P', 'U', 'S', 'M'};
constexpr uint32_t kFormatVersion = 2;  // 2: shape buckets

uint64_t Fnv1a(const char* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ static_cast<uint8_t>(data[i])) * 0x100000001b3ull;
  return h;
}

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(v));
}

// Header: magic, version u32, preset name length u32 + bytes, compute i32, matmul i32,
// buckets text length u32 + bytes ("seq:...;batch:..."), fusion flag u32, int8 activation scales
// (count u32 + f32 each, one per node or none), program length u64, program bytes, then the FNV-1a
// of everything before it.
void Write(void* ctx, const void* bytes, uint64_t size) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(bytes), size);
}

Status Take(const char*& p, const char* end, void* dst, size_t n) {
  if (static_cast<size_t>(end - p) < n) return DataLoss("executable_deserialize: truncated file");
  std::memcpy(dst, p, n);
  p += n;
  return OkStatus();
}

Status FromAbi(hetero_status* s) {
  if (s == nullptr) return OkStatus();
  Status out(static_cast<StatusCode>(s->code), s->message);
  s->destroy(s);
  return out;
}

}  // namespace

namespace abi {

hetero_status* ExecutableSerialize(hetero_executable* handle,
                                   void (*write)(void* ctx, const void* bytes, uint64_t size),
                                   void* ctx) {
  return Guard("npu-sim executable_serialize", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Executable * exe, FromHandle(handle, "executable_serialize"));
    if (write == nullptr) return InvalidArgument("executable_serialize: write is NULL");
    cpu::Executable inner;
    inner.program = std::make_shared<const cpu::Program>(exe->program->program);
    std::string program;
    HETERO_RETURN_IF_ERROR(
        FromAbi(cpu::abi::ExecutableSerialize(cpu::ToHandle(&inner), &Write, &program)));
    const std::string& preset = exe->device->preset->name;
    std::string out(kMagic, sizeof(kMagic));
    Put<uint32_t>(out, kFormatVersion);
    Put<uint32_t>(out, static_cast<uint32_t>(preset.size()));
    out += preset;
    Put<int32_t>(out, static_cast<int32_t>(exe->program->compute));
    Put<int32_t>(out, static_cast<int32_t>(exe->program->matmul_input));
    const std::string buckets = exe->program->buckets.ToString();
    Put<uint32_t>(out, static_cast<uint32_t>(buckets.size()));
    out += buckets;
    Put<uint32_t>(out, exe->program->fuse ? 1 : 0);
    const std::vector<float>& scales = exe->program->act_scale;
    Put<uint32_t>(out, static_cast<uint32_t>(scales.size()));
    out.append(reinterpret_cast<const char*>(scales.data()), scales.size() * sizeof(float));
    Put<uint64_t>(out, program.size());
    out += program;
    Put<uint64_t>(out, Fnv1a(out.data(), out.size()));
    write(ctx, out.data(), out.size());
    return OkStatus();
  });
}

hetero_status* ExecutableDeserialize(hetero_device* device_handle, const void* bytes, uint64_t size,
                                     hetero_executable** out) {
  return Guard("npu-sim executable_deserialize", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("executable_deserialize: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(device_handle, "executable_deserialize"));
    if (bytes == nullptr || size < sizeof(kMagic) + sizeof(uint64_t) ||
        std::memcmp(bytes, kMagic, sizeof(kMagic)) != 0) {
      return InvalidArgument("executable_deserialize: not an npu-sim executable (bad magic)");
    }
    const char* p = static_cast<const char*>(bytes) + sizeof(kMagic);
    const char* end = static_cast<const char*>(bytes) + size - sizeof(uint64_t);
    uint64_t checksum = 0;
    std::memcpy(&checksum, end, sizeof(checksum));
    if (checksum != Fnv1a(static_cast<const char*>(bytes), size - sizeof(uint64_t))) {
      return DataLoss("executable_deserialize: checksum mismatch (corrupt file)");
    }
    uint32_t version = 0, name_len = 0;
    HETERO_RETURN_IF_ERROR(Take(p, end, &version, sizeof(version)));
    if (version != kFormatVersion) {
      return InvalidArgument("executable_deserialize: format version " + std::to_string(version) +
                             ", this plugin reads " + std::to_string(kFormatVersion));
    }
    HETERO_RETURN_IF_ERROR(Take(p, end, &name_len, sizeof(name_len)));
    std::string preset(name_len <= static_cast<size_t>(end - p) ? name_len : 0, '\0');
    HETERO_RETURN_IF_ERROR(Take(p, end, preset.data(), name_len));
    if (preset != device->preset->name) {
      return InvalidArgument("executable_deserialize: compiled for npu-sim:" + preset +
                             ", this device is npu-sim:" + device->preset->name);
    }
    int32_t compute = 0, matmul = 0;
    uint64_t program_size = 0;
    HETERO_RETURN_IF_ERROR(Take(p, end, &compute, sizeof(compute)));
    HETERO_RETURN_IF_ERROR(Take(p, end, &matmul, sizeof(matmul)));
    uint32_t buckets_len = 0;
    HETERO_RETURN_IF_ERROR(Take(p, end, &buckets_len, sizeof(buckets_len)));
    std::string buckets_text(buckets_len <= static_cast<size_t>(end - p) ? buckets_len : 0, '\0');
    HETERO_RETURN_IF_ERROR(Take(p, end, buckets_text.data(), buckets_len));
    auto buckets = ParseBuckets(buckets_text);
    if (!buckets.ok()) return buckets.status().WithContext("executable_deserialize");
    uint32_t fuse = 0;
    HETERO_RETURN_IF_ERROR(Take(p, end, &fuse, sizeof(fuse)));
    uint32_t num_scales = 0;
    HETERO_RETURN_IF_ERROR(Take(p, end, &num_scales, sizeof(num_scales)));
    if (num_scales > static_cast<size_t>(end - p) / sizeof(float)) {
      return DataLoss("executable_deserialize: truncated file (activation scales)");
    }
    std::vector<float> scales(num_scales);
    HETERO_RETURN_IF_ERROR(Take(p, end, scales.data(), num_scales * sizeof(float)));
    HETERO_RETURN_IF_ERROR(Take(p, end, &program_size, sizeof(program_size)));
    if (program_size != static_cast<uint64_t>(end - p)) {
      return DataLoss("executable_deserialize: program length does not match the file");
    }
    auto program = std::make_shared<Program>();
    program->compute = static_cast<DType>(compute);
    program->matmul_input = static_cast<DType>(matmul);
    program->buckets = std::move(*buckets);
    program->act_scale = std::move(scales);
    program->fuse = fuse != 0;
    if (!device->preset->Supports(program->matmul_input)) {
      return InvalidArgument("executable_deserialize: compiled for a format this preset lacks");
    }
    hetero_executable* inner = nullptr;
    HETERO_RETURN_IF_ERROR(
        FromAbi(cpu::abi::ExecutableDeserialize(device->cpu_device, p, program_size, &inner)));
    auto cpu_exe = cpu::FromHandle(inner, "executable_deserialize");
    if (cpu_exe.ok()) program->program = *(*cpu_exe)->program;
    cpu::abi::ExecutableDestroy(inner);
    HETERO_RETURN_IF_ERROR(cpu_exe.status());
    if (!program->act_scale.empty() && program->act_scale.size() != program->program.nodes.size()) {
      return DataLoss("executable_deserialize: activation scales do not match the program");
    }
    PackConstantOperands(*program);
    PlanFusion(*program);
    auto exe = std::make_unique<Executable>();
    exe->device = device;
    exe->program = std::move(program);
    *out = ToHandle(exe.release());
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::npu_sim
