// The math of the `lact-swiglu` state kind, written once for every backend: LaCT (Large Chunk
// Test-Time Training, arXiv 2505.23884). Each TTT layer holds, per head, a SwiGLU fast-weight MLP
//
//   f(x) = W1 (silu(W0 x) ⊙ (W2 x)),   W0, W2: [fast_dim][head_dim],  W1: [head_dim][fast_dim]
//
// applied to a token's query on READ, and updated on WRITE by one gradient step over the chunk's
// keys and values on the dot-product loss -Σ_t η_t ⟨f(k_t), v_t⟩, with per-token learning rates,
// optionally orthogonalised by Muon's Newton–Schulz iteration and followed by a weight-norm step
// that restores each row's norm to its value at version 0. docs/kernels.md#lact derives it.
//
//   const LactShape s = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
//   LactReadHead(s, head_state, LactTokenKey{key, owner_lo, token, layer, head}, scratch, out);
//
// Same rules as core/ttt_math.h: fp32 accumulation with Mac() in the documented order, + - * /
// and SqrtF only, fixed iteration counts, so every backend computes the same bits.
#pragma once

#include <cstdint>

#include "core/host_device.h"
#include "core/ttt_math.h"

namespace rwttt {

// What the LaCT math needs of a profile: its LactSwigluKind's parameters (core/lact_swiglu_kind.h)
// and its dtypes and learning rate, read off once by MathShapeOf (core/state_shapes.h).
struct LactShape {
  std::uint32_t heads = 0;
  std::uint32_t head_dim = 0;  // d_model / heads: q, k, v and f's input and output per head
  std::uint32_t fast_dim = 0;  // f's hidden width
  bool muon = false;
  bool weight_norm = false;
  bool act_bf16 = false;    // inputs are rounded to bf16 (the profile's dtype)
  bool state_bf16 = false;  // the state is rounded to bf16 (the profile's state_dtype)
  float learning_rate = 0;

