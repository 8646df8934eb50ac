// Model profiles: the shapes of the synthetic model a run simulates (DESIGN §4). No weights are
// loaded; a profile says how big each tensor is, which layers carry TTT state and the chunk size.
//
//   RWTTT_ASSIGN_OR_RETURN(ModelProfile m, LoadModelProfile("tiny"));  // a preset or a JSON file
//   m.state_bytes();  // one owner's TttState
//
// JSON fields (docs/formats.md#model-profile): name, state_kind, d_model, d_ff, layers,
// ttt_layers ("all" or a list), chunk, dtype, state_dtype, learning_rate, params (optional);
// the fields of the state kind (LactSwigluKind::kFields, LowRankKind::kFields); and, optional,
// the attention: attention_heads, attention_kv_heads, attention_head_dim (all three or none),
// kv_dtype, attention_window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attention.h"
#include "core/dtype.h"
#include "core/result.h"
#include "core/state_kind.h"

namespace rwttt {

// ParseModelProfile validates every field; a profile built in code must keep the same rules
// (ttt_layers sorted, distinct and in range; and each kind's, e.g. heads dividing d_model for
// LaCT, rank >= 1 and at least one projection for low-rank), which the backends rely on.
struct ModelProfile {
  std::string name;
  StateKind state_kind;  // its kind and the kind's own parameters (core/state_kind.h)
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
  // The attention every layer runs; none: no attention or KV cache in costs and memory (the
  // synthetic profiles tiny, small and medium).
  std::optional<AttentionShape> attention;

  MlpDims dims() const { return {d_model, d_ff}; }
  // Elements of one TTT layer's state (the kind's layer_state_elems).
  std::uint64_t layer_state_elems() const;
  // Elements per state fingerprint (core/ttt_math.h); divides layer_state_elems(): In-Place TTT a
  // row of W_down (d_model), LaCT head_dim, low-rank the rank.
  std::uint32_t state_block_elems() const;
  // Whether the owners' states replace shared parameters (In-Place TTT's W_down, LaCT's initial
  // fast weights) rather than add to them (low-rank deltas).
  bool state_replaces_params() const;
  // Elements of the shared W_up [d_model][d_ff] and W_down [d_ff][d_model] the backends hold per
  // TTT layer: d_model * d_ff when the kind's math uses it, else 0.
  std::uint64_t shared_up_elems() const;
  std::uint64_t shared_down_elems() const;
  std::uint64_t layer_state_bytes() const { return layer_state_elems() * DTypeBytes(state_dtype); }
  // The multiply-adds of one token through every TTT layer, about: its shared weights and one
  // state, each once. What decides whether work is worth sharing between threads. O(1).
  std::uint64_t token_multiply_adds() const {
    return ttt_layers.size() * (shared_up_elems() + shared_down_elems() + layer_state_elems());
  }
  // Bytes of one owner's TttState: every TTT layer's fast weight.
  std::uint64_t state_bytes() const { return layer_state_bytes() * ttt_layers.size(); }
  // Bytes of the weights every owner shares: all parameters but those the states replace.
  std::uint64_t shared_weight_bytes() const;
  bool is_ttt_layer(std::uint32_t layer) const;
  // Bytes of the KV cache an owner with `context` tokens keeps, every layer; 0 without attention.
  std::uint64_t kv_bytes(std::uint64_t context) const;
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
