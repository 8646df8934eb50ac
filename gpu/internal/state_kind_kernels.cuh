// The batched kernels of the LaCT and low-rank state kinds: Thrust functors that call the
// `__host__ __device__` math of core/lact_math.h and core/low_rank_math.h, one call per (tile,
// head), (item, head) or token, each with its own slice of a scratch buffer. The math is the very
// function the cpu backend calls, so the bits match by construction. A LaCT READ tile is a run of
// a slot's tokens that reads the head's state once (on the host up to 16 tokens, vectorised across
// them; on a device one token per thread); the WRITEs and low-rank kernels are correctness-first
// (one thread walks a whole head or token), not tiled like In-Place TTT's
// (docs/kernels.md#state-kinds).
//
//   Launch(num_tiles * heads, LactReadFunctor<A, S, kTileTokens>{...});
#pragma once

#include <cstdint>

#include "core/lact_math.h"
#include "core/low_rank_math.h"
#include "core/state_shapes.h"
#include "core/ttt_math.h"
#include "gpu/internal/batch_plan.h"

namespace rwttt::gpu::internal {

// Element e of one TTT layer's state at version 0, for a kind with a math shape (LactShape,
// LowRankShape): the kernel is templated on the shape, so no call branches on the kind.
template <typename S, typename Shape>
struct GenStateFunctor {
  S* out;  // [layer_elems] of one layer
  std::uint64_t run_key;
  std::uint32_t layer;
  Shape shape;
  RWTTT_HD void operator()(std::uint64_t e) const {
    Store(out + e, BaseStateElement(shape, run_key, layer, e));
  }
};

// Where a part's tokens live: the arrays PlanBatch built, uploaded.
struct PartTokens {
  const std::uint64_t* key;      // [num_tokens]
  const std::uint32_t* pos;      // [num_tokens]
  const std::uint32_t* owner;    // [num_tokens]
  const std::uint32_t* slot;     // [num_tokens] READ: the slot each token reads
  const std::uint32_t* offsets;  // [num_items + 1] WRITE: each item's tokens
  const std::uint32_t* slots;    // [num_items] WRITE: the slot each item updates
};

// READ: y[n][position][head * head_dim + j] for one (tile of at most kTileTokens tokens of one
// slot, head) per call, the head's state read once for the tile's tokens (LactReadTokens).
template <typename A, typename S, std::uint32_t kTileTokens>
struct LactReadFunctor {
  LactShape shape;
  PartTokens tokens;
  const TokenTile* tiles;
  const S* state;
  A* y;            // [num_tokens][ttt layers][d_model]
  float* scratch;  // [units][unit_scratch]: LactReadTokens's, then [kTileTokens][head_dim]
  std::uint64_t unit_scratch, slot_elems, layer_offset;
  std::uint32_t layer, position, num_ttt;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const TokenTile tile = tiles[unit / shape.heads];
    const auto head = static_cast<std::uint32_t>(unit % shape.heads);
    const std::uint32_t count = tile.token_end - tile.token_begin;
    float* work = scratch + unit * unit_scratch;
    float* out = work + shape.read_tokens_scratch(kTileTokens);
    LactTokenKey keys[kTileTokens];
    for (std::uint32_t g = 0; g < count; ++g) {
      const std::uint32_t n = tile.token_begin + g;
      keys[g] = LactTokenKey{tokens.key[n], tokens.owner[n], tokens.pos[n], layer, head};
    }
    const S* w = state + tile.slot * slot_elems + layer_offset + head * shape.head_elems();
    LactReadTokens(shape, w, keys, count, work, out, shape.head_dim);
    const std::uint32_t d_model = shape.heads * shape.head_dim;
    for (std::uint32_t g = 0; g < count; ++g) {
      const std::uint64_t n = tile.token_begin + g;
      A* dst = y + (n * num_ttt + position) * d_model + head * shape.head_dim;
      for (std::uint32_t j = 0; j < shape.head_dim; ++j)
        Store(dst + j, out[g * shape.head_dim + j]);
    }
  }
};

// WRITE: one (item, head) per call, the head's whole update over the item's chunk.
template <typename S>
struct LactWriteFunctor {
  LactShape shape;
  PartTokens tokens;
  S* state;
  const S* base;   // [ttt layers][layer_elems]
  float* scratch;  // [units][write_scratch]
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t layer;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const std::uint64_t item = unit / shape.heads;
    const auto head = static_cast<std::uint32_t>(unit % shape.heads);
    const std::uint32_t first = tokens.offsets[item];
    const std::uint32_t count = tokens.offsets[item + 1] - first;
    const std::uint64_t at = layer_offset + head * shape.head_elems();
    LactWriteHead(shape, state + tokens.slots[item] * slot_elems + at, base + at,
                  LactTokenKey{tokens.key[first], tokens.owner[first], 0, layer, head},
                  tokens.pos[first], tokens.pos[first] + count,
                  scratch + unit * shape.write_scratch());
  }
};

// READ: y[n][position][0..d_model) for one token n per call.
template <typename A, typename S>
struct LowRankReadFunctor {
  LowRankShape shape;
  PartTokens tokens;
  const A* up;    // [d_model][d_ff] of this layer
  const A* down;  // [d_ff][d_model] of this layer
  const S* state;
  A* y;
  float* scratch;  // [units][read_scratch + d_model]
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t layer, position, num_ttt;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t n) const {
    float* work = scratch + n * (shape.read_scratch() + shape.d_model);
    float* out = work + shape.read_scratch();
    LowRankRead(shape, up, down, state + tokens.slot[n] * slot_elems + layer_offset, tokens.key[n],
                tokens.owner[n], tokens.pos[n], layer, work, out);
    A* dst = y + (n * num_ttt + position) * shape.d_model;
    for (std::uint32_t j = 0; j < shape.d_model; ++j) Store(dst + j, out[j]);
  }
};

// WRITE: one item per call, the layer's whole update over the item's chunk.
template <typename A, typename S>
struct LowRankWriteFunctor {
  LowRankShape shape;
  PartTokens tokens;
  const A* up;
  const A* down;
  S* state;
  float* scratch;  // [units][write_scratch]
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t layer;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t item) const {
    const std::uint32_t first = tokens.offsets[item];
    const std::uint32_t count = tokens.offsets[item + 1] - first;
    LowRankWrite(shape, up, down, state + tokens.slots[item] * slot_elems + layer_offset,
                 tokens.key[first], tokens.owner[first], tokens.pos[first],
                 tokens.pos[first] + count, layer, scratch + item * shape.write_scratch());
  }
};

}  // namespace rwttt::gpu::internal
