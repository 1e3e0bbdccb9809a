// MatMul split by rows of the left operand across the host's arena.
#pragma once

#include "devices/cpu/cpu_plugin.h"
#include "hetero/status.h"
#include "ops/schema.h"

namespace hetero::cpu {

// Runs a big MatMul or FusedMatMul whose right operand is a matrix (and bias, if any,
// at most a vector) as independent row blocks of the reference kernel, in parallel.
// Each output element is computed exactly as the reference computes it. Returns false
// (having done nothing) when the node does not have that form or is too small to gain.
StatusOr<bool> TryMatMulByRows(const Plugin& plugin, const ops::OpSchema& schema,
                               const ops::KernelContext& ctx);

}  // namespace hetero::cpu
