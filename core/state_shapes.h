// The math traits of the state kinds: the shape each kind's math (core/lact_math.h,
// core/low_rank_math.h) takes, read off a profile and its kind once, so that the host and device
// code see the same numbers; and the overloads that kernels templated on a shape call.
//
//   const LactShape s = MathShapeOf(model, std::get<LactSwigluKind>(model.state_kind));
//   const float w0 = BaseStateElement(s, RunKey(7), /*layer=*/0, /*e=*/0);
//
// In-Place TTT has no shape here: its math is core/ttt_math.h's, in the backends' own tiled loops.
#pragma once

#include <cstdint>

#include "core/host_device.h"
#include "core/lact_math.h"
#include "core/low_rank_math.h"
#include "core/model_profile.h"

namespace rwttt {

// REQUIRES: `k` is `m`'s kind.
inline LactShape MathShapeOf(const ModelProfile& m, const LactSwigluKind& k) {
  return LactShape{.heads = k.heads,
                   .head_dim = k.head_dim(m.dims()),
                   .fast_dim = k.fast_dim,
                   .muon = k.muon,
                   .weight_norm = k.weight_norm,
                   .act_bf16 = m.dtype == DType::kBf16,
                   .state_bf16 = m.state_dtype == DType::kBf16,
                   .learning_rate = m.learning_rate};
}

// REQUIRES: `k` is `m`'s kind.
inline LowRankShape MathShapeOf(const ModelProfile& m, const LowRankKind& k) {
  return LowRankShape{.d_model = m.d_model,
                      .d_ff = m.d_ff,
                      .rank = k.rank,
                      .up = k.up,
                      .down = k.down,
                      .act_bf16 = m.dtype == DType::kBf16,
                      .state_bf16 = m.state_dtype == DType::kBf16,
                      .learning_rate = m.learning_rate};
}

// Element e of one TTT layer's state at version 0, unrounded (LactBaseElement,
// LowRankBaseElement).
RWTTT_HD float BaseStateElement(const LactShape& s, std::uint64_t run_key, std::uint32_t layer,
                                std::uint64_t e) {
  return LactBaseElement(s, run_key, layer, e);
}
RWTTT_HD float BaseStateElement(const LowRankShape& s, std::uint64_t run_key, std::uint32_t layer,
                                std::uint64_t e) {
  return LowRankBaseElement(s, run_key, layer, e);
}

}  // namespace rwttt
