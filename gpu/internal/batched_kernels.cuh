// The batched kernels as Thrust functors: `__host__ __device__` operator()s over a flat index, run
// by thrust::for_each_n on the OpenMP system (omp backend) and on the CUDA system (cuda backend).
// Each computes its output elements with the very operations of core/ttt_math.h in the very order
// the cpu backend uses; tiling (kCols columns x kToks tokens per call) only decides which elements
// one call computes, never the order of any element's reduction. The OpenMP build uses wide tiles,
// worked through in register tiles (MacTile: up to 4 rows x 64 columns of accumulators, each
// weight row loaded once per register tile, SIMD across columns) and compiled for AVX-512, AVX2
// and baseline x86-64 (RWTTT_HOST_CLONES); the CUDA build one element per thread (coalesced across
// a warp).
//
//   thrust::for_each_n(policy, thrust::counting_iterator<std::uint64_t>(0), units,
//                      DownProjFunctor<float, Bf16, float, 1024, 4>{...});
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/ttt_math.h"
#include "gpu/internal/batch_plan.h"

namespace rwttt::gpu::internal {

template <typename T>
RWTTT_HD T Min(T a, T b) {
  return a < b ? a : b;
}

// Stores v into scratch of type X as dtype A holds it: rounded to A, the canonical NaN kept. X is
// A itself (cuda) or float holding A's values (omp: the register tiles then load and broadcast
// plain floats instead of widening bf16 at every use; values and digests are the same bit for bit).
template <typename A, typename X>
RWTTT_HD_ALWAYS_INLINE void StoreAs(X* p, float v) {
  if constexpr (std::is_same_v<A, X>) {
    Store(p, v);
  } else {
    A rounded;
    Store(&rounded, v);
    *p = Load(rounded);
  }
}

// p, its value hidden from the host optimizer by an empty asm said to change it (no instruction):
// what p points to is no longer known to be at a stride from the loop's previous reads.
template <typename T>
RWTTT_HD_ALWAYS_INLINE const T* Opaque(const T* p) {
#if defined(__GNUC__) && !defined(__CUDA_ARCH__)
  asm("" : "+r"(p));
#endif
  return p;
}

// A register tile of the host kernels: acc[a][b] = sum over k in [0, depth), ascending from 0, of
// x(a, k) * w(k, b) for a < kT, b < kC, where x(a, k) = x[a * xa + k * xk] and
// w(k, b) = w[k * wk + b]. Lanes are output elements, so vectorising over b keeps each one's order.
template <int kT, int kC, typename X, typename W>
RWTTT_HD_ALWAYS_INLINE void MacTile(const X* x, std::uint64_t xa, std::uint64_t xk, const W* w,
                                    std::uint64_t wk, std::uint32_t depth, float (&acc)[kT][kC]) {
  for (int a = 0; a < kT; ++a) {
    for (int b = 0; b < kC; ++b) acc[a][b] = 0.0f;
  }
  for (std::uint32_t k = 0; k < depth; ++k) {
    // Step k reads x(., k) and w(k, .) through opaque pointers, so that GCC vectorizes within the
    // step (over b), never across steps. GCC 12 vectorized this loop a step per iteration, each
    // step's reads a group at a runtime stride, and filled a vector wider than the group (kT
    // values of x; 16 bf16 weights in 64 bytes) from the groups of the steps after: it read rows
    // past the last (up to a vector's width of them) and faulted where the data ended a page.
    const X* x_k = Opaque(x + k * xk);
    const W* w_k = Opaque(w + k * wk);
#if !defined(__CUDA_ARCH__)
    // Step k + 8's weights, ahead: steps walk rows wk elements apart (8 KiB in medium's W_up), a
    // stride the hardware's prefetchers do not follow across pages. (As an integer: the address
    // may lie past the matrix, where a pointer may not point.)
    const std::uintptr_t ahead = reinterpret_cast<std::uintptr_t>(w_k) + 8 * wk * sizeof(W);
    for (std::size_t line = 0; line < kC * sizeof(W); line += 64) {
      __builtin_prefetch(reinterpret_cast<const void*>(ahead + line));
    }
#endif
    if constexpr (std::is_same_v<W, float>) {
      // No copy of the row: GCC turns a float copy into memcpy and then keeps acc in memory.
      for (int a = 0; a < kT; ++a) {
        const float xv = Load(x_k[a * xa]);
        for (int b = 0; b < kC; ++b) acc[a][b] = Mac(acc[a][b], xv, w_k[b]);
      }
    } else {
      float wk_row[kC];  // widened once per step, not once per row
      for (int b = 0; b < kC; ++b) wk_row[b] = Load(w_k[b]);
      for (int a = 0; a < kT; ++a) {
        const float xv = Load(x_k[a * xa]);
        for (int b = 0; b < kC; ++b) acc[a][b] = Mac(acc[a][b], xv, wk_row[b]);
      }
    }
  }
}

// v[e] = Silu(v[e]) for e < n, on the host. A function of its own, not inlined into the register
// tiles: there GCC gives up if-converting ExpF's selects and leaves Silu scalar.
RWTTT_HOST_CLONES __attribute__((noinline)) inline void SiluInPlace(float* v, std::uint32_t n) {
  for (std::uint32_t e = 0; e < n; ++e) v[e] = Silu(v[e]);
}

// Calls tile.template operator()<kT, kC>(a0, b0) over the output block [0, rows) x [0, cols) in
// register tiles: rows four at a time (the last group 1 to 3 rows, so that no weight row is
// loaded more than ceil(rows / 4) times), columns 64, then 16, then 1 at a time.
template <typename Tile>
RWTTT_HD_ALWAYS_INLINE void ForEachRegisterTile(std::uint32_t rows, std::uint32_t cols,
                                                const Tile& tile) {
  const auto row_group = [&]<int kT>(std::uint32_t a0) RWTTT_LAMBDA_INLINE {
    std::uint32_t b0 = 0;
    for (; b0 + 64 <= cols; b0 += 64) tile.template operator()<kT, 64>(a0, b0);
    for (; b0 + 16 <= cols; b0 += 16) tile.template operator()<kT, 16>(a0, b0);
    for (; b0 < cols; ++b0) tile.template operator()<kT, 1>(a0, b0);
  };
  std::uint32_t a0 = 0;
  for (; a0 + 4 <= rows; a0 += 4) row_group.template operator()<4>(a0);
  switch (rows - a0) {
    case 3:
      row_group.template operator()<3>(a0);
      break;
    case 2:
      row_group.template operator()<2>(a0);
      break;
    case 1:
      row_group.template operator()<1>(a0);
      break;
    default:
      break;
  }
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

// x[n][k] (kDomainInput) or v[n][k] (kDomainTarget) for every token n of a part. One call: kElems
// consecutive elements k of one token (a multiple of 4, so that each Philox block is drawn once;
// the host's call covers the whole row), drawn 64 at a time.
template <typename X, typename A, std::uint32_t kElems>
struct GenTokenFunctor {
  X* out;  // [num_tokens][d_model], as dtype A holds it
  const std::uint64_t* token_key;
  const std::uint32_t* token_pos;
  const std::uint32_t* token_owner;
  std::uint32_t layer, d_model;
  bool target;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    constexpr std::uint32_t kChunk = kElems < 64 ? kElems : 64;
    const std::uint64_t calls_per_token = (std::uint64_t{d_model} + kElems - 1) / kElems;
    const std::uint64_t n = unit / calls_per_token;
    const std::uint64_t begin = unit % calls_per_token * kElems;
    const std::uint64_t end = Min<std::uint64_t>(d_model, begin + kElems);
    const std::uint32_t domain = target ? kDomainTarget : kDomainInput;
    for (auto k0 = static_cast<std::uint32_t>(begin); k0 < end; k0 += kChunk) {
      const auto count = static_cast<std::uint32_t>(Min<std::uint64_t>(kChunk, end - k0));
      float v[kChunk];
      DrawCenteredRow(token_key[n], token_pos[n], layer, domain, token_owner[n], k0, count, v);
      for (std::uint32_t e = 0; e < count; ++e) StoreAs<A>(out + n * d_model + k0 + e, v[e]);
    }
  }
};

// h[n][f] = silu(sum_k x[n][k] * W_up[k][f]), k ascending. One call: kToks tokens x kCols
// columns, so W_up is read once per kToks tokens of the batch, whatever their owners.
template <typename X, typename W, int kCols, int kToks>
struct UpProjFunctor {
  const X* x;   // [num_tokens][d_model]
  const W* up;  // [d_model][d_ff]
  X* h;         // [num_tokens][d_ff]
  std::uint32_t num_tokens, d_model, d_ff;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_ff + kCols - 1) / kCols;
    const std::uint32_t n0 = static_cast<std::uint32_t>(unit / col_tiles) * kToks;
    const std::uint32_t f0 = static_cast<std::uint32_t>(unit % col_tiles) * kCols;
    const int nt = static_cast<int>(Min<std::uint32_t>(kToks, num_tokens - n0));
    const int nf = static_cast<int>(Min<std::uint32_t>(kCols, d_ff - f0));
    if constexpr (kCols > 1) {
      ForEachRegisterTile(
          nt, nf, [&]<int kT, int kC>(std::uint32_t a0, std::uint32_t b0) RWTTT_LAMBDA_INLINE {
            float acc[kT][kC];
            MacTile<kT, kC>(x + std::uint64_t{n0 + a0} * d_model, d_model, 1, up + f0 + b0, d_ff,
                            d_model, acc);
            SiluInPlace(&acc[0][0], kT * kC);
            for (int a = 0; a < kT; ++a) {
              X* out = h + std::uint64_t{n0 + a0 + a} * d_ff + f0 + b0;
              for (int b = 0; b < kC; ++b) StoreAs<W>(out + b, acc[a][b]);
            }
          });
      return;
    }
    float acc[kToks][kCols] = {};
    for (std::uint32_t k = 0; k < d_model; ++k) {
      const W* row = up + std::uint64_t{k} * d_ff + f0;
      for (int a = 0; a < nt; ++a) {
        const float xa = Load(x[std::uint64_t{n0 + a} * d_model + k]);
        for (int b = 0; b < nf; ++b) acc[a][b] = Mac(acc[a][b], xa, Load(row[b]));
      }
    }
    for (int a = 0; a < nt; ++a) {
      for (int b = 0; b < nf; ++b)
        StoreAs<W>(h + std::uint64_t{n0 + a} * d_ff + f0 + b, Silu(acc[a][b]));
    }
  }
};

