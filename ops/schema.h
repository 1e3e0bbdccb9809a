// OpSchema: what one op of hetero's op set means — inputs, attributes, type and shape
// inference, cost, and the reference kernel that is every device's oracle.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hetero/shape.h"
#include "hetero/status.h"
#include "hetero/tensor.h"
#include "ops/attributes.h"

namespace hetero::ops {

// What inference sees of one node. At compile time `values[i]` is set only for inputs
// that are constants; when the graph runs every input's value is set and every dim is
// static, so the same function yields the concrete output shapes.
struct InferContext {
  std::span<const TensorType* const> inputs;  // nullptr: an optional input left out
  std::span<const Tensor* const> values;      // nullptr: value not known
  const Attributes& attrs;
  size_t num_outputs = 1;

  size_t num_inputs() const { return inputs.size(); }
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const TensorType& input(size_t i) const { return *inputs[i]; }
  const Tensor* value(size_t i) const { return i < values.size() ? values[i] : nullptr; }
};

using InferFn = StatusOr<std::vector<TensorType>> (*)(const InferContext& ctx);

// FLOPs and bytes moved (inputs read + outputs written) for concrete shapes.
struct OpCost {
  double flops = 0;
  double bytes = 0;
};

struct CostContext {
  std::span<const TensorType* const> inputs;  // static shapes; nullptr when absent
  std::span<const TensorType> outputs;        // static shapes
  const Attributes& attrs;
};

using CostFn = OpCost (*)(const CostContext& ctx);

// A reference kernel: reads inputs, writes outputs that the caller has allocated with
// the dims inference gave. Must not allocate outputs itself; may allocate scratch.
// Fails with a Status (an index out of range, ...), never aborts.
struct KernelContext {
  std::span<const Tensor* const> inputs;  // nullptr: an optional input left out
  std::span<Tensor* const> outputs;
  const Attributes& attrs;
};

using KernelFn = Status (*)(const KernelContext& ctx);

struct AttrSpec {
  std::string name;
  AttrKind kind;
  bool required = false;
  std::string doc;  // one line, including the default when there is one
};

struct OpSchema {
  std::string name;    // "MatMul"
  std::string family;  // elementwise, reduce, norm, matmul, movement, fused, quant
  std::string doc;     // one paragraph: semantics in words
  int min_inputs = 1;
  int max_inputs = 1;  // -1: variadic
  int min_outputs = 1;
  int max_outputs = 1;                   // -1: variadic
  std::vector<std::string> input_names;  // for docs and error messages
  std::vector<AttrSpec> attrs;
  std::vector<DType> dtypes;  // element types of the main operand the op accepts
  InferFn infer = nullptr;
  CostFn cost = nullptr;
  KernelFn reference = nullptr;
};

// Checks a node against its schema: input/output counts, attribute names and kinds,
// required attributes. Types are checked by `infer`.
Status CheckArity(const OpSchema& schema, size_t num_inputs, size_t num_outputs,
                  const Attributes& attrs);

// The registry of hetero's op set. Built once, then read-only and thread-safe.
class OpRegistry {
 public:
  static const OpRegistry& Global();
  const OpSchema* Find(std::string_view name) const;
  std::vector<const OpSchema*> All() const;  // sorted by family, then name
  void Add(OpSchema schema);                 // only during construction

 private:
  std::vector<OpSchema> schemas_;
};

inline const OpSchema* FindOp(std::string_view name) { return OpRegistry::Global().Find(name); }

// Each op family registers its schemas; registry.cc calls them all.
void RegisterElementwiseOps(OpRegistry& registry);
void RegisterReduceOps(OpRegistry& registry);
void RegisterNormOps(OpRegistry& registry);
void RegisterMatMulOps(OpRegistry& registry);
void RegisterMovementOps(OpRegistry& registry);
void RegisterFusedOps(OpRegistry& registry);
void RegisterQuantOps(OpRegistry& registry);
void RegisterQuantMatMulOp(OpRegistry& registry);  // from RegisterQuantOps

}  // namespace hetero::ops
