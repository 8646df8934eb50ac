#include "core/model_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

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
       R"("learning_rate":0.0001,"params":4022468096})"},
  };
  return *presets;
}

constexpr std::uint32_t kMaxDim = 1u << 20;
constexpr std::uint32_t kMaxLayers = 4096;

Result<std::uint32_t> GetBoundedU32(simdjson::ondemand::value v, const SourceLoc& at,
                                    std::uint32_t min, std::uint32_t max) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(v, at));
  if (n < min || n > max) {
    return Error::Input(fmt::format("must be in [{}, {}], found {}", min, max, n), at);
  }
  return static_cast<std::uint32_t>(n);
}

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
    RWTTT_ASSIGN_OR_RETURN(std::uint32_t layer, GetBoundedU32(item, at, 0, kMaxLayers - 1));
    out.push_back(layer);
  }
  return OkStatus();
}

}  // namespace

std::uint64_t ModelProfile::shared_weight_bytes() const {
  const std::uint64_t fast = layer_state_elems() * ttt_layers.size();
  return (params > fast ? params - fast : 0) * DTypeBytes(dtype);
}

bool ModelProfile::is_ttt_layer(std::uint32_t layer) const {
  return std::binary_search(ttt_layers.begin(), ttt_layers.end(), layer);
}

std::vector<std::string> ModelPresetNames() {
  return {"tiny", "small", "medium", "inplace-ttt-4b"};
}

Result<std::string> ModelPresetJson(std::string_view name) {
  auto it = Presets().find(name);
  if (it == Presets().end())
    return Error::Input("no model preset named '" + std::string(name) + "'");
  return it->second;
}

Result<ModelProfile> ParseModelProfile(std::string_view json, const std::string& source) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  const SourceLoc at{source, 0, ""};
  ModelProfile m;
  bool all_layers = false;
  bool has_ttt_layers = false;
  std::set<std::string, std::less<>> seen;
  RWTTT_TRY(json::ForEachField(
      parser, padded, at,
      [&](std::string_view key, simdjson::ondemand::value v, const SourceLoc& f) -> Status {
        if (!seen.insert(std::string(key)).second) return Error::Input("duplicate field", f);
        if (key == "name") {
          RWTTT_ASSIGN_OR_RETURN(m.name, json::GetString(v, f));
        } else if (key == "state_kind") {
          RWTTT_ASSIGN_OR_RETURN(std::string kind, json::GetString(v, f));
          if (kind != "inplace-ttt") {
            return Error::Input("unknown state_kind '" + kind + "' (expected inplace-ttt)", f);
          }
          m.state_kind = StateKind::kInplaceTtt;
        } else if (key == "d_model") {
          RWTTT_ASSIGN_OR_RETURN(m.d_model, GetBoundedU32(v, f, 1, kMaxDim));
        } else if (key == "d_ff") {
          RWTTT_ASSIGN_OR_RETURN(m.d_ff, GetBoundedU32(v, f, 1, kMaxDim));
        } else if (key == "layers") {
          RWTTT_ASSIGN_OR_RETURN(m.layers, GetBoundedU32(v, f, 1, kMaxLayers));
        } else if (key == "ttt_layers") {
          has_ttt_layers = true;
          RWTTT_TRY(GetTttLayers(v, f, all_layers, m.ttt_layers));
        } else if (key == "chunk") {
          RWTTT_ASSIGN_OR_RETURN(m.chunk, GetBoundedU32(v, f, 1, 1u << 30));
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
        } else {
          return Error::Input("unknown field (see docs/formats.md#model-profile)", f);
        }
        return OkStatus();
      }));
  for (const char* required : {"name", "d_model", "d_ff", "layers", "chunk", "learning_rate"}) {
    if (!seen.contains(required))
      return Error::Input("missing required field", {source, 0, required});
  }
  if (!has_ttt_layers) return Error::Input("missing required field", {source, 0, "ttt_layers"});
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
  const std::uint64_t minimal = std::uint64_t{m.layers} * 2 * m.d_model * m.d_ff;
  if (m.params == 0) {
    m.params = minimal;
  } else if (m.params < m.layer_state_elems() * m.ttt_layers.size()) {
    return Error::Input(
        fmt::format("{} parameters cannot hold the TTT layers' W_down ({} parameters)", m.params,
                    m.layer_state_elems() * m.ttt_layers.size()),
        {source, 0, "params"});
  }
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
  return fmt::format(
      R"({{"name":{},"state_kind":"inplace-ttt","d_model":{},"d_ff":{},"layers":{},)"
      R"("ttt_layers":[{}],"chunk":{},"dtype":"{}","state_dtype":"{}","learning_rate":{},)"
      R"("params":{}}})",
      JsonString(m.name), m.d_model, m.d_ff, m.layers, layers, m.chunk, DTypeName(m.dtype),
      DTypeName(m.state_dtype), m.learning_rate, m.params);
}

}  // namespace rwttt
