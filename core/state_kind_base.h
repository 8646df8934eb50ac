// What every state kind type (core/inplace_ttt_kind.h, lact_swiglu_kind.h, low_rank_kind.h) is
// written against: the MLP dimensions its sizes depend on, the fields a profile named, and the
// JSON field its reader is handed. No simdjson here: this header reaches nvcc through
// core/model_profile.h.
//
//   const MlpDims dims{.d_model = 16, .d_ff = 32};
//   LowRankKind{.rank = 4, .down = true}.layer_state_elems(dims);  // 4 * (16 + 32)
//
// A kind type K provides:
//   static constexpr std::string_view kName;            // its state_kind value in a profile
//   static constexpr std::array<std::string_view, N> kFields;  // the profile fields only K has
//   static constexpr bool kStateReplacesParams;  // states replace shared parameters (else add)
//   static constexpr bool kStateBeyondMlp;       // default params count the initial states too
//   static constexpr bool kSharedUp, kSharedDown;  // the backends hold W_up / W_down per TTT layer
//   std::uint64_t layer_state_elems(MlpDims) const;  // one TTT layer's state
//   std::uint32_t state_block_elems(MlpDims) const;  // one fingerprint block; divides the above
//   Status ReadField(const json::Field&);            // REQUIRES: its key is one of kFields
//   Status Finish(MlpDims, const ProfileFieldSet& seen, const std::string& source);
//   void AppendJson(std::string& out) const;         // kFields as ModelProfileToJson writes them
//   bool operator==(const K&) const;
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace rwttt {

namespace json {
struct Field;  // core/json_fields.h: one field's value and where it is
}  // namespace json

// The largest d_model, d_ff, or dimension of a kind (heads, fast_dim, rank) a profile may give.
inline constexpr std::uint32_t kMaxModelDim = 1u << 20;

// The shape of a TTT layer's MLP (ModelProfile::d_model and d_ff).
struct MlpDims {
  std::uint32_t d_model = 0;
  std::uint32_t d_ff = 0;
  std::uint64_t mlp_elems() const { return std::uint64_t{d_model} * d_ff; }
};

// The names of the fields a profile's JSON had.
using ProfileFieldSet = std::set<std::string, std::less<>>;

}  // namespace rwttt
