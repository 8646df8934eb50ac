// One call from a trace file of any format to the requests a simulation replays: read (import),
// sort, shape, number. `rwttt import`, `rwttt trace stats` and `rwttt replay` all go through it.
//
//   TraceLoadOptions o; o.shaping.rate_per_s = 10;
//   RWTTT_ASSIGN_OR_RETURN(LoadedTrace t, LoadTrace("conv.csv", TraceFormat::kAzure, o));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/request.h"
#include "core/result.h"
#include "traces/row_parser.h"
#include "traces/trace_format.h"
#include "traces/trace_shaping.h"

namespace rwttt {

struct TraceLoadOptions {
  ShapingOptions shaping;
  BurstGptFilter burstgpt;     // used by TraceFormat::kBurstGpt only
  bool skip_bad_rows = false;  // count malformed rows of an imported file instead of failing
};

// What happened to the rows of the file, for the user to check (FormatImportReport).
struct ImportReport {
  std::string path;
  TraceFormat format = TraceFormat::kNative;
  std::uint64_t rows = 0;  // data rows (not the header, not blank lines)
  std::uint64_t blank_lines = 0;
  std::uint64_t bad_rows = 0;      // malformed rows skipped (skip_bad_rows)
  std::vector<Error> first_bad;    // the first few of them, for the message
  std::uint64_t filtered = 0;      // BurstGPT rows of another model or log type
  std::uint64_t failed = 0;        // BurstGPT failed rows (0 response tokens)
  bool failed_kept = false;        // whether those were kept as requests
  std::uint64_t out_of_order = 0;  // rows earlier than the row before them (then sorted)
  ShapingCounts shaping;
  std::uint64_t requests = 0;  // requests in the result

  // Rows dropped for any reason, bad ones included.
  std::uint64_t dropped() const;
};

struct LoadedTrace {
  std::vector<Request> requests;  // sorted by arrival, never empty
  ImportReport report;
};

// Reads `path` ("-" for stdin; ".zst" decompressed) in `format` and shapes it.
//
// Imported formats (all but kNative): rows are stably sorted by arrival (ties keep file order),
// arrivals become offsets from the first row's (the first request arrives at 0 ns), shaping is
// applied with each row's 1-based line number as its sampling key, and ids are then renumbered
// 0, 1, 2, ... in arrival order. A bad row is an Input error naming file, line and column, or,
// with skip_bad_rows, is counted and skipped.
//
// kNative: the file is read strictly (traces/native_trace.h: sorted, unique ids) and shaped with
// ids as sampling keys; ids and seeds are kept, and arrivals are untouched when no shaping option
// is set. skip_bad_rows is a Usage error there.
//
// An Input error when no request is left. O(rows) memory.
Result<LoadedTrace> LoadTrace(const std::string& path, TraceFormat format,
                              const TraceLoadOptions& options);

// A few lines for a person: rows read, dropped by cause, clipped, time scale, the first bad rows.
// The first line starts with `label`.
std::string FormatImportReport(const ImportReport& report, std::string_view label = "import   ");
// The same as one JSON object.
std::string ImportReportToJson(const ImportReport& report);

}  // namespace rwttt
