#include "core/low_rank_kind.h"

#include <fmt/format.h>

#include "core/json_fields.h"

namespace rwttt {
namespace {

// "projections": a non-empty array of distinct "up" and "down".
Status GetProjections(simdjson::ondemand::value v, const SourceLoc& at, bool& up, bool& down) {
  simdjson::ondemand::array array;
  if (v.get_array().get(array) != simdjson::SUCCESS) {
    return Error::Input(R"(expected an array of "up" and "down")", at);
  }
  for (auto element : array) {
    std::string_view name;
    if (element.get_string().get(name) != simdjson::SUCCESS || (name != "up" && name != "down")) {
      return Error::Input(R"(expected an array of "up" and "down")", at);
    }
    bool& flag = name == "up" ? up : down;
    if (flag) return Error::Input("a projection is listed twice", at);
    flag = true;
  }
  if (!up && !down) return Error::Input("at least one projection is needed", at);
  return OkStatus();
}

}  // namespace

Status LowRankKind::ReadField(const json::Field& field) {
  const std::string_view key = field.at.field;
  if (key == "rank") {
    RWTTT_ASSIGN_OR_RETURN(rank, json::GetUintInRange(field.value, field.at, 1, kMaxModelDim));
  } else if (key == "projections") {
    RWTTT_TRY(GetProjections(field.value, field.at, up, down));
  }
  return OkStatus();
}

Status LowRankKind::Finish(MlpDims, const ProfileFieldSet& seen, const std::string& source) {
  if (!seen.contains("rank")) {
    return Error::Input("missing required field (state_kind low-rank)", {source, 0, "rank"});
  }
  if (!seen.contains("projections")) down = true;  // the default: W_down only
  return OkStatus();
}

void LowRankKind::AppendJson(std::string& out) const {
  const char* chosen = up && down ? R"("up","down")" : up ? R"("up")" : R"("down")";
  out += fmt::format(R"(,"rank":{},"projections":[{}])", rank, chosen);
}

}  // namespace rwttt
