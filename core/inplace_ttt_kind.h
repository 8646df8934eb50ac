// The `inplace-ttt` state kind: In-Place TTT, the default. Each TTT layer's W_down
// [d_ff][d_model] is the owner's fast weight, read through the shared W_up (core/ttt_math.h).
// It has no fields of its own.
//
//   InplaceTttKind{}.layer_state_elems({.d_model = 16, .d_ff = 32});  // 512
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/state_kind_base.h"

namespace rwttt {

struct InplaceTttKind {
  static constexpr std::string_view kName = "inplace-ttt";
  static constexpr std::array<std::string_view, 0> kFields = {};
  // W_down is one of the model's parameters; W_up stays shared.
  static constexpr bool kStateReplacesParams = true;
  static constexpr bool kStateBeyondMlp = false;
  static constexpr bool kSharedUp = true;
  static constexpr bool kSharedDown = false;

  std::uint64_t layer_state_elems(MlpDims dims) const { return dims.mlp_elems(); }
  // A row of W_down.
  std::uint32_t state_block_elems(MlpDims dims) const { return dims.d_model; }

  Status ReadField(const json::Field&) { return OkStatus(); }  // never called: no fields
  Status Finish(MlpDims, const ProfileFieldSet&, const std::string&) { return OkStatus(); }
  void AppendJson(std::string&) const {}
  bool operator==(const InplaceTttKind&) const = default;
};

}  // namespace rwttt
