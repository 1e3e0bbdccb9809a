// The f32 FMA throughput of one core on a code path, measured: the peak the CPU device
// declares and that benchmarks hold GEMMs against. Nominal figures (cores x clock x lanes
// x FMA units) miss turbo clocks and CPUs that split wide FMAs in two (AMD Zen 4 runs a
// 512-bit FMA as two 256-bit halves).
#pragma once

#include "devices/cpu/kernels/cpu_isa.h"

namespace hetero::cpu {

// f32 FLOP/s of independent FMA chains on the calling thread, on `isa`'s widest vectors
// (about 1 ms); 0 for the portable path, which has no FMA of its own to measure.
double MeasureFmaFlops(Isa isa);

// The rates of the bf16 and int8 tiles' instructions on the calling thread (about 1 ms
// each): bf16 pair dot products (vdpbf16ps, 4 FLOP per lane) and u8 x s8 quad dot
// products (vpdpbusd, 8 integer operations per lane) on AVX-512; 0 where the CPU lacks
// them.
double MeasureBf16DotFlops();
double MeasureInt8DotOps();

// The AMX tiles' rates (tdpbf16ps, tdpbusd: four independent accumulator tiles, about a
// millisecond), in kernels_amx.cc; 0 unless AmxBf16Usable() / AmxInt8Usable().
double MeasureAmxBf16Flops();
double MeasureAmxInt8Ops();

}  // namespace hetero::cpu
