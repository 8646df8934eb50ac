#include "core/model_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "core/json_fields.h"
#include "core/json_writer.h"
#include "core/profile_source.h"

namespace rwttt {
namespace {

// Presets live as JSON so that they go through the same reader and validation as user files.
const std::map<std::string, std::string, std::less<>>& Presets() {
  static const auto* presets = new std::map<std::string, std::string, std::less<>>{
      // For tests: every tensor fits in a cache line or two.
      {"tiny",
       R"({"name":"tiny","state_kind":"inplace-ttt","d_model":16,"d_ff":32,"layers":2,)"
       R"("ttt_layers":"all","chunk":8,"dtype":"bf16","state_dtype":"fp32","learning_rate":0.01})"},
      // Small enough for CPU property tests over many owners, big enough to be memory-bound.
      {"small",
       R"({"name":"small","state_kind":"inplace-ttt","d_model":256,"d_ff":1024,"layers":4,)"
       R"("ttt_layers":"all","chunk":64,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.001})"},
      // A mid-sized shape for kernel benchmarks: 16 MiB of fast weights per layer per owner.
      {"medium",
       R"({"name":"medium","state_kind":"inplace-ttt","d_model":1024,"d_ff":4096,"layers":8,)"
       R"("ttt_layers":"all","chunk":256,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.001})"},
      // In-Place TTT on Qwen3-4B shapes (d_model 2560, d_ff 9728, 36 layers, ~4.02e9 params),
      // fp32 fast weights on every layer's W_down. C = 512: the low end of the 512-1024 range
      // In-Place TTT's ablation favours (docs/formats.md#model-profile).
      {"inplace-ttt-4b",
       R"({"name":"inplace-ttt-4b","state_kind":"inplace-ttt","d_model":2560,"d_ff":9728,)"
       R"("layers":36,"ttt_layers":"all","chunk":512,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.0001,"params":4022468096,"attention_heads":32,)"
       R"("attention_kv_heads":8,"attention_head_dim":128,"kv_dtype":"bf16"})"},
      // For tests: LaCT with two heads whose fast dimension differs from head_dim (so Muon
      // transposes), Muon and the weight norm on.
      {"lact-tiny",
       R"({"name":"lact-tiny","state_kind":"lact-swiglu","d_model":16,"d_ff":32,"layers":2,)"
       R"("ttt_layers":"all","chunk":8,"dtype":"bf16","state_dtype":"fp32","learning_rate":0.01,)"
       R"("heads":2,"fast_dim":12,"muon":true,"weight_norm":true})"},
      // LaCT's language model at its configuration defaults (lact_llm configuration_lact_swiglu:
      // hidden 2048, 24 layers, 4 LaCT heads, inter_multi 1, chunk 2048, base lr 0.001, Muon off;
      // the weight norm is always on there), a SwiGLU MLP of 5632 (hidden_ratio 4) and 1.44e9
      // parameters in all (docs/formats.md#model-profile derives them).
      {"lact-1b",
       R"({"name":"lact-1b","state_kind":"lact-swiglu","d_model":2048,"d_ff":5632,"layers":24,)"
       R"("ttt_layers":"all","chunk":2048,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.001,"heads":4,"fast_dim":512,"muon":false,"weight_norm":true,)"
       R"("params":1440284672,"attention_heads":32,"attention_kv_heads":32,)"
       R"("attention_head_dim":64,"kv_dtype":"bf16","attention_window":2048})"},
      // The same with use_muon=True, LaCT's best-performing update rule.
      {"lact-1b-muon",
       R"({"name":"lact-1b-muon","state_kind":"lact-swiglu","d_model":2048,"d_ff":5632,)"
       R"("layers":24,"ttt_layers":"all","chunk":2048,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.001,"heads":4,"fast_dim":512,"muon":true,"weight_norm":true,)"
       R"("params":1440284672,"attention_heads":32,"attention_kv_heads":32,)"
       R"("attention_head_dim":64,"kv_dtype":"bf16","attention_window":2048})"},
      // For tests: rank-4 deltas on both projections.
      {"low-rank-tiny",
       R"({"name":"low-rank-tiny","state_kind":"low-rank","d_model":16,"d_ff":32,"layers":2,)"
       R"("ttt_layers":"all","chunk":8,"dtype":"bf16","state_dtype":"fp32","learning_rate":0.01,)"
       R"("rank":4,"projections":["up","down"]})"},
      // LoRA-style TTT on the Qwen3-4B shapes of inplace-ttt-4b: rank 16 (LoRA's usual range,
      // arXiv 2106.09685) on both projections of every layer's MLP.
      {"low-rank-4b",
       R"({"name":"low-rank-4b","state_kind":"low-rank","d_model":2560,"d_ff":9728,"layers":36,)"
       R"("ttt_layers":"all","chunk":512,"dtype":"bf16","state_dtype":"fp32",)"
       R"("learning_rate":0.0001,"rank":16,"projections":["up","down"],"params":4022468096,)"
       R"("attention_heads":32,"attention_kv_heads":8,"attention_head_dim":128,"kv_dtype":"bf16"})"},
  };
  return *presets;
}

constexpr std::uint32_t kMaxLayers = 4096;

Result<DType> GetDType(simdjson::ondemand::value v, const SourceLoc& at) {
  RWTTT_ASSIGN_OR_RETURN(std::string s, json::GetString(v, at));
  if (auto t = ParseDType(s)) return *t;
  return Error::Input("unknown dtype '" + s + "' (expected bf16 or fp32)", at);
}

// "all", or an array of layer indices. Indices are checked against `layers` after parsing.
Status GetTttLayers(simdjson::ondemand::value v, const SourceLoc& at, bool& all,
                    std::vector<std::uint32_t>& out) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    if (s != "all") return Error::Input("expected \"all\" or an array of layer indices", at);
    all = true;
    return OkStatus();
  }
  simdjson::ondemand::array array;
  if (v.get_array().get(array) != simdjson::SUCCESS) {
    return Error::Input("expected \"all\" or an array of layer indices", at);
  }
  for (auto element : array) {
    simdjson::ondemand::value item;
    if (element.get(item) != simdjson::SUCCESS) return Error::Input("malformed array", at);
    RWTTT_ASSIGN_OR_RETURN(std::uint32_t layer, json::GetUintInRange(item, at, 0, kMaxLayers - 1));
    out.push_back(layer);
  }
  return OkStatus();
}

