// Building the kernels' program: binaries cached on disk, keyed by device name, driver
// version, build options and the sources' hash, in $HETERO_CACHE_DIR or
// ~/.cache/hetero/opencl. A corrupt or foreign cache entry is rebuilt from source.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "devices/opencl/executable.h"
#include "devices/opencl/kernel_sources.h"

namespace hetero::opencl {
namespace {

uint64_t Fnv1a(const std::string& text, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::filesystem::path CacheDir() {
  if (const char* dir = std::getenv("HETERO_CACHE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/tmp") / ".cache" / "hetero" / "opencl";
}

std::string BuildLogFirstLine(cl_program program, cl_device_id device) {
  size_t size = 0;
  clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size);
  std::string log(size, '\0');
  if (size > 0)
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
  size_t start = log.find_first_not_of(" \n\r\t");
  if (start == std::string::npos) return "(empty build log)";
  const size_t end = log.find_first_of("\r\n", start);
  return log.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Status Build(cl_program program, const Device& device, const std::string& options,
             const std::string& what) {
  const cl_int err =
      clBuildProgram(program, 1, &device.info->id, options.c_str(), nullptr, nullptr);
  if (err == CL_SUCCESS) return OkStatus();
  return Status(err == CL_BUILD_PROGRAM_FAILURE ? StatusCode::kInternal : ClStatus(err, "").code(),
                "opencl: building " + what + " for " + device.info->name + " failed (" +
                    ClError(err) + "): " + BuildLogFirstLine(program, device.info->id));
}

StatusOr<cl_program> FromBinary(const Device& device, const std::vector<unsigned char>& binary,
                                const std::string& options) {
  const unsigned char* data = binary.data();
  const size_t size = binary.size();
  cl_int status = CL_SUCCESS, err = CL_SUCCESS;
  cl_program program =
      clCreateProgramWithBinary(device.context, 1, &device.info->id, &size, &data, &status, &err);
  if (err != CL_SUCCESS || status != CL_SUCCESS) {
    if (program != nullptr) clReleaseProgram(program);
    return Internal("opencl: cached binary rejected");
  }
  Status s = Build(program, device, options, "the cached program");
  if (!s.ok()) {
    clReleaseProgram(program);
    return s;
  }
  return program;
}

std::vector<unsigned char> ProgramBinary(cl_program program) {
  size_t size = 0;
  if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(size), &size, nullptr) !=
          CL_SUCCESS ||
      size == 0) {
    return {};
  }
  std::vector<unsigned char> binary(size);
  unsigned char* ptr = binary.data();
  if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(ptr), &ptr, nullptr) != CL_SUCCESS) {
    return {};
  }
  return binary;
}

// Writes to a temporary name and renames, so a concurrent reader never sees half a file.
void StoreBinary(const std::filesystem::path& file, const std::vector<unsigned char>& binary) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return;
  const auto tmp = file.string() + ".tmp" +
                   std::to_string(Fnv1a(std::to_string(std::hash<const void*>{}(&binary))));
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(binary.data()), std::streamsize(binary.size()));
    if (!out) return;
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace

std::string AllKernelSource(bool with_f16) {
  // One pass per storage type, with STORAGE and ONCE as kernels/common.cl describes.
  static const char* const kPasses[] = {"\n#define STORAGE f32\n#define ONCE 1\n",
                                        "\n#undef STORAGE\n#undef ONCE\n"
                                        "#define STORAGE f16\n#define ONCE 0\n"};
  std::string source = kKernelSources[0].text;  // common.cl
  for (int pass = 0; pass < (with_f16 ? 2 : 1); ++pass) {
    source += kPasses[pass];
    for (int i = 1; i < kNumKernelSources; ++i) source += kKernelSources[i].text;
  }
  return source;
}

StatusOr<cl_program> BuildSource(const Device& device, const std::string& source,
                                 const std::string& options) {
  const char* text = source.c_str();
  cl_int err = CL_SUCCESS;
  cl_program program = clCreateProgramWithSource(device.context, 1, &text, nullptr, &err);
  if (err != CL_SUCCESS) return ClStatus(err, "clCreateProgramWithSource");
  Status s = Build(program, device, options, "the kernels");
  if (!s.ok()) {
    clReleaseProgram(program);
    return s;
  }
  return program;
}

StatusOr<cl_program> BuildProgram(const Device& device, const std::string& options, bool with_f16) {
  const std::string source = AllKernelSource(with_f16);
  const uint64_t key =
      Fnv1a(source, Fnv1a(device.info->name + "\n" + device.info->driver_version + "\n" + options));
  char name[32];
  std::snprintf(name, sizeof(name), "%016llx.bin", static_cast<unsigned long long>(key));
  const std::filesystem::path file = CacheDir() / name;
  if (std::ifstream in(file, std::ios::binary); in) {
    std::vector<unsigned char> binary((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
    auto program = FromBinary(device, binary, options);
    if (program.ok()) return program;
    device.plugin->Log(HETERO_LOG_WARNING, "opencl: ignoring cache entry " + file.string() + ": " +
                                               program.status().message());
  }
  HETERO_ASSIGN_OR_RETURN(cl_program program, BuildSource(device, source, options));
  const std::vector<unsigned char> binary = ProgramBinary(program);
  if (!binary.empty()) StoreBinary(file, binary);
  return program;
}

}  // namespace hetero::opencl
