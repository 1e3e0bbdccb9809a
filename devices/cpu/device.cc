// The CPU device: what the machine is (name, memory, peaks), open and close, profiling.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "devices/cpu/abi_status.h"
#include "devices/cpu/cpu_plugin.h"
#include "devices/cpu/kernels/cpu_isa.h"
#include "devices/cpu/kernels/fma_peak.h"
#include "devices/cpu/kernels/int8_gemm.h"
#include "devices/cpu/kernels/kernel_table.h"
#include "devices/cpu/plugin.h"

namespace hetero::cpu {
namespace {

constexpr double kDefaultGhz = 2.5;
constexpr double kFmaUnits = 2;  // FMA pipes per core on current x86-64 and arm64 cores
// One execute and its synchronize: the queue, the hand-off to an arena thread and back
// (bench/abi_overhead_bench BM_AbiLaunchLatency: about 17 us on a shared 2-core VM).
constexpr double kLaunchOverheadNs = 15000;

// The value of the first "key : value" line of /proc/cpuinfo with this key, or "".
std::string CpuInfoField(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "";
}

bool HasFlag(const std::string& flags, const char* flag) {
  std::istringstream in(flags);
  std::string f;
  while (in >> f) {
    if (f == flag) return true;
  }
  return false;
}

int FmaLanesF32(const std::string& flags) {
#if defined(__aarch64__)
  return 4;  // NEON: 128-bit FMA
#else
  if (HasFlag(flags, "avx512f")) return 16;
  if (HasFlag(flags, "fma") || HasFlag(flags, "avx2")) return 8;
  return 4;  // SSE: multiply and add, counted as 4-wide
#endif
}

}  // namespace

MachineInfo DetectMachine() {
  MachineInfo m;
  std::ifstream file("/proc/cpuinfo");
  std::stringstream text;
  text << file.rdbuf();
  const std::string info = text.str();
  m.model_name = CpuInfoField(info, "model name");
  if (m.model_name.empty()) m.model_name = CpuInfoField(info, "Model");
  if (m.model_name.empty()) m.model_name = "CPU";
  m.vendor = CpuInfoField(info, "vendor_id");
  if (m.vendor.empty()) m.vendor = CpuInfoField(info, "CPU implementer");
  if (m.vendor.empty()) m.vendor = "unknown";
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) {
    m.memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  }
  m.cores = static_cast<unsigned>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  const std::string mhz = CpuInfoField(info, "cpu MHz");
  m.ghz = mhz.empty() ? kDefaultGhz : std::atof(mhz.c_str()) / 1000.0;
  if (!(m.ghz > 0.1)) m.ghz = kDefaultGhz;
  m.fma_lanes_f32 = FmaLanesF32(CpuInfoField(info, "flags"));
  m.peak_flops_f32 = m.cores * m.ghz * 1e9 * m.fma_lanes_f32 * kFmaUnits * 2;
  return m;
}

namespace {

// Placement weighs this figure; measured to ±10% from run to run, it would move close
// calls between devices from one process to the next. One significant figure (36.9 and
// 40.8 GB/s both read 40 GB/s) keeps plans stable.
double RoundToOneFigure(double value) {
  if (!(value > 0)) return 0;
  const double scale = std::pow(10.0, std::floor(std::log10(value)));
  return std::round(value / scale) * scale;
}

// Copies 32 MiB (more than most last-level caches hold per core) across the host's arena
// a few times and keeps the best rate, bytes read plus bytes written per second.
double MeasureBandwidth(const Plugin& plugin) {
  constexpr size_t kBytes = size_t{32} << 20;
  std::unique_ptr<char[]> src(new (std::nothrow) char[kBytes]);
  std::unique_ptr<char[]> dst(new (std::nothrow) char[kBytes]);
  if (!src || !dst) return 0;
  std::memset(src.get(), 1, kBytes);
  std::memset(dst.get(), 0, kBytes);
  constexpr uint64_t kChunks = 64;
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const uint64_t t0 = plugin.NowNs();
    plugin.ParallelFor(kChunks, 1, [&](uint64_t begin, uint64_t end) {
      const size_t chunk = kBytes / kChunks;
      std::memcpy(dst.get() + begin * chunk, src.get() + begin * chunk, (end - begin) * chunk);
    });
    const uint64_t t1 = plugin.NowNs();
    if (t1 > t0) best = std::max(best, 2.0 * kBytes / ((t1 - t0) * 1e-9));
  }
  return RoundToOneFigure(best);
}

