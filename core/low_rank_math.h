// The math of the `low-rank` state kind, written once for every backend: LoRA-style TTT. The TTT
// layer's MLP y = silu(x W_up) W_down keeps its shared weights; each owner adds a rank-r delta
// A·B to the chosen projections (up, down or both):
//
//   u = x W_up + (x A_up) B_up,   h = silu(u),   y = h W_down + (h A_down) B_down
//
// A WRITE takes one gradient step per projection on its own dot-product loss -Σ_t ⟨out_t, v_t⟩
// over the chunk (v_t the projection's target): A += η Inᵀ (V Bᵀ), B += η (In A)ᵀ V, both from
// the old A and B. docs/kernels.md#low-rank derives it.
//
//   const LowRankShape s = MathShapeOf(model, std::get<LowRankKind>(model.state_kind));
//   LowRankForward(s, up, down, state, x, h, z, y);   // h = silu(u) and y, for one token
//
// Layout of one TTT layer's state: [up: A [d_model][r], B [r][d_ff]] then [down: A [d_ff][r],
// B [r][d_model]], each present when chosen. Same rules as core/ttt_math.h.
#pragma once

#include <cstdint>

#include "core/host_device.h"
#include "core/ttt_math.h"

namespace rwttt {

// What the low-rank math needs of a profile: its LowRankKind's parameters (core/low_rank_kind.h),
// its dims, dtypes and learning rate, read off once by MathShapeOf (core/state_shapes.h).
struct LowRankShape {
  std::uint32_t d_model = 0;
  std::uint32_t d_ff = 0;
  std::uint32_t rank = 0;
  bool up = false;    // a delta on W_up
  bool down = false;  // a delta on W_down
  bool act_bf16 = false;
  bool state_bf16 = false;
  float learning_rate = 0;

  // Elements of the delta on a projection [in][out]: A [in][r] and B [r][out].
  RWTTT_HD std::uint64_t delta_elems(std::uint32_t in, std::uint32_t out) const {
    return std::uint64_t{rank} * (std::uint64_t{in} + out);
  }
  RWTTT_HD std::uint64_t up_elems() const { return up ? delta_elems(d_model, d_ff) : 0; }
  RWTTT_HD std::uint64_t down_elems() const { return down ? delta_elems(d_ff, d_model) : 0; }
  RWTTT_HD std::uint64_t layer_elems() const { return up_elems() + down_elems(); }
  // Floats of scratch LowRankForward needs: x, u/h and z.
  RWTTT_HD std::uint64_t read_scratch() const { return std::uint64_t{d_model} + d_ff + rank; }
  // Floats of scratch LowRankWrite needs: the gradients, the forward's, targets, P and Q.
  RWTTT_HD std::uint64_t write_scratch() const {
    return layer_elems() + read_scratch() + d_model + d_ff + 2ull * rank;
  }
};

// Element e of a TTT layer's state at version 0: A a centred draw scaled by about 1/sqrt(in), B
// zero (as LoRA initialises it), so that every owner starts from the shared weights exactly.
RWTTT_HD float LowRankBaseElement(const LowRankShape& s, std::uint64_t run_key, std::uint32_t layer,
                                  std::uint64_t e) {
  std::uint32_t projection = 0, in = s.d_model;
  if (!s.up || e >= s.up_elems()) {
    projection = 1;
    in = s.d_ff;
    e -= s.up_elems();
  }
  const std::uint64_t a_elems = std::uint64_t{in} * s.rank;
  if (e >= a_elems) return 0.0f;
  const auto row = static_cast<std::uint32_t>(e / s.rank);
  const auto r = static_cast<std::uint32_t>(e % s.rank);
  return DrawCentered(run_key, row, layer, kDomainBase, projection * s.rank + r, 2) *
         InvSqrtPow2(in);
}

// out[j] += (in A) B [j] for the delta (A [n][r], B [r][m]) at `delta`: z = in A (i ascending),
// then d_j = z B_j (r ascending), then out_j + d_j. `z` holds r floats.
template <typename S>
RWTTT_HD_ALWAYS_INLINE void LowRankAddDelta(const LowRankShape& s, const S* delta, std::uint32_t n,
                                            std::uint32_t m, const float* in, float* z,
                                            float* out) {
  VecMat(in, delta, n, s.rank, z);                                             // z = in A
  VecMat(z, delta + std::uint64_t{n} * s.rank, s.rank, m, out, /*add=*/true);  // out += z B
}

// The layer's forward for one token with input x[d_model] (already rounded): h[d_ff] (rounded to
// the activation dtype) and, when y is not null, y[d_model] (not yet rounded). `up` [d_model][d_ff]
// and `down` [d_ff][d_model] are the shared weights; `state` the owner's layer. z: r floats.
template <typename A, typename S>
RWTTT_HD_ALWAYS_INLINE void LowRankForward(const LowRankShape& s, const A* up, const A* down,
                                           const S* state, const float* x, float* h, float* z,
                                           float* y) {
  VecMat(x, up, s.d_model, s.d_ff, h);
  if (s.up) LowRankAddDelta(s, state, s.d_model, s.d_ff, x, z, h);
  for (std::uint32_t f = 0; f < s.d_ff; ++f) h[f] = RoundAs(s.act_bf16, Silu(h[f]));
  if (y == nullptr) return;
  VecMat(h, down, s.d_ff, s.d_model, y);
  if (s.down) LowRankAddDelta(s, state + s.up_elems(), s.d_ff, s.d_model, h, z, y);
}

// x[d_model] of a token: its input draws rounded to the activation dtype.
RWTTT_HD_ALWAYS_INLINE void LowRankInput(const LowRankShape& s, std::uint64_t token_key,
                                         std::uint32_t owner_lo, std::uint32_t token,
                                         std::uint32_t layer, float* x) {
  InputRow(token_key, owner_lo, token, layer, s.d_model, x);  // four elements a Philox block
  RoundRow(s.act_bf16, x, s.d_model);
}

// READ of one token in one layer: y[d_model] (not yet rounded). scratch: read_scratch() floats.
template <typename A, typename S>
RWTTT_HD_ALWAYS_INLINE void LowRankRead(const LowRankShape& s, const A* up, const A* down,
                                        const S* state, std::uint64_t token_key,
                                        std::uint32_t owner_lo, std::uint32_t token,
                                        std::uint32_t layer, float* scratch, float* y) {
  float* x = scratch;
  float* h = x + s.d_model;
  float* z = h + s.d_ff;
  LowRankInput(s, token_key, owner_lo, token, layer, x);
  LowRankForward(s, up, down, state, x, h, z, y);
}

// Accumulates one token's gradient of the delta (A [n][r], B [r][m]) at `delta` into `grad` (same
// layout): P = v Bᵀ and Q = in A (r floats each), then dA[i][r] += in_i P_r, dB[r][j] += Q_r v_j.
template <typename S>
RWTTT_HD_ALWAYS_INLINE void LowRankAccumulate(const LowRankShape& s, const S* delta,
                                              std::uint32_t n, std::uint32_t m, const float* in,
                                              const float* v, float* p, float* q, float* grad) {
  MatVec(delta + std::uint64_t{n} * s.rank, v, s.rank, m, p);  // P = B v
  VecMat(in, delta, n, s.rank, q);                             // Q = in A
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t r = 0; r < s.rank; ++r) {
      float& acc = grad[std::uint64_t{i} * s.rank + r];
      acc = Mac(acc, in[i], p[r]);
    }
  }
  float* grad_b = grad + std::uint64_t{n} * s.rank;
  for (std::uint32_t r = 0; r < s.rank; ++r) {
    for (std::uint32_t j = 0; j < m; ++j) {
      float& acc = grad_b[std::uint64_t{r} * m + j];
      acc = Mac(acc, q[r], v[j]);
    }
  }
}

