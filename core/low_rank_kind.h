// The `low-rank` state kind: LoRA-style TTT. The TTT layer's MLP keeps its shared W_up and
// W_down; each owner adds a rank-r delta A·B to the chosen projections; its math is
// core/low_rank_math.h.
//
//   const LowRankKind k{.rank = 4, .up = true, .down = true};
//   k.layer_state_elems({.d_model = 16, .d_ff = 32});  // 2 * 4 * (16 + 32)
//
// Profile fields (docs/formats.md#model-profile): rank (required) and projections (a non-empty
// array of distinct "up" and "down"; ["down"] when absent).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/state_kind_base.h"

namespace rwttt {

struct LowRankKind {
  static constexpr std::string_view kName = "low-rank";
  static constexpr std::array<std::string_view, 2> kFields = {"rank", "projections"};
  // A delta adds to the shared weights, which stay whole: the backends hold W_up and W_down.
  static constexpr bool kStateReplacesParams = false;
  static constexpr bool kStateBeyondMlp = false;
  static constexpr bool kSharedUp = true;
  static constexpr bool kSharedDown = true;

  std::uint32_t rank = 0;
  bool up = false;    // a delta on W_up
  bool down = false;  // a delta on W_down

  std::uint32_t projections() const { return (up ? 1 : 0) + (down ? 1 : 0); }
  // rank * (d_model + d_ff) per chosen projection.
  std::uint64_t layer_state_elems(MlpDims dims) const {
    return std::uint64_t{rank} * (std::uint64_t{dims.d_model} + dims.d_ff) * projections();
  }
  std::uint32_t state_block_elems(MlpDims) const { return rank; }

  // Reads rank or projections. REQUIRES: the field's key is one of kFields.
  Status ReadField(const json::Field& field);
  // rank present; the projections default to W_down alone.
  Status Finish(MlpDims dims, const ProfileFieldSet& seen, const std::string& source);
  // ,"rank":R,"projections":[...]
  void AppendJson(std::string& out) const;
  bool operator==(const LowRankKind&) const = default;
};

}  // namespace rwttt
