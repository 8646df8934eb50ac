// Small helpers for writing JSON text by hand in the project's writers (traces, histories,
// reports): quoting of strings. Numbers are written with fmt, which round-trips doubles.
//
//   out += "\"name\":"; AppendJsonString(out, profile.name);
#pragma once

#include <string>
#include <string_view>

namespace rwttt {

// Appends `s` as a JSON string literal, quotes included, escaping what RFC 8259 requires. Bytes
// that are not well-formed UTF-8 become U+FFFD, so the output is always valid JSON text.
void AppendJsonString(std::string& out, std::string_view s);
std::string JsonString(std::string_view s);

// Whether `s` is well-formed UTF-8 (RFC 3629).
bool IsValidUtf8(std::string_view s);

}  // namespace rwttt