// WRITE of one layer over the chunk's tokens [first_token, end_token): every chosen projection's
// gradient from the old state, token by token (t ascending), then state += η grad. scratch:
// write_scratch() floats.
template <typename A, typename S>
RWTTT_HD_ALWAYS_INLINE void LowRankWrite(const LowRankShape& s, const A* up, const A* down,
                                         S* state, std::uint64_t token_key, std::uint32_t owner_lo,
                                         std::uint32_t first_token, std::uint32_t end_token,
                                         std::uint32_t layer, float* scratch) {
  float* grad = scratch;
  float* x = grad + s.layer_elems();
  float* h = x + s.d_model;
  float* z = h + s.d_ff;
  float* v = z + s.rank;        // [d_model]: the down projection's target
  float* v_up = v + s.d_model;  // [d_ff]: the up projection's target
  float* p = v_up + s.d_ff;
  float* q = p + s.rank;
  for (std::uint64_t n = 0; n < s.layer_elems(); ++n) grad[n] = 0.0f;
  for (std::uint32_t t = first_token; t < end_token; ++t) {
    LowRankInput(s, token_key, owner_lo, t, layer, x);
    LowRankForward<A, S>(s, up, down, state, x, h, z, nullptr);
    if (s.up) {
      DrawCenteredRow(token_key, t, layer, kDomainUpTarget, owner_lo, 0, s.d_ff, v_up);
      RoundRow(s.act_bf16, v_up, s.d_ff);
      LowRankAccumulate(s, state, s.d_model, s.d_ff, x, v_up, p, q, grad);
    }
    if (s.down) {
      TargetRow(token_key, owner_lo, t, layer, s.d_model, v);
      RoundRow(s.act_bf16, v, s.d_model);
      LowRankAccumulate(s, state + s.up_elems(), s.d_ff, s.d_model, h, v, p, q,
                        grad + s.up_elems());
    }
  }
  for (std::uint64_t n = 0; n < s.layer_elems(); ++n) {
    Store(state + n,
          RoundAs(s.state_bf16, UpdatedWeight(Load(state[n]), grad[n], s.learning_rate)));
  }
}

}  // namespace rwttt
