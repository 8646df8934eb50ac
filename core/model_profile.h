// Model profiles: the shapes of the synthetic model a run simulates (DESIGN §4). No weights are
// loaded; a profile says how big each tensor is, which layers carry TTT state and the chunk size.
//
//   RWTTT_ASSIGN_OR_RETURN(ModelProfile m, LoadModelProfile("tiny"));  // a preset or a JSON file
//   m.state_bytes();  // one owner's TttState
//
// JSON fields (docs/formats.md#model-profile): name, state_kind, d_model, d_ff, layers,
// ttt_layers ("all" or a list), chunk, dtype, state_dtype, learning_rate, params (optional);
// lact-swiglu: heads, fast_dim, muon, weight_norm; low-rank: rank, projections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/result.h"

namespace rwttt {

// What an owner's TTT state is (docs/kernels.md). The history format and every policy are the same
// for all kinds; the math (core/ttt_math.h, lact_math.h, low_rank_math.h) and costs differ.
enum class StateKind : std::uint8_t {
  kInplaceTtt,  // In-Place TTT: each TTT layer's W_down [d_ff x d_model] is the owner's fast weight
  kLactSwiglu,  // LaCT: per head, a SwiGLU fast-weight MLP (W0, W1, W2), updated per large chunk
  kLowRank,     // LoRA-style TTT: a rank-r delta A·B on the chosen projections of each TTT layer
};

// "inplace-ttt", "lact-swiglu" or "low-rank".
std::string_view StateKindName(StateKind kind);

// ParseModelProfile validates every field; a profile built in code must keep the same rules
// (ttt_layers sorted, distinct and in range; heads dividing d_model and fast_dim >= 1 for LaCT;
// rank >= 1 and at least one projection for low-rank), which the backends rely on.
struct ModelProfile {
  std::string name;
  StateKind state_kind = StateKind::kInplaceTtt;
  std::uint32_t d_model = 0;
  std::uint32_t d_ff = 0;
  std::uint32_t layers = 0;
  std::vector<std::uint32_t> ttt_layers;  // sorted, distinct, each < layers
  std::uint32_t chunk = 0;                // C: tokens per chunk; one WRITE closes each
  DType dtype = DType::kBf16;             // shared weights and activations
  DType state_dtype = DType::kFp32;       // the owner's fast weights
  float learning_rate = 0.0f;             // eta in W <- W + eta * H^T V
  // Parameters of the whole model (including any initial fast weights the owners' states
  // replace); sets the shared weight bytes. Defaults to layers * 2 * d_model * d_ff (W_up and
  // W_down), plus the TTT layers' initial fast weights for lact-swiglu, when absent.
  std::uint64_t params = 0;

  // lact-swiglu: fast-weight heads (dividing d_model), f's hidden width per head, Muon's
  // orthogonalisation of each update, and the weight norm after it.
  std::uint32_t heads = 0;
  std::uint32_t fast_dim = 0;
  bool muon = false;
  bool weight_norm = true;
  // low-rank: the rank and which projections of each TTT layer's MLP carry a delta.
  std::uint32_t rank = 0;
  bool low_rank_up = false;
  bool low_rank_down = false;

  // Elements of one TTT layer's state: In-Place TTT d_ff * d_model; LaCT 3 * d_model * fast_dim;
  // low-rank rank * (d_model + d_ff) per chosen projection.
  std::uint64_t layer_state_elems() const;
  // Elements per state fingerprint (core/ttt_math.h); divides layer_state_elems(): In-Place TTT a
  // row of W_down (d_model), LaCT head_dim, low-rank the rank.
  std::uint32_t state_block_elems() const;
  std::uint32_t head_dim() const { return heads == 0 ? 0 : d_model / heads; }
  // Whether the owners' states replace shared parameters (In-Place TTT's W_down, LaCT's initial
  // fast weights) rather than add to them (low-rank deltas).
  bool state_replaces_params() const { return state_kind != StateKind::kLowRank; }
  std::uint64_t layer_state_bytes() const { return layer_state_elems() * DTypeBytes(state_dtype); }
  // Bytes of one owner's TttState: every TTT layer's fast weight.
  std::uint64_t state_bytes() const { return layer_state_bytes() * ttt_layers.size(); }
  // Bytes of the weights every owner shares: all parameters but those the states replace.
  std::uint64_t shared_weight_bytes() const;
  bool is_ttt_layer(std::uint32_t layer) const;
};

// Names of the presets, in a fixed order: tiny, small, medium, inplace-ttt-4b, lact-tiny,
// lact-1b, lact-1b-muon, low-rank-tiny, low-rank-4b (sources: docs/formats.md#model-profile).
std::vector<std::string> ModelPresetNames();

// The preset's JSON text, or an error naming the presets when `name` is not one.
Result<std::string> ModelPresetJson(std::string_view name);

// Parses and validates a profile. `source` names the text in errors (a file path or preset).
Result<ModelProfile> ParseModelProfile(std::string_view json, const std::string& source);

// A preset when `name_or_path` names one, else a JSON file at that path.
Result<ModelProfile> LoadModelProfile(std::string_view name_or_path);

// The profile as one line of JSON, readable by ParseModelProfile.
std::string ModelProfileToJson(const ModelProfile& profile);

}  // namespace rwttt
