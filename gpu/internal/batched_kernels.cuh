// The batched kernels as Thrust functors: `__host__ __device__` operator()s over a flat index, run
// by thrust::for_each_n on the OpenMP system (omp backend) and on the CUDA system (cuda backend).
// Each computes its output elements with the very operations of core/ttt_math.h in the very order
// the cpu backend uses; tiling (kCols columns x kToks tokens per call) only decides which elements
// one call computes, never the order of any element's reduction. The OpenMP build uses wide tiles
// (each weight row loaded once per tile, SIMD across columns); the CUDA build one element per
// thread (coalesced across a warp).
//
//   thrust::for_each_n(policy, thrust::counting_iterator<std::uint64_t>(0), units,
//                      DownProjFunctor<Bf16, float, 64, 16>{...});
#pragma once

#include <cstdint>

#include "core/ttt_math.h"
#include "gpu/internal/batch_plan.h"

namespace rwttt::gpu::internal {

template <typename T>
RWTTT_HD T Min(T a, T b) {
  return a < b ? a : b;
}

// Shared weights of TTT layer `position`: W_up [d_model][d_ff] (domain kDomainUp) or the base
// W_down [d_ff][d_model] (domain kDomainBase). One call per element.
template <typename T>
struct GenWeightFunctor {
  T* out;  // [rows][cols] of one layer
  std::uint64_t run_key;
  std::uint32_t layer, rows, cols, d_model, d_ff;
  bool up;
  RWTTT_HD void operator()(std::uint64_t e) const {
    const auto r = static_cast<std::uint32_t>(e / cols);
    const auto c = static_cast<std::uint32_t>(e % cols);
    Store(out + e,
          up ? UpWeight(run_key, layer, r, c, d_model) : BaseWeight(run_key, layer, r, c, d_ff));
  }
};

// x[n][k] (kDomainInput) or v[n][k] (kDomainTarget) for every token n of a part. One call: four
// consecutive elements k of one token, the four words of one Philox block.
template <typename A>
struct GenTokenFunctor {
  A* out;  // [num_tokens][d_model]
  const std::uint64_t* token_key;
  const std::uint32_t* token_pos;
  const std::uint32_t* token_owner;
  std::uint32_t layer, d_model;
  bool target;
  RWTTT_HD void operator()(std::uint64_t unit) const {
    const std::uint32_t quads = (d_model + 3) / 4;
    const std::uint64_t n = unit / quads;
    const auto k0 = static_cast<std::uint32_t>(unit % quads) * 4;
    const std::uint32_t count = d_model - k0 < 4 ? d_model - k0 : 4;
    float v[4];
    DrawCenteredQuad(token_key[n], token_pos[n], layer, target ? kDomainTarget : kDomainInput,
                     token_owner[n], k0, count, v);
    for (std::uint32_t e = 0; e < count; ++e) Store(out + n * d_model + k0 + e, v[e]);
  }
};

// h[n][f] = silu(sum_k x[n][k] * W_up[k][f]), k ascending. One call: kToks tokens x kCols
// columns, so W_up is read once per kToks tokens of the batch, whatever their owners.
template <typename A, int kCols, int kToks>
struct UpProjFunctor {
  const A* x;   // [num_tokens][d_model]
  const A* up;  // [d_model][d_ff]
  A* h;         // [num_tokens][d_ff]
  std::uint32_t num_tokens, d_model, d_ff;
  RWTTT_HD void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_ff + kCols - 1) / kCols;
    const std::uint32_t n0 = static_cast<std::uint32_t>(unit / col_tiles) * kToks;
    const std::uint32_t f0 = static_cast<std::uint32_t>(unit % col_tiles) * kCols;
    const int nt = static_cast<int>(Min<std::uint32_t>(kToks, num_tokens - n0));
    const int nf = static_cast<int>(Min<std::uint32_t>(kCols, d_ff - f0));
    float acc[kToks][kCols] = {};
    for (std::uint32_t k = 0; k < d_model; ++k) {
      const A* row = up + std::uint64_t{k} * d_ff + f0;
      for (int a = 0; a < nt; ++a) {
        const float xa = Load(x[std::uint64_t{n0 + a} * d_model + k]);
        for (int b = 0; b < nf; ++b) acc[a][b] = Mac(acc[a][b], xa, Load(row[b]));
      }
    }
    for (int a = 0; a < nt; ++a) {
      for (int b = 0; b < nf; ++b)
        Store(h + std::uint64_t{n0 + a} * d_ff + f0 + b, Silu(acc[a][b]));
    }
  }
};

