// Schemas of the matmul op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterMatMulOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
