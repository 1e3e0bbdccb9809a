// The model constructors behind the built-in registry (one file per architecture).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "compiler/builtin/builder.h"
#include "compiler/ir/graph.h"
#include "hetero/status.h"

namespace hetero::builtin {

// GPT-2: learned positions, pre-LN blocks, causal attention, GELU (tanh), tied LM head.
// Inputs input_ids, attention_mask; output logits [batch, seq, vocab].
StatusOr<std::unique_ptr<ir::Graph>> BuildGpt2(const std::string& name,
                                               const TransformerConfig& config, uint64_t seed);

// BERT encoder: word + position + token-type embeddings, post-LN blocks, GELU (erf),
// padding mask. Inputs input_ids, attention_mask, token_type_ids; outputs
// last_hidden_state [batch, seq, dim] and pooler_output [batch, dim].
StatusOr<std::unique_ptr<ir::Graph>> BuildBert(const std::string& name,
                                               const TransformerConfig& config, uint64_t seed);

// Llama: RMSNorm, rotary positions (rotate-half), grouped KV heads, SwiGLU MLP, causal
// mask, no biases, untied LM head. Inputs input_ids, attention_mask; output logits.
StatusOr<std::unique_ptr<ir::Graph>> BuildLlama(const std::string& name,
                                                const TransformerConfig& config, uint64_t seed);

}  // namespace hetero::builtin
