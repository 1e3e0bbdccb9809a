// The ONNX importer: an .onnx file → hetero's op IR, weights borrowed from the mapped file.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ir/graph.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero {

// The default-domain opsets the importer reads.
inline constexpr int kMinOnnxOpset = 13;
inline constexpr int kMaxOnnxOpset = 21;

struct OnnxImportOptions {
  // Graph inputs imported as constants holding these values instead of as inputs, for
  // operands hetero needs to know when it compiles (the axes of Unsqueeze, say) that a
  // model takes as inputs. A name that is not a graph input is an error.
  std::map<std::string, Tensor> frozen_inputs;
};

// Imports the model at `path`. The file (and any external-data file) is mapped
// read-only and initializers are Tensor::Borrow views into the mapping, which lives as
// long as the graph's constants. Graph inputs keep their ONNX names; dims named by
// dim_param become symbolic dims, missing dims unknown ones. ONNX nodes are lowered
// into hetero's op set (docs/opset.md) and keep their names.
//
// Errors, each naming the problem and the node, value or initializer:
//   NotFound            the file is missing;
//   DataLoss            the file is truncated or not an ONNX model;
//   Unimplemented       an opset outside 13-21, another domain, ops hetero does not
//                       import (one message naming each op and its first node), dtypes
//                       outside hetero's set, optional outputs hetero does not compute;
//   FailedPrecondition  an operand hetero needs as a constant is computed at run time;
//   InvalidArgument     anything else wrong with the model: undefined names, cycles,
//                       data sizes disagreeing with dims, external data outside the
//                       model's folder;
//   OutOfRange          external data past the end of its file;
//   ResourceExhausted   dims whose element count is absurd (refused before allocating).
StatusOr<std::unique_ptr<ir::Graph>> ImportOnnxFile(const std::string& path,
                                                    const OnnxImportOptions& options = {});

// The ONNX op types of the default domain the importer lowers, sorted.
std::vector<std::string> OnnxSupportedOps();
bool IsOnnxOpSupported(std::string_view op_type);

}  // namespace hetero