// y[n][position][j] = sum_i h[n][i] * W[i][j], i ascending, W the tile's slot's fast weight. One
// call: one tile (at most kToks tokens of one slot) x `cols` <= kCols columns, so each slot's state
// is read once per tile and column block; a decode tile is one owner's token. The host picks
// `cols` (it never changes any element's order).
template <typename X, typename A, typename S, int kCols, int kToks>
struct DownProjFunctor {
  const X* h;              // [num_tokens][d_ff]
  const S* state;          // [num_slots][ttt layers][d_ff][d_model]
  const TokenTile* tiles;  // [num_tiles]
  A* y;                    // [num_tokens][ttt layers][d_model]
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t d_model, d_ff, num_ttt, position, cols;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_model + cols - 1) / cols;
    const TokenTile tile = tiles[unit / col_tiles];
    const std::uint32_t j0 = static_cast<std::uint32_t>(unit % col_tiles) * cols;
    const int nt = static_cast<int>(tile.token_end - tile.token_begin);
    const int nj = static_cast<int>(Min<std::uint32_t>(cols, d_model - j0));
    const S* w = state + tile.slot * slot_elems + layer_offset + j0;
    float acc[kToks][kCols];  // only [nt][nj] is used: zeroing all of it costs a small part dearly
    for (int a = 0; a < nt; ++a) {
      for (int b = 0; b < nj; ++b) acc[a][b] = 0.0f;
    }
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
// One call: one item x kRows rows i x kCols columns.
template <typename X, typename S, int kRows, int kCols>
struct UpdateFunctor {
  const X* hs;                   // [num_tokens][d_ff]
  const X* vs;                   // [num_tokens][d_model]
  const std::uint32_t* offsets;  // [num_items + 1]
  const std::uint32_t* slots;    // [num_items]
  S* state;
  std::uint64_t slot_elems, layer_offset;
  std::uint32_t d_model, d_ff, num_ttt, position;
  float eta;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const std::uint32_t col_tiles = (d_model + kCols - 1) / kCols;
    const std::uint32_t row_tiles = (d_ff + kRows - 1) / kRows;
    const std::uint64_t row_unit = unit / col_tiles;
    const auto item = static_cast<std::uint32_t>(row_unit / row_tiles);
    const auto i0 = static_cast<std::uint32_t>(row_unit % row_tiles) * kRows;
    const std::uint32_t j0 = static_cast<std::uint32_t>(unit % col_tiles) * kCols;
    const int nj = static_cast<int>(Min<std::uint32_t>(kCols, d_model - j0));
    S* w0 = state + slots[item] * slot_elems + layer_offset + j0;
    if constexpr (kCols > 1) {
      const std::uint32_t t0 = offsets[item];
      const std::uint32_t nr = Min<std::uint32_t>(kRows, d_ff - i0);
      ForEachRegisterTile(
          nr, nj, [&]<int kT, int kC>(std::uint32_t a0, std::uint32_t b0) RWTTT_LAMBDA_INLINE {
            float acc[kT][kC];
            MacTile<kT, kC>(hs + std::uint64_t{t0} * d_ff + i0 + a0, 1, d_ff,
                            vs + std::uint64_t{t0} * d_model + j0 + b0, d_model,
                            offsets[item + 1] - t0, acc);
            for (int a = 0; a < kT; ++a) {
              S* w = w0 + std::uint64_t{i0 + a0 + a} * d_model + b0;
              for (int b = 0; b < kC; ++b) Store(w + b, UpdatedWeight(Load(w[b]), acc[a][b], eta));
            }
          });
      return;
    }
    const std::uint32_t i = i0;
    float acc[kCols] = {};
    for (std::uint32_t t = offsets[item]; t < offsets[item + 1]; ++t) {
      const float ht = Load(hs[std::uint64_t{t} * d_ff + i]);
      const X* v = vs + std::uint64_t{t} * d_model + j0;
      for (int b = 0; b < nj; ++b) acc[b] = Mac(acc[b], ht, Load(v[b]));
    }
    S* w = w0 + std::uint64_t{i} * d_model;
    for (int b = 0; b < nj; ++b) Store(w + b, UpdatedWeight(Load(w[b]), acc[b], eta));
  }
};

