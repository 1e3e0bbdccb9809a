// The OpenCL plugin's compiler: the graph view decoded and checked, the
// kernels' program built (or loaded from the cache) once per executable, constants
// uploaded; run.cc executes it.
#include "devices/opencl/executable.h"

#include <memory>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"

namespace hetero::opencl {
namespace {

using cpu::Guard;

// "key=value;key=value" → the value of `key`, or "".
std::string OptionValue(const hetero_compile_options* options, const std::string& key) {
  if (options == nullptr || options->options == nullptr) return "";
  const std::string all = options->options;
  size_t pos = 0;
  while (pos <= all.size()) {
    size_t end = all.find(';', pos);
    if (end == std::string::npos) end = all.size();
    const std::string item = all.substr(pos, end - pos);
    if (item.rfind(key + "=", 0) == 0) return item.substr(key.size() + 1);
    pos = end + 1;
  }
  return "";
}

// The largest MatMul tile whose work group and local arrays fit the device.
int FitTile(const DeviceInfo& info) {
  for (int tile : {16, 8, 4, 2}) {
    const uint64_t local = uint64_t(tile) * (2 * tile + 1) * sizeof(float);
    if (size_t(tile) * tile <= info.max_work_group && local <= info.local_mem) return tile;
  }
  return 1;
}

Status UploadConstants(CompiledProgram& cp) {
  cp.constants.assign(cp.program.values.size(), nullptr);
  for (size_t v = 0; v < cp.program.values.size(); ++v) {
    const auto& value = cp.program.values[v];
    if (!value.constant) continue;
    const size_t bytes = value.constant->byte_size();
    if (cp.device->info->max_alloc != 0 && bytes > cp.device->info->max_alloc) {
      return ResourceExhausted("opencl: constant '" + value.name + "' (" + std::to_string(bytes) +
                               " bytes) exceeds the largest allocation of " +
                               cp.device->info->name);
    }
    cl_int err = CL_SUCCESS;
    cp.constants[v] = clCreateBuffer(
        cp.device->context, CL_MEM_READ_ONLY | (bytes > 0 ? CL_MEM_COPY_HOST_PTR : 0),
        bytes < 4 ? 4 : bytes, bytes > 0 ? const_cast<void*>(value.constant->raw()) : nullptr,
        &err);
    if (err != CL_SUCCESS) return ClStatus(err, "uploading constant '" + value.name + "'");
    cp.device->memory.Add(bytes);
    cp.constant_bytes += bytes;
  }
  return OkStatus();
}

// The f16 kernels are built only for graphs with f16 values.
bool HasF16(const hetero_graph_view& view) {
  for (uint32_t v = 0; v < view.num_values; ++v) {
    if (view.values[v].type.dtype == HETERO_DTYPE_F16) return true;
  }
  return false;
}

}  // namespace

int64_t DeviceValue::elements() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

CompiledProgram::~CompiledProgram() {
  for (auto& [name, kernel] : kernels) clReleaseKernel(kernel);
  for (cl_mem m : constants) {
    if (m != nullptr) clReleaseMemObject(m);
  }
  if (cl != nullptr) clReleaseProgram(cl);
  if (device != nullptr) device->memory.Sub(constant_bytes);
}

StatusOr<cl_kernel> CompiledProgram::Kernel(const std::string& name) {
  auto it = kernels.find(name);
  if (it != kernels.end()) return it->second;
  cl_int err = CL_SUCCESS;
  cl_kernel kernel = clCreateKernel(cl, name.c_str(), &err);
  if (err != CL_SUCCESS) return ClStatus(err, "clCreateKernel " + name);
  kernels[name] = kernel;
  return kernel;
}

namespace abi {

hetero_status* Compile(hetero_device* handle, const hetero_graph_view* graph,
                       const hetero_compile_options* options, hetero_executable** out) {
  return Guard("opencl compile", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "compile"));
    if (out == nullptr) return InvalidArgument("opencl compile: out is NULL");
    *out = nullptr;
    HETERO_RETURN_IF_ERROR(cpu::CheckViewHeader(graph));
    HETERO_ASSIGN_OR_RETURN(auto constants, cpu::DecodeConstants(*graph));
    const std::vector<bool> host_known = HostKnownValues(*graph);
    for (uint32_t i = 0; i < graph->num_nodes; ++i) {
      const std::string reason = OpenclReason(*graph, i, constants, host_known);
      if (!reason.empty()) {
        const auto& n = graph->nodes[i];
        return Unimplemented("opencl compile: node '" +
                             std::string(n.name != nullptr ? n.name : "?") + "' (" +
                             (n.op != nullptr ? n.op : "?") + "): " + reason);
      }
    }
    auto cp = std::make_shared<CompiledProgram>();
    cp->device = device;
    HETERO_ASSIGN_OR_RETURN(cp->program, cpu::DecodeProgram(*graph));
    cp->tile = FitTile(*device->info);
    // Compile option matmul=tiled|blocked overrides the choice by device type.
    const std::string matmul = OptionValue(options, "matmul");
    if (!matmul.empty() && matmul != "tiled" && matmul != "blocked") {
      return InvalidArgument("opencl compile: option matmul='" + matmul +
                             "' is not 'tiled' or 'blocked'");
    }
    cp->register_blocked = matmul == "blocked" ||
                           (matmul != "tiled" && (device->info->type & CL_DEVICE_TYPE_GPU) == 0);
    const std::string cl_options = "-cl-std=CL1.2 -DTILE=" + std::to_string(cp->tile) + " " +
                                   OptionValue(options, "cl_options");
    HETERO_ASSIGN_OR_RETURN(cp->cl, BuildProgram(*device, cl_options, HasF16(*graph)));
    HETERO_RETURN_IF_ERROR(UploadConstants(*cp));
    auto executable = std::make_unique<Executable>();
    executable->device = device;
    executable->program = std::move(cp);
    *out = reinterpret_cast<hetero_executable*>(executable.release());
    return OkStatus();
  });
}

void ExecutableDestroy(hetero_executable* handle) {
  auto* executable = reinterpret_cast<Executable*>(handle);
  if (executable == nullptr || executable->tag != Tag::kExecutable) return;
  executable->tag = Tag::kDead;
  delete executable;
}

}  // namespace abi
}  // namespace hetero::opencl
