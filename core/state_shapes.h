// The shapes the state-kind math (core/lact_math.h, core/low_rank_math.h) takes, read off a model
// profile once, so that the host and device code see the same numbers.
//
//   const LactShape s = LactShapeOf(model);   // REQUIRES: model.state_kind == kLactSwiglu
#pragma once

#include "core/lact_math.h"
#include "core/low_rank_math.h"
#include "core/model_profile.h"

namespace rwttt {

inline LactShape LactShapeOf(const ModelProfile& m) {
  return LactShape{.heads = m.heads,
                   .head_dim = m.head_dim(),
                   .fast_dim = m.fast_dim,
                   .muon = m.muon,
                   .weight_norm = m.weight_norm,
                   .act_bf16 = m.dtype == DType::kBf16,
                   .state_bf16 = m.state_dtype == DType::kBf16,
                   .learning_rate = m.learning_rate};
}

inline LowRankShape LowRankShapeOf(const ModelProfile& m) {
  return LowRankShape{.d_model = m.d_model,
                      .d_ff = m.d_ff,
                      .rank = m.rank,
                      .up = m.low_rank_up,
                      .down = m.low_rank_down,
                      .act_bf16 = m.dtype == DType::kBf16,
                      .state_bf16 = m.state_dtype == DType::kBf16,
                      .learning_rate = m.learning_rate};
}

}  // namespace rwttt
