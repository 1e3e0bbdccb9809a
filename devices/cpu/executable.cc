// Executables: compile a graph view into a Program, and run it on the reference kernels,
// independent nodes of a wavefront in parallel and big MatMuls split by rows.
#include <cstring>
#include <mutex>
#include <string>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/chains.h"
#include "devices/cpu/compile_options.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/kernels/kernel_table.h"
#include "devices/cpu/kernels/matmul_rows.h"
#include "devices/cpu/program.h"
#include "devices/cpu/run.h"
#include "devices/cpu/stream.h"

namespace hetero::cpu {
namespace {

// "inputs 0 'x'": how errors name an input or output of an execute.
std::string Describe(const char* kind, uint32_t index, const ProgramValue& value) {
  return std::string(kind) + " " + std::to_string(index) + " '" + value.name + "'";
}

// Checks one run-time desc against the compiled value and the buffer, and wraps the
// buffer as a tensor of that shape. Messages are built only on failure: this runs for
// every input and output of every execute.
StatusOr<Tensor> BindBuffer(const ProgramValue& value, const hetero_tensor_desc& desc,
                            const Buffer& buffer, const char* kind, uint32_t index) {
  if (desc.dtype != static_cast<int32_t>(value.dtype) ||
      desc.rank != static_cast<int32_t>(value.dims.size())) {
    HETERO_ASSIGN_OR_RETURN(TensorType type, DecodeDesc(desc, Describe(kind, index, value)));
    return InvalidArgument(Describe(kind, index, value) + " is " + type.ToString() +
                           ", compiled as " + std::string(DTypeName(value.dtype)) + " of rank " +
                           std::to_string(value.dims.size()));
  }
  std::vector<int64_t> dims(desc.dims, desc.dims + desc.rank);
  uint64_t count = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] < 0 || (value.dims[d] >= 0 && value.dims[d] != dims[d])) {
      return InvalidArgument(Describe(kind, index, value) + ": dim " + std::to_string(d) + " is " +
                             std::to_string(dims[d]) + ", compiled as " +
                             std::to_string(value.dims[d]));
    }
    if (dims[d] != 0 && count > (uint64_t{1} << 62) / static_cast<uint64_t>(dims[d])) {
      return InvalidArgument(Describe(kind, index, value) + " has too many elements");
    }
    count *= static_cast<uint64_t>(dims[d]);
  }
  const uint64_t bytes = count * DTypeSize(value.dtype);
  if (bytes > buffer.size) {
    return InvalidArgument(Describe(kind, index, value) + " needs " + std::to_string(bytes) +
                           " bytes, the buffer has " + std::to_string(buffer.size));
  }
  return Tensor::Borrow(value.dtype, std::move(dims), buffer.data, nullptr);
}

StatusOr<std::vector<Tensor>> BindAll(const Program& program, const std::vector<int32_t>& which,
                                      uint32_t count, hetero_buffer* const* buffers,
                                      const hetero_tensor_desc* descs, const char* kind) {
  if (count != which.size()) {
    return InvalidArgument(std::string("execute: ") + std::to_string(count) + " " + kind +
                           ", the executable has " + std::to_string(which.size()));
  }
  if (count > 0 && (buffers == nullptr || descs == nullptr)) {
    return InvalidArgument(std::string("execute: ") + kind + " or their descs are NULL");
  }
  std::vector<Tensor> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const ProgramValue& value = program.values[which[i]];
    if (descs[i].struct_size != sizeof(hetero_tensor_desc)) {
      return InvalidArgument("execute: " + Describe(kind, i, value) + ": desc struct_size is " +
                             std::to_string(descs[i].struct_size) + ", expected " +
                             std::to_string(sizeof(hetero_tensor_desc)));
    }
    HETERO_ASSIGN_OR_RETURN(Buffer * buffer, FromHandle(buffers[i], "execute"));
    HETERO_ASSIGN_OR_RETURN(Tensor t, BindBuffer(value, descs[i], *buffer, kind, i));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

namespace abi {

hetero_status* Compile(hetero_device* device_handle, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out) {
  return Guard("cpu compile", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("compile: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(device_handle, "compile"));
    HETERO_RETURN_IF_ERROR(CheckViewHeader(graph));
    HETERO_ASSIGN_OR_RETURN(bool bf16, WantsBf16Weights(options));
    auto program = DecodeProgram(*graph);
    if (!program.ok()) return program.status().WithContext("compile");
    if (bf16 && ActiveKernels().gemm_tile_bf16 == nullptr) {
      device->plugin->Log(HETERO_LOG_WARNING,
                          std::string("precision=bf16: the ") + IsaName(ActiveKernels().isa) +
                              " path has no bf16 GEMM (it needs AVX-512 BF16); weights stay f32");
    } else if (bf16) {
      PackConstantWeights(*program, /*bf16=*/true);
    }
    auto exe = std::make_unique<Executable>();
    exe->device = device;
    PlanChains(*program, FuseChainsEnabled());
    exe->program = std::make_shared<const Program>(std::move(*program));
    exe->arenas = std::make_shared<RunArenaPool>(&device->memory);
    *out = ToHandle(exe.release());
    return OkStatus();
  });
}

void ExecutableDestroy(hetero_executable* handle) {
  GuardVoid([&] {
    auto exe = FromHandle(handle, "executable_destroy");
    if (!exe.ok()) return;
    (*exe)->tag = Tag::kDead;
    delete *exe;  // queued runs keep the program alive
  });
}

hetero_status* Execute(hetero_stream* stream_handle, hetero_executable* exe_handle,
                       uint32_t num_inputs, hetero_buffer* const* inputs,
                       const hetero_tensor_desc* input_descs, uint32_t num_outputs,
                       hetero_buffer* const* outputs, const hetero_tensor_desc* output_descs,
                       const hetero_sync* sync) {
  return Guard("cpu execute", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Stream * stream, FromHandle(stream_handle, "execute"));
    HETERO_ASSIGN_OR_RETURN(Executable * exe, FromHandle(exe_handle, "execute"));
    std::shared_ptr<const Program> program = exe->program;
    std::shared_ptr<RunArenaPool> arenas = exe->arenas;
    HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> in, BindAll(*program, program->inputs, num_inputs,
                                                            inputs, input_descs, "inputs"));
    HETERO_ASSIGN_OR_RETURN(
        std::vector<Tensor> outs,
        BindAll(*program, program->outputs, num_outputs, outputs, output_descs, "outputs"));
    // Last: arms the signal, so nothing above may fail after it.
    HETERO_ASSIGN_OR_RETURN(SyncPoints points, stream->DecodeSync(sync, "execute"));
    RunInfo info{stream->device(), stream->id(), points.correlation_id, arenas.get()};
    return stream->Submit(std::move(points), [program, arenas, in, outs, info]() mutable {
      return RunProgram(*program, in, outs, info);
    });
  });
}

}  // namespace abi
}  // namespace hetero::cpu
