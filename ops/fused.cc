// Schemas of the fused op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterFusedOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
