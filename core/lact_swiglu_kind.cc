#include "core/lact_swiglu_kind.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/json_fields.h"

namespace rwttt {

Status LactSwigluKind::ReadField(const json::Field& field) {
  const std::string_view key = field.at.field;
  if (key == "heads") {
    RWTTT_ASSIGN_OR_RETURN(heads, json::GetUintInRange(field.value, field.at, 1, kMaxModelDim));
  } else if (key == "fast_dim") {
    RWTTT_ASSIGN_OR_RETURN(fast_dim, json::GetUintInRange(field.value, field.at, 1, kMaxModelDim));
  } else if (key == "muon") {
    RWTTT_ASSIGN_OR_RETURN(muon, json::GetBool(field.value, field.at));
  } else if (key == "weight_norm") {
    RWTTT_ASSIGN_OR_RETURN(weight_norm, json::GetBool(field.value, field.at));
  }
  return OkStatus();
}

Status LactSwigluKind::Finish(MlpDims dims, const ProfileFieldSet& seen,
                              const std::string& source) {
  for (const char* required : {"heads", "fast_dim"}) {
    if (!seen.contains(required)) {
      return Error::Input("missing required field (state_kind lact-swiglu)", {source, 0, required});
    }
  }
  if (dims.d_model % heads != 0) {
    return Error::Input(fmt::format("must divide d_model ({})", dims.d_model),
                        {source, 0, "heads"});
  }
  // LactBaseElement's draw index (head * 3 + m) * max_dim + col must stay below 2^30.
  const std::uint64_t max_dim = std::max(head_dim(dims), fast_dim);
  if (std::uint64_t{heads} * 3 * max_dim >= (1ull << 30)) {
    return Error::Input("heads * 3 * max(head_dim, fast_dim) must be below 2^30",
                        {source, 0, "fast_dim"});
  }
  return OkStatus();
}

void LactSwigluKind::AppendJson(std::string& out) const {
  out += fmt::format(R"(,"heads":{},"fast_dim":{},"muon":{},"weight_norm":{})", heads, fast_dim,
                     muon, weight_norm);
}

}  // namespace rwttt
