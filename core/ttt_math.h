// The TTT math, written once (DESIGN §4): every backend (cpu, omp, cuda) calls these functions,
// so that the same inputs give the same bits. docs/kernels.md explains each choice.
//
//   float x = InputValue(TokenKey(seed, carry, owner), owner_lo, token, layer, k);
//   acc = Mac(acc, h_i, w_ij);   // y_j = sum_i h_i * W_ij, i ascending, acc starting at 0
//
// Rules every caller keeps: accumulate in fp32 with Mac() in the documented order, starting from
// 0.0f; round each stored value with Store() (bf16: round to nearest even); build with
// -ffp-contract=off / nvcc --fmad=false and no fast-math. Only + - * / and integer operations
// appear here (exp is built from them), because libm and CUDA's math library differ in the last
// bit. No CUDA header is included: RWTTT_HD makes these __host__ __device__ under nvcc.
#pragma once

#include <cmath>
#include <cstdint>

#include "core/bf16.h"
#include "core/host_device.h"
#include "core/philox.h"

namespace rwttt {

// ---- Storage: fp32 or bf16 elements, loaded to fp32 and stored with rounding ----------------
// Every store keeps one canonical NaN (core/bf16.h), so that a run that overflows digests the same
// on every backend.

RWTTT_HD float Load(float x) { return x; }
RWTTT_HD float Load(Bf16 x) { return Bf16ToFloat(x); }
RWTTT_HD void Store(float* p, float v) { *p = CanonicalFloat(v); }
RWTTT_HD void Store(Bf16* p, float v) { *p = FloatToBf16(v); }
// The bits of a stored element, as state fingerprints absorb them.
RWTTT_HD std::uint32_t StorageWord(float x) { return FloatBits(x); }
RWTTT_HD std::uint32_t StorageWord(Bf16 x) { return x.bits; }

// ---- Keys and counters ------------------------------------------------------------------------

// SplitMix64's finalizer: a bijection of 64-bit words that spreads every input bit.
RWTTT_HD std::uint64_t Mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

// What a Philox draw is for; the top 4 bits of counter word 2, so that draws never collide.
inline constexpr std::uint32_t kDomainInput = 1;     // x_t, a token's input to a TTT layer
inline constexpr std::uint32_t kDomainTarget = 2;    // v_t, a token's target signal (WRITE's V)
inline constexpr std::uint32_t kDomainUp = 3;        // W_up, shared by all owners
inline constexpr std::uint32_t kDomainBase = 4;      // every owner's state at version 0
inline constexpr std::uint32_t kDomainKey = 5;       // k_t, a LaCT token's key
inline constexpr std::uint32_t kDomainLr = 6;        // a LaCT token's per-matrix learning rates
inline constexpr std::uint32_t kDomainUpTarget = 7;  // a low-rank up projection's target

// Philox key of the shared weights of a run.
RWTTT_HD std::uint64_t RunKey(std::uint64_t run_seed) {
  return Mix64(run_seed ^ 0x5851F42D4C957F2Dull);
}

// Philox key of an owner's per-token draws: its input seed, mixed with its autoregressive carry
// (so that anything it produced earlier changes every later input) and the high half of its id
// (the low half goes in the counter).
RWTTT_HD std::uint64_t TokenKey(std::uint64_t input_seed, std::uint64_t carry,
                                std::uint64_t owner) {
  return Mix64(Mix64(input_seed ^ 0xD1B54A32D192ED03ull) ^ carry) ^ Mix64(owner >> 32);
}

// A value in (-1, 1) from element `index` of the draw keyed by `key` and counter
// (c0, layer, domain | index / 4, c3). Each Philox block gives four elements.
RWTTT_HD float DrawCentered(std::uint64_t key, std::uint32_t c0, std::uint32_t layer,
                            std::uint32_t domain, std::uint32_t index, std::uint32_t c3) {
  const PhiloxBlock r = PhiloxBits(key, c0, layer, (domain << 28) | (index >> 2), c3);
  return UnitFloat(r[index & 3u]) * 2.0f - 1.0f;
}

// Elements [first, first + n) of the draw DrawCentered gives one by one (first a multiple of 4):
// out[i] = DrawCentered(key, c0, layer, domain, first + i, c3), each Philox block computed once
// for its four elements instead of four times.
RWTTT_HD_ALWAYS_INLINE void DrawCenteredRow(std::uint64_t key, std::uint32_t c0,
                                            std::uint32_t layer, std::uint32_t domain,
                                            std::uint32_t c3, std::uint32_t first, std::uint32_t n,
                                            float* out) {
  std::uint32_t i = 0;
  for (; i + 4 <= n; i += 4) {  // whole blocks
    const PhiloxBlock r = PhiloxBits(key, c0, layer, (domain << 28) | ((first + i) >> 2), c3);
    for (int e = 0; e < 4; ++e) out[i + e] = UnitFloat(r[e]) * 2.0f - 1.0f;
  }
  if (i < n) {  // the last 1 to 3 elements
    const PhiloxBlock r = PhiloxBits(key, c0, layer, (domain << 28) | ((first + i) >> 2), c3);
    for (std::uint32_t e = 0; i + e < n; ++e)
      out[i + e] = UnitFloat(r[static_cast<int>(e)]) * 2.0f - 1.0f;
  }
}

// Vectors MatVecLanes and VecMatLanes multiply at once, and tokens DrawCenteredLanes draws at
// once: one AVX-512 register of fp32 lanes.
inline constexpr std::uint32_t kMatVecLanes = 16;

// Elements [0, d) of the draws of kLanes consecutive c0 at once, stored transposed (each
// element's lanes as one vector, as VecMatLanes takes them): out[k * kLanes + g] =
// DrawCentered(key, c0 + g, layer, domain, k, c3). Each four-block of a c0 is one lane of
// PhiloxBitsLanes, sixteen lanes a call (with eight c0, two blocks of each), so that the rounds
// run as vector multiplies.
template <std::uint32_t kLanes = kMatVecLanes>
RWTTT_HD_ALWAYS_INLINE void DrawCenteredLanes(std::uint64_t key, std::uint32_t c0,
                                              std::uint32_t layer, std::uint32_t domain,
                                              std::uint32_t c3, std::uint32_t d, float* out) {
  static_assert(kMatVecLanes % kLanes == 0);
  constexpr std::uint32_t kBlocks = kMatVecLanes / kLanes;  // blocks of each c0 a call draws
  for (std::uint32_t first = 0; 4 * first < d; first += kBlocks) {
    std::uint32_t words[4][kMatVecLanes];
    for (std::uint32_t q = 0; q < kBlocks; ++q) {
      for (std::uint32_t g = 0; g < kLanes; ++g) {
        words[0][q * kLanes + g] = c0 + g;
        words[1][q * kLanes + g] = layer;
        words[2][q * kLanes + g] = (domain << 28) | (first + q);
        words[3][q * kLanes + g] = c3;
      }
    }
#if defined(__CUDA_ARCH__)
    PhiloxBitsLanes(key, words);
#else
    PhiloxBitsLanes16(key, words);
#endif
    for (std::uint32_t q = 0; q < kBlocks; ++q) {
      for (std::uint32_t e = 0; e < 4 && 4 * (first + q) + e < d; ++e) {
        float* row = out + std::uint64_t{4 * (first + q) + e} * kLanes;
        for (std::uint32_t g = 0; g < kLanes; ++g)
          row[g] = UnitFloat(words[e][q * kLanes + g]) * 2.0f - 1.0f;
      }
    }
  }
}

// 2^-ceil(log2(n) / 2): a power of two near 1/sqrt(n), so that scaling is exact.
RWTTT_HD float InvSqrtPow2(std::uint32_t n) {
  std::uint32_t e = 0;
  while (e < 32 && (std::uint64_t{1} << e) < n) ++e;
  float s = 1.0f;
  for (std::uint32_t i = 0; i < (e + 1) / 2; ++i) s *= 0.5f;
  return s;
}

// ---- The tensors, element by element ---------------------------------------------------------
// `layer` is the model layer index (ModelProfile::ttt_layers[l]), not the TTT layer's position.

// W_up[k][f] of a TTT layer, shape [d_model][d_ff], shared by every owner.
RWTTT_HD float UpWeight(std::uint64_t run_key, std::uint32_t layer, std::uint32_t k,
                        std::uint32_t f, std::uint32_t d_model) {
  return DrawCentered(run_key, k, layer, kDomainUp, f, 0) * InvSqrtPow2(d_model);
}

// The base W_down[i][j], shape [d_ff][d_model]: every owner's fast weight at version 0.
RWTTT_HD float BaseWeight(std::uint64_t run_key, std::uint32_t layer, std::uint32_t i,
                          std::uint32_t j, std::uint32_t d_ff) {
  return DrawCentered(run_key, i, layer, kDomainBase, j, 0) * InvSqrtPow2(d_ff);
}

// x_t[k]: token `token`'s input to a TTT layer, shape [d_model].
RWTTT_HD float InputValue(std::uint64_t token_key, std::uint32_t owner_lo, std::uint32_t token,
                          std::uint32_t layer, std::uint32_t k) {
  return DrawCentered(token_key, token, layer, kDomainInput, k, owner_lo);
}

// v_t[j]: token `token`'s target signal for a WRITE, shape [d_model].
RWTTT_HD float TargetValue(std::uint64_t token_key, std::uint32_t owner_lo, std::uint32_t token,
                           std::uint32_t layer, std::uint32_t j) {
  return DrawCentered(token_key, token, layer, kDomainTarget, j, owner_lo);
}

// x_t[0, d) and v_t[0, d): InputValue and TargetValue of every element, as one row.
RWTTT_HD_ALWAYS_INLINE void InputRow(std::uint64_t token_key, std::uint32_t owner_lo,
                                     std::uint32_t token, std::uint32_t layer, std::uint32_t d,
                                     float* out) {
  DrawCenteredRow(token_key, token, layer, kDomainInput, owner_lo, 0, d, out);
}
RWTTT_HD_ALWAYS_INLINE void TargetRow(std::uint64_t token_key, std::uint32_t owner_lo,
                                      std::uint32_t token, std::uint32_t layer, std::uint32_t d,
                                      float* out) {
  DrawCenteredRow(token_key, token, layer, kDomainTarget, owner_lo, 0, d, out);
}

// x and v of tokens [token, token + kLanes), stored transposed: out[k * kLanes + g] is
// InputValue (TargetValue) of token + g at element k < d.
template <std::uint32_t kLanes = kMatVecLanes>
RWTTT_HD_ALWAYS_INLINE void InputLanes(std::uint64_t token_key, std::uint32_t owner_lo,
                                       std::uint32_t token, std::uint32_t layer, std::uint32_t d,
                                       float* out) {
  DrawCenteredLanes<kLanes>(token_key, token, layer, kDomainInput, owner_lo, d, out);
}
template <std::uint32_t kLanes = kMatVecLanes>
RWTTT_HD_ALWAYS_INLINE void TargetLanes(std::uint64_t token_key, std::uint32_t owner_lo,
                                        std::uint32_t token, std::uint32_t layer, std::uint32_t d,
                                        float* out) {
  DrawCenteredLanes<kLanes>(token_key, token, layer, kDomainTarget, owner_lo, d, out);
}

// ---- Arithmetic --------------------------------------------------------------------------------

// 2^n as a float. REQUIRES: -126 <= n <= 127.
RWTTT_HD float Pow2(int n) { return BitsToFloat(static_cast<std::uint32_t>(n + 127) << 23); }

// e^x from + - * / only: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2, exact for the
// k that occur), e^r by its degree-7 Taylor polynomial (truncation error < 1e-8 relative), then
// scaled by 2^k in two exact steps. Within 2 ulp of the true value; bit-identical everywhere.
RWTTT_HD_ALWAYS_INLINE float ExpF(float x) {
  // The special cases are selects, not early returns, so that a loop of ExpF vectorises; the
  // polynomial runs on a finite in-range stand-in for them and its result is then discarded.
  const bool nan = !(x == x);
  const bool over = x > 88.7228317f;    // overflows to +inf
  const bool under = x < -103.972084f;  // underflows past the subnormals
  const float xr = (nan | over | under) ? 0.0f : x;
  const float kf = xr * 1.44269504f;
  const float kf_down = kf - 0.5f, kf_up = kf + 0.5f;  // both, so that picking one is a select
  const int k = static_cast<int>(kf < 0.0f ? kf_down : kf_up);
  const float fk = static_cast<float>(k);
  float r = xr - fk * 0.693145751953125f;  // ln2 high part: 16 significant bits, fk * it is exact
  r = r - fk * 1.42860676533018e-06f;      // ln2 low part
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int k1 = k / 2;  // |k| <= 150, so both halves are normal powers of two
  const float e = p * Pow2(k1) * Pow2(k - k1);
  return nan ? x : over ? BitsToFloat(0x7F800000u) : under ? 0.0f : e;
}

// sqrt, correctly rounded on every backend: IEEE 754 requires it of the host's sqrtf and nvcc's
// device sqrtf is correctly rounded unless -prec-sqrt=false or fast-math (never set here).
RWTTT_HD float SqrtF(float x) { return sqrtf(x); }

// silu(u) = u * sigmoid(u) = u / (1 + e^-u). Large negative u gives -0; -inf gives NaN (inf/inf).
RWTTT_HD_ALWAYS_INLINE float Silu(float u) { return u / (1.0f + ExpF(-u)); }

// Silu of v[0, n) in place, each element bit for bit Silu's: the denominators into den[0, n)
// first, then the divisions. In one loop GCC distributed the division over ExpF's special cases,
// three divisions a vector where one does.
RWTTT_HD_ALWAYS_INLINE void SiluRow(float* v, std::uint32_t n, float* den) {
  for (std::uint32_t i = 0; i < n; ++i) den[i] = 1.0f + ExpF(-v[i]);
  for (std::uint32_t i = 0; i < n; ++i) v[i] = v[i] / den[i];
}

// d silu(u) / du = sigmoid(u) * (1 + u * (1 - sigmoid(u))).
RWTTT_HD float SiluGrad(float u) {
  const float sig = 1.0f / (1.0f + ExpF(-u));
  return sig * (1.0f + u * (1.0f - sig));
}

// A value rounded as a stored element of the dtype would be (bf16: nearest even).
RWTTT_HD float RoundAs(bool bf16, float v) { return bf16 ? RoundToBf16(v) : CanonicalFloat(v); }

// RoundAs of v[0, n) in place, the dtype tested once rather than per element.
RWTTT_HD_ALWAYS_INLINE void RoundRow(bool bf16, float* v, std::uint32_t n) {
  if (bf16) {
    for (std::uint32_t i = 0; i < n; ++i) v[i] = RoundToBf16(v[i]);
  } else {
    for (std::uint32_t i = 0; i < n; ++i) v[i] = CanonicalFloat(v[i]);
  }
}

// One step of every reduction: acc + a * b, two roundings (no fused multiply-add).
RWTTT_HD float Mac(float acc, float a, float b) { return acc + a * b; }

// The two products every kind's math is made of, each element reduced with Mac from 0 in
// ascending index order. w is row-major [n][m] of any storage type.
//
// Columns [j0, j0 + kBlock) of kProducts VecMats of one shape (in[k] · w[k] into out[k]) with the
// accumulators in registers, i outer, so that the compiler vectorises across j and the products'
// chains run side by side; each element's i order is unchanged.
template <std::uint32_t kBlock, std::uint32_t kProducts, typename W>
RWTTT_HD_ALWAYS_INLINE void VecMatColumns(const float* const (&in)[kProducts],
                                          const W* const (&w)[kProducts], std::uint32_t n,
                                          std::uint32_t m, std::uint32_t j0,
                                          float* const (&out)[kProducts], bool add) {
#if !defined(__CUDACC__)
  if constexpr (kBlock % 16 == 0) {
    // As vectors of 16 lanes: GCC kept the float array's 64 accumulators on the stack, a load and
    // a store per multiply-add.
    typedef float V __attribute__((vector_size(64)));
    constexpr std::uint32_t kL = 16, kV = kBlock / kL;
    V acc[kProducts][kV] = {};
    for (std::uint32_t i = 0; i < n; ++i) {
      for (std::uint32_t k = 0; k < kProducts; ++k) {
        const float a = in[k][i];
        const W* row = w[k] + std::uint64_t{i} * m + j0;
#pragma GCC unroll 8
        for (std::uint32_t q = 0; q < kV; ++q) {
          float loaded[kL];
          for (std::uint32_t c = 0; c < kL; ++c) loaded[c] = Load(row[q * kL + c]);
          V x;
          __builtin_memcpy(&x, loaded, sizeof x);
          acc[k][q] = acc[k][q] + a * x;  // Mac, lane by lane
        }
      }
    }
    for (std::uint32_t k = 0; k < kProducts; ++k) {
      for (std::uint32_t q = 0; q < kV; ++q) {
        V sum = acc[k][q];
        if (add) {
          __builtin_memcpy(&sum, out[k] + j0 + q * kL, sizeof sum);
          sum = sum + acc[k][q];
        }
        __builtin_memcpy(out[k] + j0 + q * kL, &sum, sizeof sum);
      }
    }
    return;
  }
#endif
  for (std::uint32_t k = 0; k < kProducts; ++k) {
    float acc[kBlock] = {};
    for (std::uint32_t i = 0; i < n; ++i) {
      const float a = in[k][i];
      const W* row = w[k] + std::uint64_t{i} * m + j0;
      for (std::uint32_t b = 0; b < kBlock; ++b) acc[b] = Mac(acc[b], a, Load(row[b]));
    }
    for (std::uint32_t b = 0; b < kBlock; ++b)
      out[k][j0 + b] = add ? out[k][j0 + b] + acc[b] : acc[b];
  }
}

// Columns [j0, m) of VecMat, one at a time: what the column blocks leave, and a device thread's.
template <typename W>
RWTTT_HD_ALWAYS_INLINE void VecMatColumnByColumn(const float* in, const W* w, std::uint32_t n,
                                                 std::uint32_t m, std::uint32_t j0, float* out,
                                                 bool add) {
  for (std::uint32_t j = j0; j < m; ++j) {
    float acc = 0.0f;
    for (std::uint32_t i = 0; i < n; ++i) acc = Mac(acc, in[i], Load(w[std::uint64_t{i} * m + j]));
    out[j] = add ? out[j] + acc : acc;
  }
}

// VecMat: out[j] = Σ_i in[i] · w[i][j] (i ascending) for j < m; with `add`, out[j] += that sum.
// On the host, blocks of 128, 64, 32 and then 16 columns (VecMatColumns); the remaining columns,
// and a device thread, walk j.
template <typename W>
RWTTT_HD_ALWAYS_INLINE void VecMat(const float* in, const W* w, std::uint32_t n, std::uint32_t m,
                                   float* out, bool add = false) {
  std::uint32_t j0 = 0;
#if !defined(__CUDA_ARCH__)
  const float* const ins[1] = {in};
  const W* const ws[1] = {w};
  float* const outs[1] = {out};
  for (; j0 + 128 <= m; j0 += 128) VecMatColumns<128>(ins, ws, n, m, j0, outs, add);
  for (; j0 + 64 <= m; j0 += 64) VecMatColumns<64>(ins, ws, n, m, j0, outs, add);
  for (; j0 + 32 <= m; j0 += 32) VecMatColumns<32>(ins, ws, n, m, j0, outs, add);
  for (; j0 + 16 <= m; j0 += 16) VecMatColumns<16>(ins, ws, n, m, j0, outs, add);
#endif
  VecMatColumnByColumn(in, w, n, m, j0, out, add);
}

// VecMat of two products of one shape at once, in0 · w0 into out0 and in1 · w1 into out1, each
// bit for bit VecMat's. Where a product has fewer than 64 columns (a decode token's TTT layer of
// `tiny`: one or two vectors of chains, each n adds waiting on each other) their chains go side
// by side; wider ones have chains enough of their own and stream better one matrix at a time
// (`small`'s decode steps ran 1.3 times as long paired).
template <typename W>
RWTTT_HD_ALWAYS_INLINE void VecMatPair(const float* in0, const W* w0, const float* in1, const W* w1,
                                       std::uint32_t n, std::uint32_t m, float* out0, float* out1) {
  std::uint32_t j0 = 0;
#if !defined(__CUDA_ARCH__)
  if (m >= 64) {
    VecMat(in0, w0, n, m, out0);
    VecMat(in1, w1, n, m, out1);
    return;
  }
  const float* const ins[2] = {in0, in1};
  const W* const ws[2] = {w0, w1};
  float* const outs[2] = {out0, out1};
  for (; j0 + 32 <= m; j0 += 32) VecMatColumns<32>(ins, ws, n, m, j0, outs, false);
  for (; j0 + 16 <= m; j0 += 16) VecMatColumns<16>(ins, ws, n, m, j0, outs, false);
#endif
  VecMatColumnByColumn(in0, w0, n, m, j0, out0, false);
  VecMatColumnByColumn(in1, w1, n, m, j0, out1, false);
}

#if !defined(__CUDACC__)
// Sixteen fp32 lanes: one AVX-512 register.
typedef float F32x16 __attribute__((vector_size(64)));

// A tile of 16 x 16 lanes, one row per vector, transposed in registers (afterwards lane r of p[c]
// is what lane c of p[r] was) in four stages of two-source shuffles, each swapping one bit of the
// row and column index.
inline __attribute__((always_inline)) void TransposeInRegisters(F32x16 (&p)[16]) {
  using V = F32x16;
  constexpr std::uint32_t kL = 16;
  // Stage h: lane c of the first result is (c & h) ? b[c - h] : a[c], of the second
  // (c & h) ? b[c] : a[c + h] (b's lanes are 16 and up). Vectors go by reference: passed by
  // value they would change the ABI between the ISA clones.
  auto stage = [&p](std::uint32_t h, auto shuffle) {
    for (std::uint32_t r = 0; r < kL; ++r) {
      if (r & h) continue;
      const V a = p[r], b = p[r + h];
      shuffle(a, b, p[r], p[r + h]);
    }
  };
  stage(8, [](const V& a, const V& b, V& first, V& second) {
    first = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    second =
        __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  });
  stage(4, [](const V& a, const V& b, V& first, V& second) {
    first = __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
    second =
        __builtin_shufflevector(a, b, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
  });
  stage(2, [](const V& a, const V& b, V& first, V& second) {
    first = __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
    second =
        __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  });
  stage(1, [](const V& a, const V& b, V& first, V& second) {
    first =
        __builtin_shufflevector(a, b, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
    second =
        __builtin_shufflevector(a, b, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
  });
}
#endif

#if !defined(__CUDACC__)
// Rows [i0, i0 + 16) of MatVec as one vector of 16 accumulators, a lane per row. Each block of 16
// columns is 16 row vectors of products w[i][j] · in[j], transposed in registers
// (TransposeInRegisters) into 16 column vectors that the accumulators add in ascending j: every
// row's chain is MatVec's, and the products and adds run 16 rows wide instead of being extracted
// one by one.
template <typename W>
inline __attribute__((always_inline)) void MatVecRows16(const W* w, const float* in,
                                                        std::uint32_t m, std::uint32_t i0,
                                                        float* out) {
  using V = F32x16;
  constexpr std::uint32_t kL = 16;
  static_assert(sizeof(V) == sizeof(float) * kL);
  V acc = {};
  const W* rows = w + std::uint64_t{i0} * m;
  std::uint32_t j0 = 0;
  for (; j0 + kL <= m; j0 += kL) {
    V x;
    __builtin_memcpy(&x, in + j0, sizeof x);
    V p[kL];
    for (std::uint32_t r = 0; r < kL; ++r) {
      const W* row = rows + std::uint64_t{r} * m + j0;
      // 16 rows are 16 streams: the hardware's prefetch alone left a thread at 17 GB/s of its
      // 27 (512 x 512 fp32, from memory); four blocks ahead gave 21.
      // (As an integer: the address may lie past the matrix, where a pointer may not point.)
      __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(row) +
                                                       4 * kL * sizeof(W)));
      float loaded[kL];
      for (std::uint32_t c = 0; c < kL; ++c) loaded[c] = Load(row[c]);
      __builtin_memcpy(&p[r], loaded, sizeof loaded);
      p[r] = p[r] * x;  // the products of Mac, rounded as they are there
    }
    TransposeInRegisters(p);
    for (std::uint32_t c = 0; c < kL; ++c) acc = acc + p[c];  // p[c][r] = w[i0 + r][j0 + c] · in
  }
  for (; j0 < m; ++j0) {
    float column[kL];
    for (std::uint32_t r = 0; r < kL; ++r) column[r] = Load(rows[std::uint64_t{r} * m + j0]);
    V col;
    __builtin_memcpy(&col, column, sizeof col);
    acc = acc + col * in[j0];
  }
  __builtin_memcpy(out + i0, &acc, sizeof acc);
}
#endif

// MatVec: out[i] = Σ_j w[i][j] · in[j] (j ascending) for i < n. Each element's sum is one
// dependent chain; on the host, 16 rows' chains run as the lanes of one vector (MatVecRows16),
// then eight rows' chains side by side so that their latencies overlap; each chain keeps its
// order.
template <typename W>
RWTTT_HD_ALWAYS_INLINE void MatVec(const W* w, const float* in, std::uint32_t n, std::uint32_t m,
                                   float* out) {
  std::uint32_t i0 = 0;
#if !defined(__CUDACC__)
  for (; i0 + 16 <= n; i0 += 16) MatVecRows16(w, in, m, i0, out);
#endif
#if !defined(__CUDA_ARCH__)
  constexpr std::uint32_t kRows = 8;
  for (; i0 + kRows <= n; i0 += kRows) {
    float acc[kRows] = {};
    const W* rows = w + std::uint64_t{i0} * m;
    for (std::uint32_t j = 0; j < m; ++j) {
      const float x = in[j];
      for (std::uint32_t l = 0; l < kRows; ++l)
        acc[l] = Mac(acc[l], Load(rows[std::uint64_t{l} * m + j]), x);
    }
    for (std::uint32_t l = 0; l < kRows; ++l) out[i0 + l] = acc[l];
  }
#endif
  for (std::uint32_t i = i0; i < n; ++i) {
    float acc = 0.0f;
    for (std::uint32_t j = 0; j < m; ++j) acc = Mac(acc, Load(w[std::uint64_t{i} * m + j]), in[j]);
    out[i] = acc;
  }
}

#if !defined(__CUDACC__)
// Rows [i0, i0 + kRows) of MatVecLanes with one vector of accumulators per row in registers.
template <std::uint32_t kRows, typename W>
inline __attribute__((always_inline)) void MatVecLanesRows(const W* w, const float* in,
                                                           std::uint32_t m, std::uint32_t i0,
                                                           float* out) {
  typedef float V __attribute__((vector_size(64)));  // a vector_size may not depend on a template
  static_assert(sizeof(V) == sizeof(float) * kMatVecLanes);
  V acc[kRows] = {};
  const W* rows = w + std::uint64_t{i0} * m;
  for (std::uint32_t j = 0; j < m; ++j) {
    V x;
    __builtin_memcpy(&x, in + std::uint64_t{j} * kMatVecLanes, sizeof x);
    for (std::uint32_t r = 0; r < kRows; ++r) {
      acc[r] = acc[r] + Load(rows[std::uint64_t{r} * m + j]) * x;  // Mac, lane by lane
    }
  }
  for (std::uint32_t r = 0; r < kRows; ++r)
    __builtin_memcpy(out + std::uint64_t{i0 + r} * kMatVecLanes, &acc[r], sizeof acc[r]);
}
#endif

// MatVec of kMatVecLanes vectors at once, stored transposed: out[i * kMatVecLanes + l] = Σ_j
// w[i][j] · in[j * kMatVecLanes + l] (j ascending) for i < n. Each element's sum is MatVec's
// chain; the lanes are independent vectors, so they run as one vector register each and w is read
// once for all of them (register tiles of 8 rows, then single rows). Host code: written with GCC's
// vector extension, because the auto-vectoriser, seeing runtime n and m, vectorised the j loop
// with transposes instead (5x slower); a device thread calls MatVec per vector.
template <typename W>
RWTTT_HD_ALWAYS_INLINE void MatVecLanes(const W* w, const float* in, std::uint32_t n,
                                        std::uint32_t m, float* out) {
#if defined(__CUDACC__)
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t l = 0; l < kMatVecLanes; ++l) {
      float acc = 0.0f;
      for (std::uint32_t j = 0; j < m; ++j)
        acc = Mac(acc, Load(w[std::uint64_t{i} * m + j]), in[std::uint64_t{j} * kMatVecLanes + l]);
      out[std::uint64_t{i} * kMatVecLanes + l] = acc;
    }
  }
#else
  std::uint32_t i0 = 0;
  for (; i0 + 8 <= n; i0 += 8) MatVecLanesRows<8>(w, in, m, i0, out);
  for (; i0 < n; ++i0) MatVecLanesRows<1>(w, in, m, i0, out);
#endif
}