// y[n][position][j] = sum_i h[n][i] * W[i][j], i ascending, W the tile's slot's fast weight. One
// call: one tile (at most kToks tokens of one slot) x `cols` <= kCols columns, so each slot's state
// is read once per tile and column block; a decode tile is one owner's token. The host picks
// `cols` (it never changes any element's order).
template <typename A, typename S, int kCols, int kToks>
struct DownProjFunctor {
  const A* h;              // [num_tokens][d_ff]
  const S* state;          // [num_slots][ttt layers][d_ff][d_model]
  const TokenTile* tiles;  // [num_tiles]
  A* y;                    // [num_tokens][ttt layers][d_model]
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t d_model, d_ff, num_ttt, position, cols;
  RWTTT_HD void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_model + cols - 1) / cols;
    const TokenTile tile = tiles[unit / col_tiles];
    const std::uint32_t j0 = static_cast<std::uint32_t>(unit % col_tiles) * cols;
    const int nt = static_cast<int>(tile.token_end - tile.token_begin);
    const int nj = static_cast<int>(Min<std::uint32_t>(cols, d_model - j0));
    const S* w = state + tile.slot * slot_elems + layer_offset + j0;
    float acc[kToks][kCols] = {};
    for (std::uint32_t i = 0; i < d_ff; ++i) {
      const S* row = w + std::uint64_t{i} * d_model;
      for (int a = 0; a < nt; ++a) {
        const float ha = Load(h[std::uint64_t{tile.token_begin + a} * d_ff + i]);
        for (int b = 0; b < nj; ++b) acc[a][b] = Mac(acc[a][b], ha, Load(row[b]));
      }
    }
    for (int a = 0; a < nt; ++a) {
      A* out = y + (std::uint64_t{tile.token_begin + a} * num_ttt + position) * d_model + j0;
      for (int b = 0; b < nj; ++b) Store(out + b, acc[a][b]);
    }
  }
};

// WRITE: W[i][j] <- W[i][j] + eta * sum_t H[t][i] * V[t][j] over the item's chunk, t ascending.
// One call: one item x one row i x kCols columns.
template <typename A, typename S, int kCols>
struct UpdateFunctor {
  const A* hs;                   // [num_tokens][d_ff]
  const A* vs;                   // [num_tokens][d_model]
  const std::uint32_t* offsets;  // [num_items + 1]
  const std::uint32_t* slots;    // [num_items]
  const std::uint8_t* torn;      // [num_items]
  S* state;
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t d_model, d_ff, num_ttt, position;
  float eta;
  RWTTT_HD void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_model + kCols - 1) / kCols;
    const std::uint64_t row_unit = unit / col_tiles;
    const auto item = static_cast<std::uint32_t>(row_unit / d_ff);
    const auto i = static_cast<std::uint32_t>(row_unit % d_ff);
    if (!WriteUpdatesLayer(torn[item] != 0, position, num_ttt)) return;
    const std::uint32_t j0 = static_cast<std::uint32_t>(unit % col_tiles) * kCols;
    const int nj = static_cast<int>(Min<std::uint32_t>(kCols, d_model - j0));
    float acc[kCols] = {};
    for (std::uint32_t t = offsets[item]; t < offsets[item + 1]; ++t) {
      const float ht = Load(hs[std::uint64_t{t} * d_ff + i]);
      const A* v = vs + std::uint64_t{t} * d_model + j0;
      for (int b = 0; b < nj; ++b) acc[b] = Mac(acc[b], ht, Load(v[b]));
    }
    S* w = state + slots[item] * slot_elems + layer_offset + std::uint64_t{i} * d_model + j0;
    for (int b = 0; b < nj; ++b) Store(w + b, UpdatedWeight(Load(w[b]), acc[b], eta));
  }
};

// fp[s][position][i]: the fingerprint of block i (ModelProfile::state_block_elems() elements) of
// TTT layer `position` of slots[s]; In-Place TTT's blocks are W_down's rows.
template <typename S>
struct FingerprintFunctor {
  const S* state;
  const std::uint32_t* slots;  // [num_slots_fingerprinted]
  std::uint64_t* fp;           // [num_slots_fingerprinted][ttt layers][blocks]
  std::uint64_t slot_elems, blocks;
  std::uint32_t block, num_ttt;
  RWTTT_HD void operator()(std::uint64_t unit) const {
    const std::uint64_t per_slot = std::uint64_t{num_ttt} * blocks;
    const std::uint64_t s = unit / per_slot;
    const auto position = static_cast<std::uint32_t>((unit % per_slot) / blocks);
    const auto i = static_cast<std::uint32_t>(unit % blocks);
    const S* row = state + slots[s] * slot_elems + (unit % per_slot) * block;
    std::uint64_t f = FingerprintStart(position, i);
    for (std::uint32_t j = 0; j < block; ++j) f = FingerprintAbsorb(f, StorageWord(row[j]));
    fp[unit] = f;
  }
};

}  // namespace rwttt::gpu::internal
