// Schemas of the reduce op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterReduceOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
