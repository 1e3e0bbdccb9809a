// Prints an IR graph in its text form (docs/ir-text.md), the form `hetero opt` shows
// and golden tests of passes are written in.
#pragma once

#include <cstdint>
#include <string>

#include "compiler/ir/graph.h"
#include "hetero/shape.h"
#include "ops/attributes.h"

namespace hetero::ir {

struct PrintOptions {
  // Constants with at most this many elements print their data; larger ones print
  // `elided` (and parse back zero-filled). A negative value prints every constant.
  int64_t max_inline_elements = 16;
};

// The whole graph: inputs, constants, nodes in list order, outputs. Deterministic, and
// ParseGraph(PrintGraph(g)) rebuilds g exactly when no constant is elided (floats print
// with the fewest digits that read back to the same bits; NaN payloads are not kept).
std::string PrintGraph(const Graph& g, const PrintOptions& options = {});

// Pieces of the form, for messages and tools: "f32[batch,\"a b\",?]", "[1, 2]", "0.5".
std::string PrintType(const TensorType& type);
std::string PrintAttrValue(const ops::AttrValue& value);
// The shortest text that reads back to the same double, always with a '.', an
// exponent, inf or nan so it reads back as a float: "1.0", "1e-05", "-inf".
std::string PrintDouble(double value);

}  // namespace hetero::ir
