// Schemas of the elementwise op family (to be filled in).
#include "ops/schema.h"

namespace hetero::ops {

void RegisterElementwiseOps(OpRegistry& registry) { (void)registry; }

}  // namespace hetero::ops
