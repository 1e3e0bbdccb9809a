// Parses the IR text form (docs/ir-text.md) back into a graph.
#pragma once

#include <memory>
#include <string_view>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "ops/attributes.h"

namespace hetero::ir {

// Builds a graph from its text. Checks the syntax, that every name is defined once, that
// every op exists and its input/output counts and attribute kinds fit the schema (the
// node's recorded output types are taken as written). Node inputs and graph outputs may
// name values defined further down; a name defined nowhere is an error. Errors read
// "line 3, column 14: expected ':' after the value name, found 'f32'".
//
// Not checked here, so that broken graphs can be written down and verified: cycles and
// agreement of the recorded types with inference — run VerifyGraph for those.
// `elided` constant data parses as a zero-filled tensor of the declared type, or, with
// `elided_without_storage`, as a tensor of that type with no memory at all
// (Tensor::empty_storage) — for graphs whose weights live elsewhere (a compiled model's
// serialized executables).
struct ParseOptions {
  bool elided_without_storage = false;
};
StatusOr<std::unique_ptr<Graph>> ParseGraph(std::string_view text, ParseOptions options = {});

// One attribute value as PrintAttrValue writes it: "3", "0.5", "\"tanh\"", "[1, 2]",
// "[] : floats". Errors carry line and column within `text`.
StatusOr<ops::AttrValue> ParseAttrValue(std::string_view text);

}  // namespace hetero::ir
