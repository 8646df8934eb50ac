// A model's attention and its KV cache, for costs and memory (docs/cost-model.md#attention-and-
// the-kv-cache). Every layer attends; a token at position t attends to the positions before it
// and itself, or, with a sliding window W, to the last W of them.
//
//   AttentionShape a{.query_heads = 32, .kv_heads = 8, .head_dim = 128};  // Qwen3-4B
//   a.kv_token_layer_bytes();       // 4096: one token's K and V in one layer, bf16
//   a.AttendedPairs(0, 3);          // 1 + 2 + 3 = 6 query-key pairs for a 3-token prefill
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace rwttt {

struct AttentionShape {
  std::uint32_t query_heads = 0;
  std::uint32_t kv_heads = 0;  // divides query_heads (grouped-query attention)
  std::uint32_t head_dim = 0;
  DType kv_dtype = DType::kBf16;
  std::uint32_t window = 0;  // 0: every earlier position; else the last `window`, itself included

  // Bytes of one token's K and V in one layer.
  std::uint64_t kv_token_layer_bytes() const {
    return 2ull * kv_heads * head_dim * DTypeBytes(kv_dtype);
  }
  // Positions a READ of tokens [first, end) attends to, summed over its tokens with each position
  // counted once: whose K and V it reads in each layer. REQUIRES: first <= end.
  std::uint64_t KvTokensRead(std::uint32_t first, std::uint32_t end) const;
  // Query-key pairs of tokens [first, end): the sum over t of min(t + 1, window).
  double AttendedPairs(std::uint32_t first, std::uint32_t end) const;
  // Tokens of K and V an owner with `context` tokens keeps per layer: min(context, window).
  std::uint64_t KvTokensKept(std::uint64_t context) const;
  // FLOPs per query-key pair in one layer: QKᵀ and the weighted sum of V, a multiply and an add
  // each, over every query head.
  double flops_per_pair() const { return 4.0 * query_heads * head_dim; }

  friend bool operator==(const AttentionShape&, const AttentionShape&) = default;
};

}  // namespace rwttt
