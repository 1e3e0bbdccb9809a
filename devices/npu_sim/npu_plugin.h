// The simulated NPU plugin's objects behind the ABI's handles. Buffers, streams and
// events are those of an inner CPU plugin instance (host memory, in-order queues); the
// plugin, devices and executables are its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "devices/cpu/program.h"
#include "devices/npu_sim/buckets.h"
#include "devices/npu_sim/kernels.h"
#include "devices/npu_sim/preset.h"
#include "devices/npu_sim/quantize.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::cpu {
class MemoryCounter;
}  // namespace hetero::cpu

namespace hetero::npu_sim {

inline constexpr const char* kNpuSimPluginVersion = "0.1.0";

enum class Tag : uint32_t {
  kPlugin = 0x4e505531,
  kDevice = 0x4e505532,
  kExecutable = 0x4e505536,
  kDead = 0xdeadbeef,
};

struct Plugin {
  Tag tag = Tag::kPlugin;
  hetero_host_api host{};
  const hetero_plugin_api* cpu_api = nullptr;  // the inner CPU plugin's table
  hetero_plugin* cpu_plugin = nullptr;         // its instance
  std::vector<Preset> presets;                 // one device each

  uint64_t NowNs() const;
};

struct Device {
  Tag tag = Tag::kDevice;
  Plugin* plugin = nullptr;
  uint32_t index = 0;
  const Preset* preset = nullptr;
  hetero_device* cpu_device = nullptr;  // buffers, streams and events live here
  // The inner CPU device's memory counter: its buffers, and the temporaries of this
  // device's runs (sim_run.cc), so that one peak covers both.
  cpu::MemoryCounter* memory = nullptr;
  std::atomic<bool> profiling{false};
};

// What compile makes of a graph: the decoded program, its constants rounded to the
// compute format, and that format.
struct Program {
  cpu::Program program;
  DType compute = DType::kBF16;       // storage format of f32 values on the chip
  DType matmul_input = DType::kBF16;  // operands of the matrix engine (fp8 on request)
  Buckets buckets;                    // sizes dynamic dims are padded to
  // Per node: its constant right operand packed for the GEMM in the matrix engine's
  // operand format (NULL where there is none). Rebuilt after deserializing.
  std::vector<std::shared_ptr<const PackedMatrix>> packed;
  // int8 (matmul_input kI8): per node, the int8 weights and the activation scale from
  // calibration (0 where the node runs in the float format).
  std::vector<std::shared_ptr<const QuantizedMatrix>> quantized;
  std::vector<float> act_scale;
  // Fusion along the engine pipeline (PlanFusion): per node, the value it takes from the
  // matrix engine's epilogue (-1: none); per value, whether it never leaves SRAM.
  bool fuse = true;
  std::vector<int32_t> epilogue_input;
  std::vector<bool> stays_in_sram;
};

// Finds the elementwise ops that run as a matrix op's epilogue (fusion.cc).
void PlanFusion(Program& program);

// Packs every MatMul/FusedMatMul's constant rank-2 right operand of `program` (int8
// programs: quantizes it per output channel; act_scale is kept).
void PackConstantOperands(Program& program);

// The float format a preset stores values in (bf16, else fp16, else f32).
DType FloatFormat(const Preset& preset);

// int8: runs `program` (packed in its float format) on the calibration inputs of `paths`
// ("a.npy,b.npy": one .npy per input in the program's input order; inputs past the list
// get zeros), sets each quantized node's activation scale from the largest |value|
// seen, then quantizes the weights.
Status Calibrate(const Device& device, Program& program, const std::string& paths);

struct Executable {
  Tag tag = Tag::kExecutable;
  Device* device = nullptr;
  std::shared_ptr<const Program> program;
};

inline hetero_plugin* ToHandle(Plugin* p) { return reinterpret_cast<hetero_plugin*>(p); }
inline hetero_device* ToHandle(Device* d) { return reinterpret_cast<hetero_device*>(d); }
inline hetero_executable* ToHandle(Executable* e) {
  return reinterpret_cast<hetero_executable*>(e);
}
StatusOr<Plugin*> FromHandle(hetero_plugin* handle, const char* what);
StatusOr<Device*> FromHandle(hetero_device* handle, const char* what);
StatusOr<Executable*> FromHandle(hetero_executable* handle, const char* what);

// A new ABI status from a hetero::Status (NULL for OK), and the no-throw guard.
hetero_status* ToAbi(const Status& status);
template <typename Fn>
hetero_status* Guard(const char* where, Fn&& fn) noexcept {
  try {
    return ToAbi(fn());
  } catch (const std::exception& e) {
    return ToAbi(Internal(std::string(where) + ": " + e.what()));
  } catch (...) {
    return ToAbi(Internal(std::string(where) + ": unknown exception"));
  }
}

// Rounds every element of a float tensor to `format` in place (round to nearest even,
// saturating for fp8). f32 tensors only; others are left as they are.
void RoundTensor(Tensor& t, DType format);

// Why node `index` cannot run on this preset, or "" (support.cc).
std::string NpuSupportReason(const Preset& preset, const hetero_graph_view& view, uint32_t index,
                             const std::vector<std::optional<Tensor>>& constants);

// Compile options "precision=bf16;buckets=seq:64,128;batch:1,4;calibrate=FILE.npy"
// against a preset ("dtype=" is the same as "precision=").
struct CompileOptions {
  DType dtype = DType::kBF16;
  Buckets buckets;
  std::string calibrate;  // int8 only: .npy files of calibration inputs, comma-separated
  bool fuse = true;       // fuse=0: every op its own command, every result through DRAM
};
StatusOr<CompileOptions> ParseCompileOptions(const Preset& preset, const char* options);

namespace abi {
hetero_status* DeviceCount(hetero_plugin* plugin, uint32_t* out_count);
hetero_status* DeviceProperties(hetero_plugin* plugin, uint32_t index,
                                hetero_device_properties* out);
hetero_status* DeviceOpen(hetero_plugin* plugin, uint32_t index, hetero_device** out);
void DeviceClose(hetero_device* device);
hetero_status* QuerySupport(hetero_device* device, const hetero_graph_view* graph,
                            hetero_support_result* result);
hetero_status* SetProfiling(hetero_device* device, int32_t enabled);
hetero_status* Compile(hetero_device* device, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out);
void ExecutableDestroy(hetero_executable* executable);
// serialize.cc
hetero_status* ExecutableSerialize(hetero_executable* executable,
                                   void (*write)(void* ctx, const void* bytes, uint64_t size),
                                   void* ctx);
hetero_status* ExecutableDeserialize(hetero_device* device, const void* bytes, uint64_t size,
                                     hetero_executable** out);
hetero_status* Execute(hetero_stream* stream, hetero_executable* executable, uint32_t num_inputs,
                       hetero_buffer* const* inputs, const hetero_tensor_desc* input_descs,
                       uint32_t num_outputs, hetero_buffer* const* outputs,
                       const hetero_tensor_desc* output_descs, const hetero_sync* sync);
}  // namespace abi

}  // namespace hetero::npu_sim

// The plugin's table (same contract as hetero_plugin_get_api_fn).
extern "C" hetero_status* hetero_npu_sim_plugin_get_api(uint32_t host_major, uint32_t host_minor,
                                                        const hetero_plugin_api** out_api);
