#include "traces/import_fields.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <string>

#include "traces/native_trace.h"

namespace rwttt {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

// At most 40 characters of `text`, quoted, for messages.
std::string Quoted(std::string_view text) {
  if (text.size() > 40) return fmt::format("\"{}...\"", text.substr(0, 40));
  return fmt::format("\"{}\"", text);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exactly `n` digits at text[pos..], advancing pos; false if not.
bool Digits(std::string_view text, std::size_t& pos, int n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (!IsDigit(c)) return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// 1 to 9 digits after a '.', as nanoseconds (".68059" -> 680'590'000). pos is past the '.'.
bool Fraction(std::string_view text, std::size_t& pos, std::int64_t& ns) {
  ns = 0;
  int n = 0;
  while (pos < text.size() && IsDigit(text[pos])) {
    if (++n > 9) return false;
    ns = ns * 10 + (text[pos] - '0');
    ++pos;
  }
  if (n == 0) return false;
  for (; n < 9; ++n) ns *= 10;
  return true;
}

}  // namespace

Result<std::uint64_t> ParseUint(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  if (!text.empty() && IsDigit(text.front())) {
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc::result_out_of_range) {
      return Error::Input("integer " + Quoted(text) + " is too large");
    }
    if (ec == std::errc() && ptr == end) return value;
  }
  if (!text.empty() && text.front() == '-') {
    return Error::Input("must not be negative, found " + Quoted(text));
  }
  return Error::Input("expected a non-negative integer, found " + Quoted(text));
}

Result<std::uint32_t> ParseTokens(std::string_view text) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t n, ParseUint(text));
  if (n > kMaxRequestTokens) {
    return Error::Input(
        fmt::format("{} tokens is more than the {} supported", n, kMaxRequestTokens));
  }
  return static_cast<std::uint32_t>(n);
}

Result<std::int64_t> ParseDecimalSecondsNs(std::string_view text) {
  const auto bad = [&] {
    return Error::Input(
        "expected non-negative seconds such as 12 or 12.5 (at most 9 fractional "
        "digits), found " +
        Quoted(text));
  };
  const std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (whole.empty() || !IsDigit(whole.front())) return bad();
  std::uint64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (ec != std::errc() || ptr != whole.data() + whole.size()) return bad();
  if (seconds > static_cast<std::uint64_t>(INT64_MAX / kNsPerSecond) - 1) {
    return Error::Input("seconds " + Quoted(text) + " are too large");
  }
  std::int64_t ns = 0;
  if (dot != std::string_view::npos) {
    std::size_t pos = dot + 1;
    if (!Fraction(text, pos, ns) || pos != text.size()) return bad();
  }
  return static_cast<std::int64_t>(seconds) * kNsPerSecond + ns;
}

Result<std::int64_t> ParseWallClockNs(std::string_view text) {
  const auto bad = [&] {
    return Error::Input(
        "expected a time YYYY-MM-DD HH:MM:SS.fffffff (an optional Z or +HH:MM offset), found " +
        Quoted(text));
  };
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, pos, 4, year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day)) {
    return bad();
  }
  if (pos >= text.size() || (text[pos] != ' ' && text[pos] != 'T')) return bad();
  ++pos;
  if (!Digits(text, pos, 2, hour) || !Expect(text, pos, ':') || !Digits(text, pos, 2, minute) ||
      !Expect(text, pos, ':') || !Digits(text, pos, 2, second)) {
    return bad();
  }
  std::int64_t fraction_ns = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!Fraction(text, pos, fraction_ns)) return bad();
  }
  std::int64_t offset_s = 0;  // local time minus UTC
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!Digits(text, pos, 2, oh)) return bad();
    Expect(text, pos, ':');
    if (!Digits(text, pos, 2, om) || oh > 23 || om > 59) return bad();
    offset_s = sign * (oh * 3600 + om * 60);
  }
  if (pos != text.size()) return bad();
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return Error::Input("no such date or time: " + Quoted(text));
  }
  if (year < 1970 || year > 2261) {
    return Error::Input("year outside 1970..2261: " + Quoted(text));
  }
  const std::int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  if (seconds < 0) return Error::Input("time before 1970-01-01 UTC: " + Quoted(text));
  return seconds * kNsPerSecond + fraction_ns;
}

}  // namespace rwttt