// Two significant figures: the measured FMA rate moves by about 1% between processes.
double RoundToTwoFigures(double value) {
  if (!(value > 0)) return 0;
  const double scale = std::pow(10.0, std::floor(std::log10(value)) - 1);
  return std::round(value / scale) * scale;
}

// The kernels this process runs, for the driver version: "avx512, bf16 amx, int8 vnni".
std::string KernelPaths() {
  const KernelTable& kt = ActiveKernels();
  const char* bf16 = kt.gemm_tile_bf16 == nullptr  ? "none"
                     : kt.bf16_fallback != nullptr ? "amx"
                                                   : "avx512-bf16";
  std::string int8 = Int8KernelsFor(kt.isa).name;
  if (int8 == "avx512-vnni") int8 = "vnni";
  if (int8 == "amx-int8") int8 = "amx";
  return std::string(IsaName(kt.isa)) + ", bf16 " + bf16 + ", int8 " + int8;
}

}  // namespace

// Measured on the path the kernels take, times the cores; the nominal figure where the
// path has no FMA to measure (portable, or not x86).
double MachinePeakFlops(const Plugin& plugin) {
  static std::once_flag once;
  static double peak = 0;
  std::call_once(once, [&] {
    const double per_core = MeasureFmaFlops(ActiveIsa());
    peak = per_core > 0 ? RoundToTwoFigures(per_core * plugin.machine.cores)
                        : plugin.machine.peak_flops_f32;
  });
  return peak;
}

// The bf16 and int8 tiles' instruction rates times the cores, where the kernels in use
// have those tiles (0 otherwise); measured once per process.
MachineDotPeaks MachineDotRates(const Plugin& plugin) {
  static std::once_flag once;
  static MachineDotPeaks peaks;
  std::call_once(once, [&] {
    const double cores = plugin.machine.cores;
    const KernelTable& kt = ActiveKernels();
    if (kt.gemm_tile_bf16 != nullptr) {
      const double rate = kt.bf16_fallback != nullptr ? MeasureAmxBf16Flops() : 0;
      peaks.bf16 = RoundToTwoFigures((rate > 0 ? rate : MeasureBf16DotFlops()) * cores);
    }
    // The int8 tile in use: the VNNI one, or the AMX one standing in for it.
    const Int8Kernels& ik = Int8KernelsFor(kt.isa);
    if (&ik == Avx512VnniInt8Kernels() || ik.fallback != nullptr) {
      const double rate = ik.fallback != nullptr ? MeasureAmxInt8Ops() : 0;
      peaks.int8 = RoundToTwoFigures((rate > 0 ? rate : MeasureInt8DotOps()) * cores);
    }
  });
  return peaks;
}

// The machine's bandwidth is a fact of the process, measured once (by the first instance
// that asks) and shared: instances keep no mutable state in common.
double MachineBandwidth(const Plugin& plugin) {
  static std::once_flag once;
  static double bandwidth = 0;
  std::call_once(once, [&] { bandwidth = MeasureBandwidth(plugin); });
  return bandwidth;
}

namespace abi {

hetero_status* DeviceCount(hetero_plugin* handle, uint32_t* out_count) {
  return Guard("cpu device_count", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_count"));
    (void)plugin;
    if (out_count == nullptr) return InvalidArgument("device_count: out_count is NULL");
    *out_count = 1;
    return OkStatus();
  });
}

