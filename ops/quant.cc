// Schemas of the quant op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterQuantOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
