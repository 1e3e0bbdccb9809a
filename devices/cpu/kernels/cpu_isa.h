// Which SIMD code path the CPU kernels take: detected from the CPU, forced by HETERO_CPU_ISA.
#pragma once

#include <string_view>

namespace hetero::cpu {

// Code paths, in increasing order of what they need from the CPU.
enum class Isa {
  kPortable = 0,  // plain C++, any CPU
  kAvx2 = 1,      // AVX2 + FMA
  kAvx512 = 2,    // AVX-512 F, BW, DQ, VL
};

const char* IsaName(Isa isa);

// The best path this CPU supports.
Isa DetectedIsa();

// Whether the CPU has AVX-512 BF16 (vdpbf16ps), for the bf16 GEMM.
bool CpuHasAvx512Bf16();

// Whether the CPU has AVX-512 BF16 and AMX-BF16 and the kernel grants this process the
// tile state (Linux's arch_prctl(ARCH_REQ_XCOMP_PERM), asked once).
bool CpuHasAmxBf16();

// Whether the CPU has AVX-512 VNNI and AMX-INT8 and the kernel grants the tile state.
bool CpuHasAmxInt8();

// Whether the CPU has AVX-512 VNNI (vpdpbusd), for the int8 GEMM.
bool CpuHasAvx512Vnni();

// The path kernels use: HETERO_CPU_ISA (portable | avx2 | avx512) when set and supported
// by this CPU, else DetectedIsa(). A value that is unknown or beyond the CPU is ignored
// (the best supported path is used). Read once per process; thread-safe.
Isa ActiveIsa();

// Parses an HETERO_CPU_ISA value; false when it is not one of the names above.
bool ParseIsa(std::string_view text, Isa* out);

}  // namespace hetero::cpu