hetero_status* DeviceProperties(hetero_plugin* handle, uint32_t index,
                                hetero_device_properties* out) {
  return Guard("cpu device_properties", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_properties"));
    if (out == nullptr) return InvalidArgument("device_properties: out_properties is NULL");
    if (index != 0) {
      return NotFound("device_properties: no CPU device " + std::to_string(index) +
                      " (there is 1)");
    }
    const MachineInfo& m = plugin->machine;
    const double bandwidth = MachineBandwidth(*plugin);
    const double peak = MachinePeakFlops(*plugin);
    hetero_device_properties p{};
    p.struct_size = sizeof(p);
    p.kind = HETERO_DEVICE_CPU;
    std::snprintf(p.name, sizeof(p.name), "%s", m.model_name.c_str());
    std::snprintf(p.vendor, sizeof(p.vendor), "%s", m.vendor.c_str());
    std::snprintf(p.driver_version, sizeof(p.driver_version), "hetero-cpu %s (%s)",
                  kCpuPluginVersion, KernelPaths().c_str());
    p.memory_bytes = m.memory_bytes;
    // Narrow floats are computed in f32, integer MatMuls accumulate in 64 bits, except
    // where a tile of their own runs them: bf16 weights on vdpbf16ps or AMX, QuantMatMul's
    // int8 on vpdpbusd or AMX (their measured rates).
    for (int d : {HETERO_DTYPE_F32, HETERO_DTYPE_F16, HETERO_DTYPE_BF16, HETERO_DTYPE_F8E4M3,
                  HETERO_DTYPE_I32, HETERO_DTYPE_I8, HETERO_DTYPE_U8}) {
      p.peak_flops[d] = peak;
    }
    p.peak_flops[HETERO_DTYPE_I64] = peak / 2;
    const MachineDotPeaks dots = MachineDotRates(*plugin);
    if (dots.bf16 > 0) p.peak_flops[HETERO_DTYPE_BF16] = dots.bf16;
    if (dots.int8 > 0) p.peak_flops[HETERO_DTYPE_I8] = p.peak_flops[HETERO_DTYPE_U8] = dots.int8;
    p.memory_bandwidth = bandwidth;
    p.host_link_bandwidth = bandwidth;  // copies are memcpy in the same memory
    p.launch_overhead_ns = kLaunchOverheadNs;
    p.capabilities = HETERO_CAP_ASYNC | HETERO_CAP_EVENTS | HETERO_CAP_HOST_MEMORY |
                     HETERO_CAP_DEVICE_COPY | HETERO_CAP_SERIALIZE;
    p.max_allocation_bytes = m.memory_bytes;
    // Write only what the caller's struct can hold.
    const uint32_t size = out->struct_size;
    if (size < offsetof(hetero_device_properties, name)) {
      return InvalidArgument("device_properties: out_properties->struct_size is " +
                             std::to_string(size) + "; set it to the struct's size");
    }
    std::memcpy(out, &p, std::min<size_t>(size, sizeof(p)));
    out->struct_size = std::min<uint32_t>(size, sizeof(p));
    return OkStatus();
  });
}

hetero_status* DeviceOpen(hetero_plugin* handle, uint32_t index, hetero_device** out) {
  return Guard("cpu device_open", [&]() -> Status {
    if (out == nullptr) return InvalidArgument("device_open: out is NULL");
    *out = nullptr;
    HETERO_ASSIGN_OR_RETURN(Plugin * plugin, FromHandle(handle, "device_open"));
    if (index != 0) {
      return NotFound("device_open: no CPU device " + std::to_string(index) + " (there is 1)");
    }
    auto device = std::make_unique<Device>();
    device->plugin = plugin;
    device->index = index;
    *out = ToHandle(device.release());
    return OkStatus();
  });
}

void DeviceClose(hetero_device* handle) {
  GuardVoid([&] {
    auto device = FromHandle(handle, "device_close");
    if (!device.ok()) return;
    (*device)->tag = Tag::kDead;
    delete *device;
  });
}

hetero_status* SetProfiling(hetero_device* handle, int32_t enabled) {
  return Guard("cpu set_profiling", [&]() -> Status {
    HETERO_ASSIGN_OR_RETURN(Device * device, FromHandle(handle, "set_profiling"));
    if (enabled && device->plugin->host.profile_record == nullptr) {
      return FailedPrecondition("set_profiling: the host offers no profile_record callback");
    }
    device->profiling.store(enabled != 0, std::memory_order_release);
    return OkStatus();
  });
}

}  // namespace abi
}  // namespace hetero::cpu
