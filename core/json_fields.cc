#include "core/json_fields.h"

#include <cmath>

namespace rwttt::json {
namespace {

std::string_view TypeName(simdjson::ondemand::json_type type) {
  switch (type) {
    case simdjson::ondemand::json_type::array:
      return "an array";
    case simdjson::ondemand::json_type::object:
      return "an object";
    case simdjson::ondemand::json_type::number:
      return "a number";
    case simdjson::ondemand::json_type::string:
      return "a string";
    case simdjson::ondemand::json_type::boolean:
      return "a boolean";
    case simdjson::ondemand::json_type::null:
      return "null";
  }
  return "an unknown value";
}

Error WrongType(simdjson::ondemand::value& value, std::string_view expected, const SourceLoc& at) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) {
    return Error::Input("expected " + std::string(expected) + ", found malformed JSON", at);
  }
  return Error::Input(
      "expected " + std::string(expected) + ", found " + std::string(TypeName(type)), at);
}

}  // namespace

Result<std::uint64_t> GetUint(simdjson::ondemand::value value, const SourceLoc& at) {
  std::uint64_t out = 0;
  if (value.get_uint64().get(out) == simdjson::SUCCESS) return out;
  std::int64_t negative = 0;
  if (value.get_int64().get(negative) == simdjson::SUCCESS && negative < 0) {
    return Error::Input("must not be negative, found " + std::to_string(negative), at);
  }
  return WrongType(value, "a non-negative integer", at);
}

Result<std::uint32_t> GetUintInRange(simdjson::ondemand::value value, const SourceLoc& at,
                                     std::uint32_t min, std::uint32_t max) {
  RWTTT_ASSIGN_OR_RETURN(const std::uint64_t n, GetUint(value, at));
  if (n < min || n > max) {
    return Error::Input("must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                            "], found " + std::to_string(n),
                        at);
  }
  return static_cast<std::uint32_t>(n);
}

Result<std::int64_t> GetInt(simdjson::ondemand::value value, const SourceLoc& at) {
  std::int64_t out = 0;
  if (value.get_int64().get(out) == simdjson::SUCCESS) return out;
  return WrongType(value, "an integer", at);
}

Result<double> GetDouble(simdjson::ondemand::value value, const SourceLoc& at) {
  double out = 0;
  if (value.get_double().get(out) == simdjson::SUCCESS && std::isfinite(out)) return out;
  return WrongType(value, "a finite number", at);
}

Result<bool> GetBool(simdjson::ondemand::value value, const SourceLoc& at) {
  bool out = false;
  if (value.get_bool().get(out) == simdjson::SUCCESS) return out;
  return WrongType(value, "true or false", at);
}

Result<std::string> GetString(simdjson::ondemand::value value, const SourceLoc& at) {
  std::string_view out;
  if (value.get_string().get(out) == simdjson::SUCCESS) return std::string(out);
  return WrongType(value, "a string", at);
}

bool IsNull(simdjson::ondemand::value& value) {
  bool is_null = false;
  return value.is_null().get(is_null) == simdjson::SUCCESS && is_null;
}

Error NotJson(simdjson::error_code code, const SourceLoc& at) {
  if (code == simdjson::INCORRECT_TYPE) return Error::Input("expected a JSON object", at);
  return Error::Input(
      std::string("not a valid JSON object (") + simdjson::error_message(code) + ")", at);
}

}  // namespace rwttt::json
