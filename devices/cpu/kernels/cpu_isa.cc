// CPU feature detection and the HETERO_CPU_ISA override.
#include "devices/cpu/kernels/cpu_isa.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace hetero::cpu {

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kPortable: return "portable";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "unknown";
}

bool ParseIsa(std::string_view text, Isa* out) {
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    if (text == IsaName(isa)) {
      *out = isa;
      return true;
    }
  }
  return false;
}

Isa DetectedIsa() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("fma")) {
    return Isa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kPortable;
}

bool CpuHasAvx512Bf16() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return DetectedIsa() == Isa::kAvx512 && __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

namespace {

// Linux grants a process the AMX tile state only when asked (ARCH_REQ_XCOMP_PERM for
// XFEATURE_XTILEDATA); asked once, on a CPU with the AMX tile.
bool AmxTileStateGranted() {
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
  static const bool granted = [] {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("amx-tile")) return false;
    constexpr long kReqXcompPerm = 0x1023;
    constexpr long kXtileData = 18;
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXtileData) == 0;
  }();
  return granted;
#else
  return false;
#endif
}

}  // namespace

bool CpuHasAmxBf16() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return CpuHasAvx512Bf16() && __builtin_cpu_supports("amx-bf16") && AmxTileStateGranted();
#else
  return false;
#endif
}

bool CpuHasAmxInt8() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return CpuHasAvx512Vnni() && __builtin_cpu_supports("amx-int8") && AmxTileStateGranted();
#else
  return false;
#endif
}

bool CpuHasAvx512Vnni() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return DetectedIsa() == Isa::kAvx512 && __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

Isa ActiveIsa() {
  static const Isa active = [] {
    const Isa best = DetectedIsa();
    const char* forced = std::getenv("HETERO_CPU_ISA");
    Isa wanted;
    if (forced == nullptr || !ParseIsa(forced, &wanted) || wanted > best) return best;
    return wanted;
  }();
  return active;
}

}  // namespace hetero::cpu
