// The `lact-swiglu` state kind: LaCT (arXiv 2505.23884). Each TTT layer holds, per head, a SwiGLU
// fast-weight MLP (W0, W1, W2) updated once per large chunk; its math is core/lact_math.h.
//
//   const LactSwigluKind k{.heads = 2, .fast_dim = 12};
//   k.layer_state_elems({.d_model = 16, .d_ff = 32});  // 3 * 16 * 12
//
// Profile fields (docs/formats.md#model-profile): heads and fast_dim (required), muon and
// weight_norm (optional booleans).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/state_kind_base.h"

namespace rwttt {

struct LactSwigluKind {
  static constexpr std::string_view kName = "lact-swiglu";
  static constexpr std::array<std::string_view, 4> kFields = {"heads", "fast_dim", "muon",
                                                              "weight_norm"};
  // The initial fast weights are parameters of the model beyond its MLP, which the owners'
  // copies replace; LaCT's math needs neither shared W_up nor W_down.
  static constexpr bool kStateReplacesParams = true;
  static constexpr bool kStateBeyondMlp = true;
  static constexpr bool kSharedUp = false;
  static constexpr bool kSharedDown = false;

  std::uint32_t heads = 0;     // fast-weight heads; divides d_model
  std::uint32_t fast_dim = 0;  // f's hidden width per head
  bool muon = false;           // Muon's orthogonalisation of each update
  bool weight_norm = true;     // the weight norm after it

  // d_model / heads: the width of a head's queries, keys and values.
  std::uint32_t head_dim(MlpDims dims) const { return heads == 0 ? 0 : dims.d_model / heads; }
  std::uint64_t layer_state_elems(MlpDims dims) const { return 3ull * dims.d_model * fast_dim; }
  std::uint32_t state_block_elems(MlpDims dims) const { return head_dim(dims); }

  // Reads heads, fast_dim, muon or weight_norm. REQUIRES: the field's key is one of kFields.
  Status ReadField(const json::Field& field);
  // heads and fast_dim present, heads dividing d_model, and LactBaseElement's draw index within
  // 2^30; errors name the field.
  Status Finish(MlpDims dims, const ProfileFieldSet& seen, const std::string& source);
  // ,"heads":H,"fast_dim":F,"muon":M,"weight_norm":W
  void AppendJson(std::string& out) const;
  bool operator==(const LactSwigluKind&) const = default;
};

}  // namespace rwttt