constexpr std::uint32_t kMaxHeads = 65536;

// The attention fields, each optional, read into `a`; `seen` says which came.
Status ReadAttentionField(std::string_view key, simdjson::ondemand::value v, const SourceLoc& f,
                          AttentionShape& a) {
  if (key == "attention_heads") {
    RWTTT_ASSIGN_OR_RETURN(a.query_heads, json::GetUintInRange(v, f, 1, kMaxHeads));
  } else if (key == "attention_kv_heads") {
    RWTTT_ASSIGN_OR_RETURN(a.kv_heads, json::GetUintInRange(v, f, 1, kMaxHeads));
  } else if (key == "attention_head_dim") {
    RWTTT_ASSIGN_OR_RETURN(a.head_dim, json::GetUintInRange(v, f, 1, kMaxHeads));
  } else if (key == "kv_dtype") {
    RWTTT_ASSIGN_OR_RETURN(a.kv_dtype, GetDType(v, f));
  } else {
    RWTTT_ASSIGN_OR_RETURN(a.window, json::GetUintInRange(v, f, 0, 1u << 31));
  }
  return OkStatus();
}

bool IsAttentionField(std::string_view key) {
  return key == "attention_heads" || key == "attention_kv_heads" || key == "attention_head_dim" ||
         key == "kv_dtype" || key == "attention_window";
}

// What the field loop of ParseModelProfile gathers beyond the profile itself.
struct ProfileReading {
  ProfileFieldSet seen;
  StateKind chosen;          // the state_kind field's kind, its fields unread
  StateKindFields kind;      // every kind's fields, as given
  bool all_layers = false;   // ttt_layers was "all"
  AttentionShape attention;  // its fields, as given
};

// Reads one top-level field into `m` or `r`; its errors name the field.
Status ReadField(std::string_view key, simdjson::ondemand::value v, const SourceLoc& f,
                 ModelProfile& m, ProfileReading& r) {
  if (!r.seen.insert(std::string(key)).second) return Error::Input("duplicate field", f);
  if (key == "name") {
    RWTTT_ASSIGN_OR_RETURN(m.name, json::GetString(v, f));
  } else if (key == "state_kind") {
    RWTTT_ASSIGN_OR_RETURN(const std::string kind, json::GetString(v, f));
    RWTTT_ASSIGN_OR_RETURN(r.chosen, ParseStateKindName(kind, f));
  } else if (key == "d_model") {
    RWTTT_ASSIGN_OR_RETURN(m.d_model, json::GetUintInRange(v, f, 1, kMaxModelDim));
  } else if (key == "d_ff") {
    RWTTT_ASSIGN_OR_RETURN(m.d_ff, json::GetUintInRange(v, f, 1, kMaxModelDim));
  } else if (key == "layers") {
    RWTTT_ASSIGN_OR_RETURN(m.layers, json::GetUintInRange(v, f, 1, kMaxLayers));
  } else if (key == "ttt_layers") {
    RWTTT_TRY(GetTttLayers(v, f, r.all_layers, m.ttt_layers));
  } else if (key == "chunk") {
    RWTTT_ASSIGN_OR_RETURN(m.chunk, json::GetUintInRange(v, f, 1, 1u << 30));
  } else if (key == "dtype") {
    RWTTT_ASSIGN_OR_RETURN(m.dtype, GetDType(v, f));
  } else if (key == "state_dtype") {
    RWTTT_ASSIGN_OR_RETURN(m.state_dtype, GetDType(v, f));
  } else if (key == "learning_rate") {
    RWTTT_ASSIGN_OR_RETURN(double lr, json::GetDouble(v, f));
    if (!(lr > 0 && lr < 1)) return Error::Input("must be in (0, 1)", f);
    m.learning_rate = static_cast<float>(lr);
  } else if (key == "params") {
    RWTTT_ASSIGN_OR_RETURN(m.params, json::GetUint(v, f));
  } else if (IsAttentionField(key)) {
    RWTTT_TRY(ReadAttentionField(key, v, f, r.attention));
  } else if (r.kind.IsKindField(key)) {
    RWTTT_TRY(r.kind.Read(json::Field{v, f}));
  } else {
    return Error::Input("unknown field (see docs/formats.md#model-profile)", f);
  }
  return OkStatus();
}

