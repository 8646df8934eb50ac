// Typed reads of JSON values with errors that name the file, line and field.
//
//   RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, json::GetUint(value, at));  // at names file and field
//
// Used by every JSON reader of the project (profiles, traces, histories) so that one kind of
// mistake gets one wording everywhere.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rwttt::json {

Result<std::uint64_t> GetUint(simdjson::ondemand::value value, const SourceLoc& at);
Result<std::int64_t> GetInt(simdjson::ondemand::value value, const SourceLoc& at);
Result<double> GetDouble(simdjson::ondemand::value value, const SourceLoc& at);
// An unsigned integer in [min, max]; else "must be in [min, max], found n".
Result<std::uint32_t> GetUintInRange(simdjson::ondemand::value value, const SourceLoc& at,
                                     std::uint32_t min, std::uint32_t max);
Result<bool> GetBool(simdjson::ondemand::value value, const SourceLoc& at);
// The string is copied: ondemand views die with the next read.
Result<std::string> GetString(simdjson::ondemand::value value, const SourceLoc& at);
// True when the value is JSON null (and consumes it).
bool IsNull(simdjson::ondemand::value& value);

// One field of an object being read: its value, and where it is (`at.field` is its key). Lets a
// header that must not see simdjson declare a field reader (core/state_kind_base.h).
struct Field {
  simdjson::ondemand::value value;
  const SourceLoc& at;
};

// A SourceLoc for `field` at the same file and line as `at`.
inline SourceLoc AtField(const SourceLoc& at, std::string_view field) {
  return SourceLoc{at.file, at.line, std::string(field)};
}

// Error for a document or line that is not a JSON object at all.
Error NotJson(simdjson::error_code code, const SourceLoc& at);

// Parses `text` (padded as simdjson requires) as one JSON object and calls
// `on_field(std::string_view key, simdjson::ondemand::value value, const SourceLoc& at_field)` ->
// Status for each field, in document order. Stops at the first error. Trailing content after the
// object is an error.
template <typename OnField>
Status ForEachField(simdjson::ondemand::parser& parser, simdjson::padded_string_view text,
                    const SourceLoc& at, OnField&& on_field) {
  simdjson::ondemand::document doc;
  if (auto code = parser.iterate(text).get(doc); code != simdjson::SUCCESS) {
    return NotJson(code, at);
  }
  simdjson::ondemand::object object;
  if (auto code = doc.get_object().get(object); code != simdjson::SUCCESS) {
    return NotJson(code, at);
  }
  for (auto field : object) {
    std::string_view key;
    if (auto code = field.unescaped_key().get(key); code != simdjson::SUCCESS) {
      return NotJson(code, at);
    }
    simdjson::ondemand::value value;
    if (auto code = field.value().get(value); code != simdjson::SUCCESS) {
      return NotJson(code, AtField(at, key));
    }
    // The key view lives in the parser's string buffer until the next key is read.
    const std::string key_copy(key);
    RWTTT_TRY(on_field(std::string_view(key_copy), value, AtField(at, key_copy)));
  }
  // simdjson 3.0 has no document::at_end(); past the last token current_location() fails.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
    return Error::Input("unexpected content after the JSON object", at);
  return OkStatus();
}

}  // namespace rwttt::json
