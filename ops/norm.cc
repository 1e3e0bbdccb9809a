// Schemas of the norm op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterNormOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
