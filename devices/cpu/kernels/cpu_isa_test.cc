// HETERO_CPU_ISA forces the code path; this binary sets it before anything reads it (the
// choice is made once per process).
#include "devices/cpu/kernels/cpu_isa.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "devices/cpu/kernels/kernel_table.h"

namespace hetero::cpu {
namespace {

TEST(CpuIsa, EnvironmentForcesThePortablePath) {
  ASSERT_EQ(setenv("HETERO_CPU_ISA", "portable", 1), 0);
  EXPECT_EQ(ActiveIsa(), Isa::kPortable);
  EXPECT_EQ(ActiveKernels().isa, Isa::kPortable);
  EXPECT_EQ(ActiveKernels().gemm_tile_bf16, nullptr);
  // Read once: a later change does not move a running process to another path.
  ASSERT_EQ(setenv("HETERO_CPU_ISA", "avx512", 1), 0);
  EXPECT_EQ(ActiveIsa(), Isa::kPortable);
}

}  // namespace
}  // namespace hetero::cpu