  RWTTT_HD std::uint64_t matrix_elems() const { return std::uint64_t{head_dim} * fast_dim; }
  // One head's state: W0, W1, W2 in that order.
  RWTTT_HD std::uint64_t head_elems() const { return 3 * matrix_elems(); }
  RWTTT_HD std::uint64_t layer_elems() const { return heads * head_elems(); }
  RWTTT_HD std::uint32_t max_dim() const { return head_dim > fast_dim ? head_dim : fast_dim; }
  RWTTT_HD std::uint32_t min_dim() const { return head_dim < fast_dim ? head_dim : fast_dim; }
  // Floats of scratch LactReadHead needs.
  RWTTT_HD std::uint64_t read_scratch() const { return 2ull * fast_dim + head_dim; }
  // Floats of scratch LactReadTokens needs for `count` tokens: LactReadHead's for one; for more,
  // the transposed query, hidden and output vectors of kLactReadLanes tokens and one query.
  RWTTT_HD std::uint64_t read_tokens_scratch(std::uint32_t count) const;
  // Floats of scratch LactWriteHead needs: the three gradients, the token's vectors, a block of
  // kLactWriteBlock tokens' gradient factors, transposed keys and W0 k, W2 k (the host's lanes;
  // unused on a device), and Newton–Schulz's work matrices (NewtonSchulzScratch).
  RWTTT_HD std::uint64_t write_scratch() const;
};

// Muon's Newton–Schulz iteration: five steps X <- a X + (b A + c A²) X with A = X Xᵀ, with the
// per-step coefficients LaCT's code uses (a quintic schedule that pushes singular values towards 1
// fast). A fixed count, so that every backend runs the same operations.
inline constexpr int kNewtonSchulzSteps = 5;
RWTTT_HD float NewtonSchulzCoefficient(int step, int which) {
  constexpr float kCoefficients[kNewtonSchulzSteps][3] = {{4.0848f, -6.8946f, 2.9270f},
                                                          {3.9505f, -6.3029f, 2.6377f},
                                                          {3.7418f, -5.5913f, 2.3037f},
                                                          {2.8769f, -3.1427f, 1.2046f},
                                                          {2.8366f, -3.0525f, 1.2012f}};
  return kCoefficients[step][which];
}

// Replaces g [rows][cols] by its Newton–Schulz orthogonalisation: scaled to Frobenius norm 1
// (plus 1e-7), then kNewtonSchulzSteps steps on the wide orientation (rows <= cols, transposing
// when needed). `scratch` holds NewtonSchulzScratch(rows, cols) floats.
RWTTT_HD std::uint64_t NewtonSchulzScratch(std::uint32_t rows, std::uint32_t cols) {
  const std::uint64_t p = rows < cols ? rows : cols, q = rows < cols ? cols : rows;
  return 2 * p * p + 2 * p * q + std::uint64_t{kMatVecLanes} * (p + q);
}

// kLanes false computes every row of x xᵀ with MatVec, as a device does: tests hold the two
// against each other, bit for bit.
template <bool kLanes = true>
RWTTT_HD_ALWAYS_INLINE void NewtonSchulz(float* g, std::uint32_t rows, std::uint32_t cols,
                                         float* scratch) {
  const bool transpose = rows > cols;
  const std::uint32_t p = transpose ? cols : rows, q = transpose ? rows : cols;
  float* x = scratch;                        // [p][q]
  float* next = x + std::uint64_t{p} * q;    // [p][q]
  float* a = next + std::uint64_t{p} * q;    // [p][p]
  float* b = a + std::uint64_t{p} * p;       // [p][p]
  float* rows_t = b + std::uint64_t{p} * p;  // [q][kMatVecLanes]: 16 rows of x, or 16 products
  float* a_t = rows_t + std::uint64_t{q} * kMatVecLanes;  // [p][kMatVecLanes]: 16 rows of a or b
  float norm2 = 0.0f;
  for (std::uint32_t r = 0; r < p; ++r) {
    for (std::uint32_t c = 0; c < q; ++c) {
      const float v = transpose ? g[std::uint64_t{c} * cols + r] : g[std::uint64_t{r} * cols + c];
      x[std::uint64_t{r} * q + c] = v;
      norm2 = Mac(norm2, v, v);
    }
  }
  const float scale = SqrtF(norm2) + 1e-7f;
  for (std::uint64_t e = 0; e < std::uint64_t{p} * q; ++e) x[e] = x[e] / scale;
  for (int step = 0; step < kNewtonSchulzSteps; ++step) {
    const float ca = NewtonSchulzCoefficient(step, 0);
    const float cb = NewtonSchulzCoefficient(step, 1);
    const float cc = NewtonSchulzCoefficient(step, 2);
    // Row by row: a = x xᵀ; b = cb a + cc a a; next = ca x + b x. On the host a's rows go 16 at
    // a time through MatVecLanes (bit for bit MatVec's rows): MatVec's dot products are chains of
    // dependent adds.
    std::uint32_t r0 = 0;
#if !defined(__CUDA_ARCH__)
    constexpr std::uint32_t kL = kMatVecLanes;
    for (; kLanes && r0 + 1 < p; r0 += kL) {
      const std::uint32_t n = p - r0 < kL ? p - r0 : kL;
      for (std::uint32_t l = 0; l < kL; ++l) {
        const float* row = x + std::uint64_t{r0 + l} * q;
        for (std::uint32_t c = 0; c < q; ++c) rows_t[c * kL + l] = l < n ? row[c] : 0.0f;
      }
      MatVecLanes(x, rows_t, p, q, a_t);
      for (std::uint32_t l = 0; l < n; ++l) {
        for (std::uint32_t c = 0; c < p; ++c) a[std::uint64_t{r0 + l} * p + c] = a_t[c * kL + l];
      }
    }
#endif
    for (std::uint32_t r = r0; r < p; ++r) MatVec(x, x + std::uint64_t{r} * q, p, q, a + r * p);
    // b and next likewise: on the host 16 rows of a (then of b) transposed through VecMatLanes,
    // which reads a (then x) once for the 16 rows instead of once per row. lanes_product writes
    // out[e] = combine(e, (left right)[e]) for the rows it does and returns the first it did not.
    std::uint32_t rb = 0, rn = 0;
#if !defined(__CUDA_ARCH__)
    auto lanes_product = [&](const float* left, const float* right, std::uint32_t cols, float* out,
                             auto combine) {
      std::uint32_t r = 0;
      for (; kLanes && r + 1 < p; r += kL) {
        const std::uint32_t n = p - r < kL ? p - r : kL;
        for (std::uint32_t l = 0; l < kL; ++l) {
          for (std::uint32_t c = 0; c < p; ++c)
            a_t[c * kL + l] = l < n ? left[std::uint64_t{r + l} * p + c] : 0.0f;
        }
        VecMatLanes(a_t, right, p, cols, rows_t);  // [cols][kL]
        for (std::uint32_t l = 0; l < n; ++l) {
          const std::uint64_t row = std::uint64_t{r + l} * cols;
          for (std::uint32_t c = 0; c < cols; ++c)
            out[row + c] = combine(row + c, rows_t[c * kL + l]);
        }
      }
      return r;
    };
    rb = lanes_product(a, a, p, b, [&](std::uint64_t e, float aa) { return cb * a[e] + cc * aa; });
#endif
    for (std::uint32_t r = rb; r < p; ++r) {
      float* b_row = b + std::uint64_t{r} * p;
      VecMat(a + std::uint64_t{r} * p, a, p, p, b_row);
      for (std::uint32_t c = 0; c < p; ++c)
        b_row[c] = cb * a[std::uint64_t{r} * p + c] + cc * b_row[c];
    }
#if !defined(__CUDA_ARCH__)
    rn = lanes_product(b, x, q, next, [&](std::uint64_t e, float bx) { return ca * x[e] + bx; });
#endif
    for (std::uint32_t r = rn; r < p; ++r) {
      float* next_row = next + std::uint64_t{r} * q;
      VecMat(b + std::uint64_t{r} * p, x, p, q, next_row);
      for (std::uint32_t c = 0; c < q; ++c)
        next_row[c] = ca * x[std::uint64_t{r} * q + c] + next_row[c];
    }
    float* t = x;
    x = next;
    next = t;
  }
  for (std::uint32_t r = 0; r < p; ++r) {
    for (std::uint32_t c = 0; c < q; ++c) {
      const float v = x[std::uint64_t{r} * q + c];
      if (transpose) {
        g[std::uint64_t{c} * cols + r] = v;
      } else {
        g[std::uint64_t{r} * cols + c] = v;
      }
    }
  }
}

// ---- Weights and inputs ------------------------------------------------------------------------

// Rows and columns of matrix m (0: W0, 1: W1, 2: W2) of a head.
RWTTT_HD std::uint32_t LactRows(const LactShape& s, std::uint32_t m) {
  return m == 1 ? s.head_dim : s.fast_dim;
}
RWTTT_HD std::uint32_t LactCols(const LactShape& s, std::uint32_t m) {
  return m == 1 ? s.fast_dim : s.head_dim;
}

// Element e of a TTT layer's state at version 0 (shared by every owner, as LaCT's learned initial
// fast weights are): centred draws scaled by about 1/sqrt(fan-in), as LaCT initialises them.
RWTTT_HD float LactBaseElement(const LactShape& s, std::uint64_t run_key, std::uint32_t layer,
                               std::uint64_t e) {
  const auto head = static_cast<std::uint32_t>(e / s.head_elems());
  const std::uint64_t in_head = e % s.head_elems();
  const auto m = static_cast<std::uint32_t>(in_head / s.matrix_elems());
  const std::uint64_t in_matrix = in_head % s.matrix_elems();
  const std::uint32_t cols = LactCols(s, m);
  const auto row = static_cast<std::uint32_t>(in_matrix / cols);
  const auto col = static_cast<std::uint32_t>(in_matrix % cols);
  const std::uint32_t index = (head * 3 + m) * s.max_dim() + col;
  return DrawCentered(run_key, row, layer, kDomainBase, index, 1) * InvSqrtPow2(cols);
}

// One token's LaCT inputs for one head: query and key (each L2-normalised, as LaCT normalises
// them), value, and the three per-token learning rates (for W0, W1, W2), each in
// (0, 2 * learning_rate).
struct LactTokenKey {
  std::uint64_t token_key = 0;
  std::uint32_t owner_lo = 0;
  std::uint32_t token = 0;
  std::uint32_t layer = 0;  // the model layer
  std::uint32_t head = 0;
};

// Fills v[head_dim] with draws of `domain`, rounded to the activation dtype; L2-normalises when
// `normalise` (v / (|v| + 1e-5)).
RWTTT_HD_ALWAYS_INLINE void LactVector(const LactShape& s, const LactTokenKey& k,
                                       std::uint32_t domain, bool normalise, float* v) {
  const std::uint32_t first = k.head * s.head_dim;
  if (first % 4 == 0) {  // whole Philox blocks: each computed once for its four elements
    DrawCenteredRow(k.token_key, k.token, k.layer, domain, k.owner_lo, first, s.head_dim, v);
  } else {
    for (std::uint32_t c = 0; c < s.head_dim; ++c)
      v[c] = DrawCentered(k.token_key, k.token, k.layer, domain, first + c, k.owner_lo);
  }
  float norm2 = 0.0f;
  for (std::uint32_t c = 0; c < s.head_dim; ++c) {
    v[c] = RoundAs(s.act_bf16, v[c]);
    norm2 = Mac(norm2, v[c], v[c]);
  }
  if (!normalise) return;
  const float scale = SqrtF(norm2) + 1e-5f;
  for (std::uint32_t c = 0; c < s.head_dim; ++c) v[c] = v[c] / scale;
}

RWTTT_HD float LactLearningRate(const LactShape& s, const LactTokenKey& k, std::uint32_t m) {
  return s.learning_rate * (1.0f + DrawCentered(k.token_key, k.token, k.layer, kDomainLr,
                                                k.head * 3 + m, k.owner_lo));
}

// ---- READ and WRITE ----------------------------------------------------------------------------

// a = W0 x, b = W2 x (c ascending) for one head's state w.
template <typename S>
RWTTT_HD_ALWAYS_INLINE void LactHidden(const LactShape& s, const S* w, const float* x, float* a,
                                       float* b) {
  MatVec(w, x, s.fast_dim, s.head_dim, a);
  MatVec(w + 2 * s.matrix_elems(), x, s.fast_dim, s.head_dim, b);
}

// READ of one token and head: out[head_dim] = f(q) with the head's state w (not yet rounded).
template <typename S>
RWTTT_HD_ALWAYS_INLINE void LactReadHead(const LactShape& s, const S* w, const LactTokenKey& k,
                                         float* scratch, float* out) {
  float* a = scratch;
  float* b = a + s.fast_dim;
  float* q = b + s.fast_dim;
  LactVector(s, k, kDomainInput, /*normalise=*/true, q);
  LactHidden(s, w, q, a, b);
  for (std::uint32_t i = 0; i < s.fast_dim; ++i) a[i] = Silu(a[i]) * b[i];
  MatVec(w + s.matrix_elems(), a, s.head_dim, s.fast_dim, out);  // W1 g
}

// Tokens LactReadTokens reads in one pass over a head's state on the host: one AVX-512 register
// of fp32 lanes.
inline constexpr std::uint32_t kLactReadLanes = kMatVecLanes;

RWTTT_HD std::uint64_t LactShape::read_tokens_scratch(std::uint32_t count) const {
  if (count <= 1) return read_scratch();
  return kLactReadLanes * (2ull * fast_dim + 2ull * head_dim) + head_dim;
}

// READ of `count` tokens (1 <= count <= kLactReadLanes) of one head, all against the same state w:
// out[g * out_stride + j] = f(q_g)[j] for keys[g], bit for bit LactReadHead's result for each
// token (every element keeps its operations and their order). On the host, more than one token
// runs transposed, so that the products vectorise across tokens and w is read once for all of
// them (a prefill span's tokens, or the owners that share a copy-on-write base); a device thread
// reads one token at a time. Scratch: read_tokens_scratch(count) floats.
template <typename S>
RWTTT_HD_ALWAYS_INLINE void LactReadTokens(const LactShape& s, const S* w, const LactTokenKey* keys,
                                           std::uint32_t count, float* scratch, float* out,
                                           std::uint64_t out_stride) {
#if !defined(__CUDA_ARCH__)
  if (count > 1) {
    constexpr std::uint32_t kL = kLactReadLanes;
    const std::uint32_t hd = s.head_dim, fd = s.fast_dim;
    float* qt = scratch;       // [head_dim][kL]
    float* at = qt + hd * kL;  // [fast_dim][kL]
    float* bt = at + fd * kL;  // [fast_dim][kL]
    float* ot = bt + fd * kL;  // [head_dim][kL]
    float* q = ot + hd * kL;   // [head_dim]
    for (std::uint32_t g = 0; g < kL; ++g) {
      if (g < count) {
        LactVector(s, keys[g], kDomainInput, /*normalise=*/true, q);
      } else {
        for (std::uint32_t c = 0; c < hd; ++c) q[c] = 0.0f;  // an unused lane
      }
      for (std::uint32_t c = 0; c < hd; ++c) qt[c * kL + g] = q[c];
    }
    MatVecLanes(w, qt, fd, hd, at);                         // W0 q
    MatVecLanes(w + 2 * s.matrix_elems(), qt, fd, hd, bt);  // W2 q
    for (std::uint64_t n = 0; n < std::uint64_t{fd} * kL; ++n) at[n] = Silu(at[n]) * bt[n];
    MatVecLanes(w + s.matrix_elems(), at, hd, fd, ot);  // W1 g
    for (std::uint32_t g = 0; g < count; ++g) {
      for (std::uint32_t j = 0; j < hd; ++j) out[g * out_stride + j] = ot[j * kL + g];
    }
    return;
  }
#endif
  for (std::uint32_t g = 0; g < count; ++g)
    LactReadHead(s, w, keys[g], scratch, out + g * out_stride);
}

// Tokens whose gradient factors LactWriteHead gathers before adding them into the gradients, so
// that the 3 head matrices' worth of fp32 gradient moves once per block instead of once per token.
inline constexpr std::uint32_t kLactWriteBlock = 16;
// Floats of padding after each token's row of a block's factors (a cache line).
inline constexpr std::uint32_t kLactRowPad = 16;
static_assert(kLactWriteBlock == kMatVecLanes, "a block's keys are one MatVecLanes call");

RWTTT_HD std::uint64_t LactShape::write_scratch() const {
  return head_elems() + 2ull * head_dim + 4ull * fast_dim +
         std::uint64_t{kLactWriteBlock} * (5ull * head_dim + 6ull * fast_dim + 6ull * kLactRowPad) +
         NewtonSchulzScratch(head_dim, fast_dim);
}

// WRITE of one head over the chunk's tokens [first_token, end_token): the gradient step, Muon
// when enabled, then the weight norm when enabled; w is updated in place. `base` is the head's
// state at version 0 (the weight norm's target row norms). `k.token` is ignored.
// kBlock (at most kLactWriteBlock) changes no bit: tests hold kBlock 1, one token at a time,
// against the default.
template <std::uint32_t kBlock = kLactWriteBlock, typename S>
RWTTT_HD_ALWAYS_INLINE void LactWriteHead(const LactShape& s, S* w, const S* base, LactTokenKey k,
                                          std::uint32_t first_token, std::uint32_t end_token,
                                          float* scratch) {
  static_assert(kBlock >= 1 && kBlock <= kLactWriteBlock, "write_scratch() sizes the block");
  const std::uint64_t me = s.matrix_elems();
  const std::uint32_t hd = s.head_dim, fd = s.fast_dim;
  float* g = scratch;  // [3][me]: dW0, dW1, dW2 in the state's layout
  float* key = g + 3 * me;
  float* val = key + hd;
  float* a = val + hd;
  float* b = a + fd;
  float* sa = b + fd;
  float* e = sa + fd;
  // A block's factors, token by token: v, lr1 (silu(a) ⊙ b), lr0 k, lr2 k, and the per-row
  // scalars of dW0 and dW2. Each token's row is padded (kLactRowPad): at a power-of-two stride
  // the block's 16 rows fell into the same L1 sets and MacOuterProducts' loads missed.
  const std::uint64_t hp = hd + kLactRowPad, fp = fd + kLactRowPad;
  float* vs = e + fd;                       // [kLactWriteBlock][hp]
  float* us = vs + kLactWriteBlock * hp;    // [kLactWriteBlock][fp]
  float* k0s = us + kLactWriteBlock * fp;   // [kLactWriteBlock][hp]
  float* k2s = k0s + kLactWriteBlock * hp;  // [kLactWriteBlock][hp]
  float* das = k2s + kLactWriteBlock * hp;  // [kLactWriteBlock][fp]
  float* dbs = das + kLactWriteBlock * fp;  // [kLactWriteBlock][fp]
  // On the host, a block's keys and targets transposed (tokens as lanes), and W0 k, W2 k, W1ᵀ v
  // for all of them from one pass over W0, W2 and W1 (MatVecLanes and VecMatLanes, bit for bit
  // MatVec's and VecMat's result for each token, as LactReadTokens uses them).
  float* kt = dbs + kLactWriteBlock * fp;  // [hd][kLactWriteBlock]
  float* at = kt + kLactWriteBlock * hd;   // [fd][kLactWriteBlock]
  float* bt = at + kLactWriteBlock * fd;   // [fd][kLactWriteBlock]
  float* vt = bt + kLactWriteBlock * fd;   // [hd][kLactWriteBlock]: the block's targets v
  float* et = vt + kLactWriteBlock * hd;   // [fd][kLactWriteBlock]: W1ᵀ v of each
  float* ns = et + kLactWriteBlock * fd;
  for (std::uint64_t n = 0; n < 3 * me; ++n) g[n] = 0.0f;
  const S* w1 = w + me;
  for (std::uint32_t t0 = first_token; t0 < end_token; t0 += kBlock) {
    const std::uint32_t count = end_token - t0 < kBlock ? end_token - t0 : kBlock;
    bool lanes = false;
#if !defined(__CUDA_ARCH__)
    if (count > 1) {
      constexpr std::uint32_t kL = kLactWriteBlock;
      for (std::uint32_t n = 0; n < kL; ++n) {
        k.token = t0 + n;
        if (n < count) {
          LactVector(s, k, kDomainKey, /*normalise=*/true, key);
        } else {
          for (std::uint32_t c = 0; c < hd; ++c) key[c] = 0.0f;  // an unused lane
        }
        for (std::uint32_t c = 0; c < hd; ++c) kt[c * kL + n] = key[c];
        if (n < count) {
          LactVector(s, k, kDomainTarget, /*normalise=*/false, val);
        } else {
          for (std::uint32_t c = 0; c < hd; ++c) val[c] = 0.0f;
        }
        for (std::uint32_t c = 0; c < hd; ++c) vt[c * kL + n] = val[c];
      }
      MatVecLanes(w, kt, fd, hd, at);           // W0 k
      MatVecLanes(w + 2 * me, kt, fd, hd, bt);  // W2 k
      VecMatLanes(vt, w1, hd, fd, et);          // W1ᵀ v
      lanes = true;
    }
#endif
    for (std::uint32_t n = 0; n < count; ++n) {
      k.token = t0 + n;
      if (lanes) {  // the key and target drawn above, and their W0 k, W2 k, W1ᵀ v
        for (std::uint32_t c = 0; c < hd; ++c) {
          key[c] = kt[c * kLactWriteBlock + n];
          val[c] = vt[c * kLactWriteBlock + n];
        }
        for (std::uint32_t i = 0; i < fd; ++i) {
          a[i] = at[i * kLactWriteBlock + n];
          b[i] = bt[i * kLactWriteBlock + n];
          e[i] = et[i * kLactWriteBlock + n];
        }
      } else {
        LactVector(s, k, kDomainKey, /*normalise=*/true, key);
        LactHidden(s, w, key, a, b);
        LactVector(s, k, kDomainTarget, /*normalise=*/false, val);
        VecMat(val, w1, hd, fd, e);  // e = W1ᵀ v
      }
      const float lr0 = LactLearningRate(s, k, 0);
      const float lr1 = LactLearningRate(s, k, 1);
      const float lr2 = LactLearningRate(s, k, 2);
      for (std::uint32_t i = 0; i < fd; ++i) sa[i] = Silu(a[i]);
      float* v_n = vs + std::uint64_t{n} * hp;
      float* u_n = us + std::uint64_t{n} * fp;
      float* k0_n = k0s + std::uint64_t{n} * hp;
      float* k2_n = k2s + std::uint64_t{n} * hp;
      float* da_n = das + std::uint64_t{n} * fp;
      float* db_n = dbs + std::uint64_t{n} * fp;
      for (std::uint32_t j = 0; j < hd; ++j) v_n[j] = val[j];
      for (std::uint32_t i = 0; i < fd; ++i) u_n[i] = lr1 * (sa[i] * b[i]);
      for (std::uint32_t c = 0; c < hd; ++c) {
        k0_n[c] = lr0 * key[c];
        k2_n[c] = lr2 * key[c];
      }
      for (std::uint32_t i = 0; i < fd; ++i) {
        da_n[i] = e[i] * b[i] * SiluGrad(a[i]);
        db_n[i] = e[i] * sa[i];
      }
    }
    // Every gradient element adds the block's tokens in ascending order, as one token at a time
    // would: dW1[j][i] += v_j * (lr1 * g_i), g = silu(a) ⊙ b; dW0[i][c] += (e_i b_i silu'(a_i)) *
    // (lr0 k_c); dW2[i][c] += (e_i silu(a_i)) * (lr2 k_c).
    MacOuterProducts(g + me, hd, fd, vs, hp, us, fp, count);
    MacOuterProducts(g, fd, hd, das, fp, k0s, hp, count);
    MacOuterProducts(g + 2 * me, fd, hd, dbs, fp, k2s, hp, count);
  }
  for (std::uint32_t m = 0; m < 3; ++m) {
    float* gm = g + m * me;
    if (s.muon) NewtonSchulz(gm, LactRows(s, m), LactCols(s, m), ns);
    // The new weights, in fp32, over the gradient buffer.
    for (std::uint64_t n = 0; n < me; ++n) gm[n] = Load(w[m * me + n]) + gm[n];
    const std::uint32_t rows = LactRows(s, m), cols = LactCols(s, m);
    for (std::uint32_t r = 0; r < rows; ++r) {
      float* row = gm + std::uint64_t{r} * cols;
      float scale = 1.0f;
      if (s.weight_norm) {
        const S* base_row = base + m * me + std::uint64_t{r} * cols;
        float now2 = 0.0f, want2 = 0.0f;
        for (std::uint32_t c = 0; c < cols; ++c) {
          now2 = Mac(now2, row[c], row[c]);
          want2 = Mac(want2, Load(base_row[c]), Load(base_row[c]));
        }
        scale = SqrtF(want2) / (SqrtF(now2) + 1e-5f);
      }
      S* out = w + m * me + std::uint64_t{r} * cols;
      for (std::uint32_t c = 0; c < cols; ++c) {
        Store(out + c, RoundAs(s.state_bf16, s.weight_norm ? row[c] * scale : row[c]));
      }
    }
  }
}

}  // namespace rwttt
