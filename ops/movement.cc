// Schemas of the movement op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterMovementOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
