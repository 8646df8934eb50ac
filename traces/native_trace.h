// The native trace format: JSONL, one request a line, sorted by arrival (docs/formats.md#trace).
//
//   {"id":0,"arrival_ns":0,"prompt_tokens":128,"output_tokens":64}
//
//   RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace("t.jsonl"));
//   RWTTT_TRY(WriteTrace(trace, "copy.jsonl"));
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/line_reader.h"
#include "core/output_file.h"
#include "core/request.h"
#include "core/result.h"

namespace rwttt {

// Largest prompt_tokens or output_tokens accepted, so that a stream's positions fit 32 bits.
inline constexpr std::uint32_t kMaxRequestTokens = (1u << 31) - 1;

// Reads a native trace one request at a time, validating as it goes: fields present and typed,
// ids unique, arrivals non-decreasing (an out-of-order trace is rejected, not sorted: a
// scheduler's result depends on the order, so rwttt never guesses it). Blank lines are skipped.
class TraceReader {
 public:
  static Result<std::unique_ptr<TraceReader>> Open(const std::string& path);
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;
  ~TraceReader();

  // Reads the next request into `out` and returns true; false at the end of the trace.
  Result<bool> Next(Request& out);

 private:
  struct JsonParser;  // simdjson's parser, kept out of this installed header

  explicit TraceReader(std::unique_ptr<LineReader> lines);
  Status ParseLine(std::string_view line, Request& out);

  std::unique_ptr<LineReader> lines_;
  std::unique_ptr<JsonParser> json_;
  std::unordered_set<std::uint64_t> ids_;
  Nanos last_arrival_{0};
  std::int64_t last_line_ = 0;
};

// The whole trace. An empty file is an error (a trace with no requests is almost always a
// mistake upstream).
Result<std::vector<Request>> ReadTrace(const std::string& path);

// One request as its JSONL line, without the newline.
std::string FormatRequest(const Request& request);

// Writes `requests` to `path` ("-" for stdout) atomically (core/output_file.h).
Status WriteTrace(const std::vector<Request>& requests, const std::string& path);

}  // namespace rwttt