// ttt_layers expanded from "all", sorted, distinct, non-empty and within the model's layers.
Status ResolveTttLayers(ModelProfile& m, bool all_layers, const std::string& source) {
  if (all_layers) {
    for (std::uint32_t l = 0; l < m.layers; ++l) m.ttt_layers.push_back(l);
  }
  std::sort(m.ttt_layers.begin(), m.ttt_layers.end());
  if (std::adjacent_find(m.ttt_layers.begin(), m.ttt_layers.end()) != m.ttt_layers.end()) {
    return Error::Input("a layer is listed twice", {source, 0, "ttt_layers"});
  }
  if (m.ttt_layers.empty())
    return Error::Input("at least one TTT layer is needed", {source, 0, "ttt_layers"});
  if (m.ttt_layers.back() >= m.layers) {
    return Error::Input(fmt::format("layer {} does not exist: the model has {} layers",
                                    m.ttt_layers.back(), m.layers),
                        {source, 0, "ttt_layers"});
  }
  return OkStatus();
}

// params defaulted when absent (the MLP's W_up and W_down, plus initial states beyond the MLP),
// and otherwise large enough to hold the initial states the owners' copies replace.
Status ResolveParams(ModelProfile& m, const std::string& source) {
  const std::uint64_t replaced =
      m.state_replaces_params() ? m.layer_state_elems() * m.ttt_layers.size() : 0;
  const std::uint64_t mlp = std::uint64_t{m.layers} * 2 * m.d_model * m.d_ff;
  const bool beyond_mlp = std::visit(
      [](const auto& k) { return std::decay_t<decltype(k)>::kStateBeyondMlp; }, m.state_kind);
  if (m.params == 0) {
    m.params = mlp + (beyond_mlp ? replaced : 0);
  } else if (m.params < replaced) {
    return Error::Input(
        fmt::format("{} parameters cannot hold the TTT layers' initial fast weights ({} "
                    "parameters)",
                    m.params, replaced),
        {source, 0, "params"});
  }
  return OkStatus();
}

}  // namespace

namespace {

// f(kind) for the profile's kind type K: the one dispatch of the size accessors below.
template <typename F>
auto OnKind(const ModelProfile& m, F&& f) {
  return std::visit(std::forward<F>(f), m.state_kind);
}

}  // namespace

std::uint64_t ModelProfile::layer_state_elems() const {
  return OnKind(*this, [&](const auto& k) { return k.layer_state_elems(dims()); });
}

std::uint32_t ModelProfile::state_block_elems() const {
  return OnKind(*this, [&](const auto& k) { return k.state_block_elems(dims()); });
}

bool ModelProfile::state_replaces_params() const {
  return OnKind(*this,
                [](const auto& k) { return std::decay_t<decltype(k)>::kStateReplacesParams; });
}

std::uint64_t ModelProfile::shared_up_elems() const {
  const bool held =
      OnKind(*this, [](const auto& k) { return std::decay_t<decltype(k)>::kSharedUp; });
  return held ? dims().mlp_elems() : 0;
}

std::uint64_t ModelProfile::shared_down_elems() const {
  const bool held =
      OnKind(*this, [](const auto& k) { return std::decay_t<decltype(k)>::kSharedDown; });
  return held ? dims().mlp_elems() : 0;
}

std::uint64_t ModelProfile::shared_weight_bytes() const {
  const std::uint64_t fast = state_replaces_params() ? layer_state_elems() * ttt_layers.size() : 0;
  return (params > fast ? params - fast : 0) * DTypeBytes(dtype);
}

