// Exact parsers for the text fields of imported traces: integers, token counts, decimal seconds and
// wall-clock timestamps, all to integers (nanoseconds) with no floating point on the way.
//
//   RWTTT_ASSIGN_OR_RETURN(std::int64_t t, ParseWallClockNs("2023-11-16 18:15:46.6805900"));
//   RWTTT_ASSIGN_OR_RETURN(std::int64_t s, InField(ParseDecimalSecondsNs("12.5"), 3, "ts"));
//
// Errors are Input errors with no location (the caller knows the file, line and column: see
// InField) whose message quotes the offending text. Nothing here allocates unless it fails.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

namespace rwttt {

// A non-negative decimal integer: digits only, no sign, no spaces, at most UINT64_MAX.
Result<std::uint64_t> ParseUint(std::string_view text);

// A token count: ParseUint, and at most kMaxRequestTokens (traces/native_trace.h).
Result<std::uint32_t> ParseTokens(std::string_view text);

// Non-negative decimal seconds "S[.F]" with at most 9 fractional digits, as exact nanoseconds.
// No sign, exponent or spaces. At most about 292 years.
Result<std::int64_t> ParseDecimalSecondsNs(std::string_view text);

// "YYYY-MM-DD HH:MM:SS[.F]" (a 'T' may replace the space; F has 1 to 9 digits), optionally
// followed by "Z" or a UTC offset "+HH:MM" / "-HH:MM" / "+HHMM", as nanoseconds since
// 1970-01-01 00:00:00 UTC. Without an offset the time is taken as UTC. The date must exist
// (2023-02-29 is an error); seconds 0..59 (no leap seconds). Years 1970..2261.
Result<std::int64_t> ParseWallClockNs(std::string_view text);

// `result`, with its error (if any) placed at `line` and `field` of the file being read.
template <typename T>
Result<T> InField(Result<T> result, std::int64_t line, std::string_view field) {
  if (result.ok()) return result;
  Error error = std::move(result).error();
  error.where.line = line;
  error.where.field = std::string(field);
  return error;
}

}  // namespace rwttt
