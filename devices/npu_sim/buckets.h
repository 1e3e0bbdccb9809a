// Shape buckets of the simulated NPU: dynamic dims are compiled for a fixed set of sizes,
// inputs are padded up to the next bucket, and only ops that padding cannot change run on
// the chip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "devices/abi/hetero_plugin.h"
#include "hetero/status.h"
#include "hetero/tensor.h"

namespace hetero::npu_sim {

// Sizes a dynamic dim is padded to, ascending. The leading dim of a tensor of rank >= 2
// is the batch; every other dynamic dim is a sequence (the graph view carries no symbol
// names, and hetero's models put the batch first).
struct Buckets {
  std::vector<int64_t> batch;
  std::vector<int64_t> seq;

  std::string ToString() const;  // "seq:32,64;batch:1,4" (the option's syntax)
  bool operator==(const Buckets&) const = default;
};

// batch 1,2,4,8,16,32,64; seq 16,32,64,128,256,512,1024,2048.
Buckets DefaultBuckets();

// Parses "seq:32,64,128;batch:1,4,8" (either part may be left out and keeps its default;
// '/' also separates the parts). Sizes must be positive and are sorted.
StatusOr<Buckets> ParseBuckets(std::string_view text);

// The smallest bucket >= value, or nullopt when value is larger than every bucket.
std::optional<int64_t> BucketFor(const std::vector<int64_t>& sizes, int64_t value);

// The dims a tensor of `actual` dims runs at on the chip: each dim that is dynamic in
// `compiled` (-1) padded up to its bucket. Fails, naming `what`, when a dim is larger
// than the largest bucket.
StatusOr<std::vector<int64_t>> PaddedDims(const Buckets& buckets,
                                          const std::vector<int64_t>& compiled,
                                          const std::vector<int64_t>& actual,
                                          const std::string& what);

// Why padding node `index`'s dynamic dims would change its result, or "" when it is
// safe: a reduction, norm or softmax over a dynamic axis, a MatMul contracting over
// one, a Concat/Split/Slice along one. Attention is safe: the compiler masks padded keys
// (a valid-length mask added to the graph's own).
std::string PaddingReason(const hetero_graph_view& view, uint32_t index,
                          const std::vector<std::optional<Tensor>>& constants);

}  // namespace hetero::npu_sim