std::uint64_t ModelProfile::kv_bytes(std::uint64_t context) const {
  if (!attention) return 0;
  return layers * attention->kv_token_layer_bytes() * attention->KvTokensKept(context);
}

bool ModelProfile::is_ttt_layer(std::uint32_t layer) const {
  return std::binary_search(ttt_layers.begin(), ttt_layers.end(), layer);
}

std::vector<std::string> ModelPresetNames() {
  return {"tiny",    "small",        "medium",        "inplace-ttt-4b", "lact-tiny",
          "lact-1b", "lact-1b-muon", "low-rank-tiny", "low-rank-4b"};
}

Result<std::string> ModelPresetJson(std::string_view name) {
  auto it = Presets().find(name);
  if (it == Presets().end())
    return Error::Input("no model preset named '" + std::string(name) + "'");
  return it->second;
}

namespace {

// The attention when its three shape fields came (all or none); kv_heads must divide the heads.
Status ResolveAttention(ModelProfile& m, const ProfileReading& r, const std::string& source) {
  const int shape_fields = r.seen.contains("attention_heads") +
                           r.seen.contains("attention_kv_heads") +
                           r.seen.contains("attention_head_dim");
  if (shape_fields == 0) {
    for (const char* field : {"kv_dtype", "attention_window"}) {
      if (r.seen.contains(field)) {
        return Error::Input("needs attention_heads, attention_kv_heads and attention_head_dim",
                            {source, 0, field});
      }
    }
    return OkStatus();
  }
  for (const char* field : {"attention_heads", "attention_kv_heads", "attention_head_dim"}) {
    if (!r.seen.contains(field)) {
      return Error::Input(
          "missing: the attention needs attention_heads, attention_kv_heads and "
          "attention_head_dim together",
          {source, 0, field});
    }
  }
  if (r.attention.query_heads % r.attention.kv_heads != 0) {
    return Error::Input(
        "must divide attention_heads (" + std::to_string(r.attention.query_heads) + ")",
        {source, 0, "attention_kv_heads"});
  }
  m.attention = r.attention;
  return OkStatus();
}

}  // namespace

Result<ModelProfile> ParseModelProfile(std::string_view json, const std::string& source) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  ModelProfile m;
  ProfileReading r;
  RWTTT_TRY(json::ForEachField(parser, padded, SourceLoc{source, 0, ""},
                               [&](std::string_view key, simdjson::ondemand::value v,
                                   const SourceLoc& f) { return ReadField(key, v, f, m, r); }));
  for (const char* required :
       {"name", "d_model", "d_ff", "layers", "chunk", "learning_rate", "ttt_layers"}) {
    if (!r.seen.contains(required))
      return Error::Input("missing required field", {source, 0, required});
  }
  RWTTT_ASSIGN_OR_RETURN(m.state_kind, r.kind.Take(r.chosen, m.dims(), r.seen, source));
  RWTTT_TRY(ResolveTttLayers(m, r.all_layers, source));
  RWTTT_TRY(ResolveParams(m, source));
  RWTTT_TRY(ResolveAttention(m, r, source));
  return m;
}

Result<ModelProfile> LoadModelProfile(std::string_view name_or_path) {
  RWTTT_ASSIGN_OR_RETURN(
      ProfileText text, ResolveProfile(name_or_path, ModelPresetNames(), ModelPresetJson, "model"));
  return ParseModelProfile(text.json, text.source);
}

std::string ModelProfileToJson(const ModelProfile& m) {
  std::string layers;
  for (std::uint32_t l : m.ttt_layers) layers += (layers.empty() ? "" : ",") + std::to_string(l);
  std::string kind_fields;
  std::visit([&](const auto& k) { k.AppendJson(kind_fields); }, m.state_kind);
  if (m.attention) {
    const AttentionShape& a = *m.attention;
    kind_fields += fmt::format(
        R"(,"attention_heads":{},"attention_kv_heads":{},"attention_head_dim":{},"kv_dtype":"{}",)"
        R"("attention_window":{})",
        a.query_heads, a.kv_heads, a.head_dim, DTypeName(a.kv_dtype), a.window);
  }
  return fmt::format(
      R"({{"name":{},"state_kind":"{}","d_model":{},"d_ff":{},"layers":{},)"
      R"("ttt_layers":[{}],"chunk":{},"dtype":"{}","state_dtype":"{}","learning_rate":{},)"
      R"("params":{}{}}})",
      JsonString(m.name), StateKindName(m.state_kind), m.d_model, m.d_ff, m.layers, layers, m.chunk,
      DTypeName(m.dtype), DTypeName(m.state_dtype), m.learning_rate, m.params, kind_fields);
}

}  // namespace rwttt