#if !defined(__CUDACC__)
// A vector of kLanes fp32 lanes (a vector_size may not depend on a template parameter).
template <std::uint32_t kLanes>
struct LaneVector;
template <>
struct LaneVector<16> {
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct LaneVector<8> {
  typedef float type __attribute__((vector_size(32)));
};

// Columns [j0, j0 + kCols) of VecMatLanes, one vector of accumulators per column in registers.
template <std::uint32_t kCols, std::uint32_t kLanes, typename W>
inline __attribute__((always_inline)) void VecMatLanesColumns(const float* in, const W* w,
                                                              std::uint32_t n, std::uint32_t m,
                                                              std::uint32_t j0, float* out) {
  typedef typename LaneVector<kLanes>::type V;
  static_assert(sizeof(V) == sizeof(float) * kLanes);
  V acc[kCols] = {};
  for (std::uint32_t i = 0; i < n; ++i) {
    V x;
    __builtin_memcpy(&x, in + std::uint64_t{i} * kLanes, sizeof x);
    const W* row = w + std::uint64_t{i} * m + j0;
#pragma GCC unroll 8
    for (std::uint32_t c = 0; c < kCols; ++c) acc[c] = acc[c] + x * Load(row[c]);  // Mac
  }
  for (std::uint32_t c = 0; c < kCols; ++c)
    __builtin_memcpy(out + std::uint64_t{j0 + c} * kLanes, &acc[c], sizeof acc[c]);
}
#endif

// VecMat of kLanes vectors at once, stored transposed: out[j * kLanes + l] = Σ_i in[i * kLanes +
// l] · w[i][j] (i ascending) for j < m. Each element's sum is VecMat's chain; w is read once for
// all the lanes (each weight broadcast to a vector of them), where a VecMat per vector reads it
// once per vector. kLanes: 16 (an AVX-512 register) or 8 (half of one, for eight vectors: a CPU
// that splits 512-bit operations in two, as AMD's Zen 4 does, runs those in half the time).
template <std::uint32_t kLanes = kMatVecLanes, typename W>
RWTTT_HD_ALWAYS_INLINE void VecMatLanes(const float* in, const W* w, std::uint32_t n,
                                        std::uint32_t m, float* out) {
#if defined(__CUDACC__)
  for (std::uint32_t j = 0; j < m; ++j) {
    for (std::uint32_t l = 0; l < kLanes; ++l) {
      float acc = 0.0f;
      for (std::uint32_t i = 0; i < n; ++i)
        acc = Mac(acc, in[std::uint64_t{i} * kLanes + l], Load(w[std::uint64_t{i} * m + j]));
      out[std::uint64_t{j} * kLanes + l] = acc;
    }
  }
#else
  std::uint32_t j0 = 0;
  for (; j0 + 8 <= m; j0 += 8) VecMatLanesColumns<8, kLanes>(in, w, n, m, j0, out);
  for (; j0 < m; ++j0) VecMatLanesColumns<1, kLanes>(in, w, n, m, j0, out);
#endif
}

// g[r][c] = Mac(... Mac(g[r][c], s[r], v[c]) ..., s[(count - 1) s_stride + r],
// v[(count - 1) v_stride + c]) for r < rows, c < cols, g row-major: a gradient takes `count`
// tokens' outer products s_n v_nᵀ in ascending token order. s's rows lie `s_row_stride` apart
// (token n's scalar for row r is s[n * s_stride + r * s_row_stride]). On the host, tiles of 128
// (then 64, 16) columns, each down the rows: the tile stays in registers while the tokens go by,
// and the tokens' slice of v (count x 128 floats) stays in L1 for every row. Narrow tiles take
// several rows at once (2 rows of 64 columns, 8 of 16), so that their chains overlap instead of
// one chain of `count` adds waiting on itself. The rest, and a device thread, walk the elements.
RWTTT_HD_ALWAYS_INLINE void MacOuterProducts(float* g, std::uint32_t rows, std::uint32_t cols,
                                             const float* s, std::uint64_t s_stride, const float* v,
                                             std::uint64_t v_stride, std::uint32_t count,
                                             std::uint64_t s_row_stride = 1) {
  std::uint32_t c0 = 0;
#if !defined(__CUDACC__)
  typedef float V __attribute__((vector_size(64)));
  constexpr std::uint32_t kL = 16;
  // Rows [r, r + kRows) of the tile of kVectors vectors at c0, then the next such rows.
  auto row_tiles = [&]<std::uint32_t kVectors, std::uint32_t kRows>(std::uint32_t& r) {
    for (; r + kRows <= rows; r += kRows) {
      V acc[kRows][kVectors];
      for (std::uint32_t q = 0; q < kRows; ++q)
        __builtin_memcpy(acc[q], g + std::uint64_t{r + q} * cols + c0, sizeof acc[q]);
      for (std::uint32_t n = 0; n < count; ++n) {
        const float* vn = v + n * v_stride + c0;
        V x[kVectors];
        __builtin_memcpy(x, vn, sizeof x);
        for (std::uint32_t q = 0; q < kRows; ++q) {
          const float sn = s[n * s_stride + (r + q) * s_row_stride];
          for (std::uint32_t k = 0; k < kVectors; ++k)
            acc[q][k] = acc[q][k] + sn * x[k];  // Mac, lane by lane
        }
      }
      for (std::uint32_t q = 0; q < kRows; ++q)
        __builtin_memcpy(g + std::uint64_t{r + q} * cols + c0, acc[q], sizeof acc[q]);
    }
  };
  auto tiles = [&]<std::uint32_t kVectors, std::uint32_t kRows>() {
    for (; c0 + kVectors * kL <= cols; c0 += kVectors * kL) {
      std::uint32_t r = 0;
      row_tiles.template operator()<kVectors, kRows>(r);
      if constexpr (kRows > 1) row_tiles.template operator()<kVectors, 1>(r);
    }
  };
  tiles.template operator()<8, 1>();
  tiles.template operator()<4, 2>();
  tiles.template operator()<1, 8>();
#endif
  for (std::uint32_t r = 0; r < rows; ++r) {
    for (std::uint32_t c = c0; c < cols; ++c) {
      float acc = g[std::uint64_t{r} * cols + c];
      for (std::uint32_t n = 0; n < count; ++n)
        acc = Mac(acc, s[n * s_stride + r * s_row_stride], v[n * v_stride + c]);
      g[std::uint64_t{r} * cols + c] = acc;
    }
  }
}

// WRITE: the new weight from the old one and acc = sum_t H[t][i] * V[t][j] (t ascending).
RWTTT_HD float UpdatedWeight(float w, float acc, float eta) { return w + eta * acc; }

// ---- State fingerprints ----------------------------------------------------------------------
// A state digest must be computable where the state lives (on the device) without copying the
// state out. Each block of ModelProfile::state_block_elems() consecutive elements of each TTT
// layer (In-Place TTT: a row W[i][0..d_model)) folds into a 64-bit fingerprint; the host
// hashes the fingerprint array with XXH3 (core/ttt_digest.h). Every fold step is a bijection of
// the running value, so changing any single element always changes its block's fingerprint.

// The fingerprint of block `block` of TTT layer `position` before any element is absorbed.
RWTTT_HD std::uint64_t FingerprintStart(std::uint32_t position, std::uint32_t block) {
  return Mix64(((static_cast<std::uint64_t>(position) << 32) | block) + 0x2545F4914F6CDD1Dull);
}
// FingerprintAbsorb in place, of one fold or of a vector of them (h and word vectors of 64-bit
// lanes alike, so that many blocks fold at once; by reference, because vectors passed by value
// would change the ABI between the ISA clones).
template <typename Fold, typename Word>
RWTTT_HD_ALWAYS_INLINE void FingerprintAbsorbInto(Fold& h, const Word& word) {
  h = (h ^ word) * 0x9E3779B97F4A7C15ull;
  h = h ^ (h >> 29);
}
RWTTT_HD std::uint64_t FingerprintAbsorb(std::uint64_t h, std::uint32_t word) {
  FingerprintAbsorbInto(h, word);
  return h;
}

}  // namespace rwttt
