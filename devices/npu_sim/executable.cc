// Compiling a graph for the simulated NPU (decode, check static shapes and formats,
// constants rounded once) and running it on a stream of the inner CPU plugin.
#include <cstring>
#include <string>

#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/stream.h"
#include "devices/npu_sim/npu_plugin.h"
#include "devices/npu_sim/sim_run.h"

namespace hetero::npu_sim {
namespace {

StatusOr<Program> CompileProgram(const Device& device, const hetero_graph_view& graph,
                                 const hetero_compile_options* options) {
  const Preset& preset = *device.preset;
  const char* text =
      options != nullptr && HETERO_HAS_FIELD(options, hetero_compile_options, options)
          ? options->options
          : nullptr;
  HETERO_ASSIGN_OR_RETURN(CompileOptions opts, ParseCompileOptions(preset, text));
  HETERO_ASSIGN_OR_RETURN(auto constants, cpu::DecodeConstants(graph));
  for (uint32_t i = 0; i < graph.num_nodes; ++i) {
    const std::string reason = NpuSupportReason(preset, graph, i, constants);
    if (!reason.empty()) {
      const char* name = graph.nodes[i].name != nullptr ? graph.nodes[i].name : "";
      return InvalidArgument("node '" + std::string(name) +
                             "' cannot run on npu-sim:" + preset.name + ": " + reason);
    }
  }
  HETERO_ASSIGN_OR_RETURN(cpu::Program decoded, cpu::DecodeProgram(graph));
  Program p;
  p.program = std::move(decoded);
  // fp8 and int8 feed the matrix engine; the vector unit and stored values keep the
  // chip's float format.
  p.compute = opts.dtype;
  if (opts.dtype == DType::kF8E4M3 || opts.dtype == DType::kI8) p.compute = FloatFormat(preset);
  p.matmul_input = p.compute;
  p.buckets = opts.buckets;
  p.fuse = opts.fuse;
  PlanFusion(p);
  for (cpu::ProgramValue& v : p.program.values) {
    if (!v.constant) continue;
    HETERO_ASSIGN_OR_RETURN(Tensor owned, v.constant->Clone());
    RoundTensor(owned, p.compute);
    v.constant = std::move(owned);
  }
  PackConstantOperands(p);
  if (opts.dtype == DType::kI8) {
    HETERO_RETURN_IF_ERROR(Calibrate(device, p, opts.calibrate));
  } else {
    p.matmul_input = opts.dtype;
    PackConstantOperands(p);
  }
  return p;
}

StatusOr<std::vector<Tensor>> Bind(const cpu::Program& program, const std::vector<int32_t>& which,
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
  for (uint32_t i = 0; i < count; ++i) {
    const cpu::ProgramValue& value = program.values[which[i]];
    const std::string what = std::string(kind) + " " + std::to_string(i) + " '" + value.name + "'";
    HETERO_ASSIGN_OR_RETURN(cpu::Buffer * buffer, cpu::FromHandle(buffers[i], "execute"));
    HETERO_ASSIGN_OR_RETURN(TensorType type, cpu::DecodeDesc(descs[i], what));
    auto dims = type.shape.StaticDims();
    if (!dims || type.dtype != value.dtype || dims->size() != value.dims.size()) {
      return InvalidArgument("execute: " + what + " is " + type.ToString() + ", compiled as " +
                             std::string(DTypeName(value.dtype)) + " of rank " +
                             std::to_string(value.dims.size()));
    }
    for (size_t d = 0; d < dims->size(); ++d) {
      if (value.dims[d] >= 0 && value.dims[d] != (*dims)[d]) {
        return InvalidArgument("execute: " + what + ": dim " + std::to_string(d) + " is " +
                               std::to_string((*dims)[d]) + ", compiled as " +
                               std::to_string(value.dims[d]) + " (static shapes only)");
      }
    }
    Tensor t = Tensor::Borrow(value.dtype, *dims, buffer->data, nullptr);
    if (t.byte_size() > buffer->size) {
      return InvalidArgument("execute: " + what + " needs " + std::to_string(t.byte_size()) +
                             " bytes, the buffer has " + std::to_string(buffer->size));
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void PackConstantOperands(Program& p) {
  p.packed.assign(p.program.nodes.size(), nullptr);
  p.quantized.assign(p.program.nodes.size(), nullptr);
  p.act_scale.resize(p.program.nodes.size(), 0.0f);
  for (size_t n = 0; n < p.program.nodes.size(); ++n) {
    const cpu::ProgramNode& node = p.program.nodes[n];
    const std::string& op = node.schema->name;
    if ((op != "MatMul" && op != "FusedMatMul") || node.inputs.size() < 2 || node.inputs[1] < 0) {
      continue;
    }
    const auto& b = p.program.values[node.inputs[1]].constant;
    if (!b || b->dtype() != DType::kF32 || b->rank() != 2) continue;
    const bool transposed = node.attrs.GetInt("transpose_b", 0) != 0;
    const int64_t k = b->dims()[transposed ? 1 : 0], cols = b->dims()[transposed ? 0 : 1];
    // Constants are already in the compute format; only a narrower engine format rounds.
    const DType format = p.matmul_input != p.compute ? p.matmul_input : DType::kF32;
    if (p.matmul_input == DType::kI8) {
      p.quantized[n] = QuantizeWeights(b->data<float>(), k, cols, transposed);
    } else {
      p.packed[n] = PackMatrix(b->data<float>(), k, cols, transposed, format);
    }
  }
}

namespace abi {

hetero_status* Compile(hetero_device* handle, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out) {
  return Guard("npu-sim compile", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("compile: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "compile"));
    HETERO_RETURN_IF_ERROR(cpu::CheckViewHeader(graph));
    auto program = CompileProgram(*device, *graph, options);
    if (!program.ok()) return program.status().WithContext("compile");
    auto exe = std::make_unique<Executable>();
    exe->device = device;
    exe->program = std::make_shared<const Program>(std::move(*program));
    *out = ToHandle(exe.release());
    return OkStatus();
  });
}

void ExecutableDestroy(hetero_executable* handle) {
  auto exe = FromHandle(handle, "executable_destroy");
  if (!exe.ok()) return;
  (*exe)->tag = Tag::kDead;
  delete *exe;
}

hetero_status* Execute(hetero_stream* stream_handle, hetero_executable* exe_handle,
                       uint32_t num_inputs, hetero_buffer* const* inputs,
                       const hetero_tensor_desc* input_descs, uint32_t num_outputs,
                       hetero_buffer* const* outputs, const hetero_tensor_desc* output_descs,
                       const hetero_sync* sync) {
  return Guard("npu-sim execute", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(cpu::Stream * stream, cpu::FromHandle(stream_handle, "execute"));
    HETERO_ASSIGN_OR_RETURN(Executable * exe, FromHandle(exe_handle, "execute"));
    std::shared_ptr<const Program> program = exe->program;
    const cpu::Program& prog = program->program;
    HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> in,
                            Bind(prog, prog.inputs, num_inputs, inputs, input_descs, "inputs"));
    HETERO_ASSIGN_OR_RETURN(std::vector<Tensor> outs, Bind(prog, prog.outputs, num_outputs, outputs,
                                                           output_descs, "outputs"));
    // Last: arms the signal, so nothing above may fail after it.
    HETERO_ASSIGN_OR_RETURN(cpu::SyncPoints points, stream->DecodeSync(sync, "execute"));
    SimRunInfo info{exe->device, stream->id(), points.correlation_id};
    return stream->Submit(std::move(points), [program, in, outs, info]() mutable {
      return RunSim(*program, in, outs, info, nullptr);
    });
  });
}

}  // namespace abi
}  // namespace hetero::npu_sim