// fp[s][position][i]: the fingerprint of block i (ModelProfile::state_block_elems() elements) of
// TTT layer `position` of slots[s]; In-Place TTT's blocks are W_down's rows. One call: kLanes
// consecutive blocks of that flat order, their independent fold chains side by side (SIMD lanes on
// the host); each block's elements are absorbed in order, as one by one.
template <typename S, int kLanes>
struct FingerprintFunctor {
  const S* state;
  const std::uint32_t* slots;                    // [num_slots_fingerprinted]
  std::uint64_t* fp;                             // [num_slots_fingerprinted][ttt layers][blocks]
  std::uint64_t slot_elems, blocks, num_blocks;  // num_blocks: every slot's, in all
  std::uint32_t block, num_ttt;
  RWTTT_HD RWTTT_HOST_CLONES void operator()(std::uint64_t unit) const {
    const std::uint64_t first = unit * kLanes;
    const int lanes = static_cast<int>(Min<std::uint64_t>(kLanes, num_blocks - first));
    if (lanes < kLanes) {
      for (int l = 0; l < lanes; ++l) Lanes<1>(first + l);
    } else {
      Lanes<kLanes>(first);
    }
  }
  // Blocks [first, first + kN).
  template <int kN>
  RWTTT_HD_ALWAYS_INLINE void Lanes(std::uint64_t first) const {
    const std::uint64_t per_slot = std::uint64_t{num_ttt} * blocks;
    const S* rows[kN];
    std::uint64_t f[kN];
    for (int l = 0; l < kN; ++l) {
      const std::uint64_t b = first + l;
      const auto position = static_cast<std::uint32_t>((b % per_slot) / blocks);
      rows[l] = state + slots[b / per_slot] * slot_elems + (b % per_slot) * block;
      f[l] = FingerprintStart(position, static_cast<std::uint32_t>(b % blocks));
    }
    for (std::uint32_t j = 0; j < block; ++j) {
      for (int l = 0; l < kN; ++l) f[l] = FingerprintAbsorb(f[l], StorageWord(rows[l][j]));
    }
    for (int l = 0; l < kN; ++l) fp[first + l] = f[l];
  }
};

}  // namespace rwttt::gpu::internal
