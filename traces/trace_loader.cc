#include "traces/trace_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "core/json_writer.h"
#include "core/line_reader.h"
#include "traces/csv.h"
#include "traces/native_trace.h"

namespace rwttt {
namespace {

// How many skipped rows the report quotes.
constexpr std::size_t kBadRowsQuoted = 3;

std::unique_ptr<RowParser> MakeRowParser(TraceFormat format, const TraceLoadOptions& options) {
  switch (format) {
    case TraceFormat::kAzure:
      return MakeAzureRowParser();
    case TraceFormat::kBurstGpt:
      return MakeBurstGptRowParser(options.burstgpt);
    case TraceFormat::kMooncake:
      return MakeMooncakeRowParser();
    case TraceFormat::kNative:
      break;
  }
  RWTTT_CHECK(false) << "no row parser for format " << static_cast<int>(format);
  return nullptr;
}

Error InFile(Error error, const std::string& path) {
  if (error.where.file.empty()) error.where.file = path;
  return error;
}

// Reads every row of an imported format into `rows`, in file order.
Status ReadRows(const std::string& path, TraceFormat format, const TraceLoadOptions& options,
                std::vector<ImportedRow>& rows, ImportReport& report) {
  RWTTT_ASSIGN_OR_RETURN(auto lines, LineReader::Open(path));
  std::unique_ptr<RowParser> parser = MakeRowParser(format, options);
  bool need_header = parser->TakesHeader();
  std::string_view line;
  ImportedRow row;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, lines->Next(line));
    if (!more) break;
    if (IsBlankLine(line)) {
      ++report.blank_lines;
      continue;
    }
    const std::int64_t n = lines->line_number();
    if (need_header) {
      // A bad header is never skipped: without it no row can be read.
      Status header = parser->ParseHeader(line, n);
      if (!header.ok()) return InFile(std::move(header).error(), lines->path());
      need_header = false;
      continue;
    }
    ++report.rows;
    Result<RowOutcome> outcome = parser->ParseRow(line, n, row);
    if (!outcome.ok()) {
      Error error = InFile(std::move(outcome).error(), lines->path());
      if (!options.skip_bad_rows) return error;
      ++report.bad_rows;
      if (report.first_bad.size() < kBadRowsQuoted) report.first_bad.push_back(std::move(error));
      continue;
    }
    switch (*outcome) {
      case RowOutcome::kFiltered:
        ++report.filtered;
        continue;
      case RowOutcome::kFailed:
        ++report.failed;
        if (!options.burstgpt.keep_failed) continue;
        break;
      case RowOutcome::kKept:
        break;
    }
    row.line = n;
    if (!rows.empty() && row.arrival_ns < rows.back().arrival_ns) ++report.out_of_order;
    rows.push_back(row);
  }
  if (need_header) return Error::Input("the file is empty: no header line", {lines->path(), 0, ""});
  return OkStatus();
}

Result<std::vector<Request>> Import(const std::string& path, TraceFormat format,
                                    const TraceLoadOptions& options, ImportReport& report) {
  std::vector<ImportedRow> rows;
  RWTTT_TRY(ReadRows(path, format, options, rows, report));
  if (report.out_of_order > 0) {
    std::stable_sort(rows.begin(), rows.end(), [](const ImportedRow& a, const ImportedRow& b) {
      return a.arrival_ns < b.arrival_ns;  // stable: ties keep file (line) order
    });
  }
  std::vector<Request> requests;
  requests.reserve(rows.size());
  const std::int64_t origin = rows.empty() ? 0 : rows.front().arrival_ns;
  for (const ImportedRow& row : rows) {
    if (row.arrival_ns - origin > kMaxArrivalNs) {
      return Error::Input(
          fmt::format("arrives {} ns after the first request, past the 2^62 ns (about 146 years) "
                      "a trace may span",
                      row.arrival_ns - origin),
          SourceLoc{path, row.line, ""});
    }
    // Until shaping is done the id is the line number: the sampling key.
    requests.push_back(Request{OwnerId{static_cast<std::uint64_t>(row.line)},
                               Nanos{row.arrival_ns - origin}, row.prompt_tokens, row.output_tokens,
                               std::nullopt});
  }
  return requests;
}

}  // namespace

std::uint64_t ImportReport::dropped() const {
  return bad_rows + filtered + (failed_kept ? 0 : failed) + shaping.outside_window +
         shaping.sampled_out;
}

Result<LoadedTrace> LoadTrace(const std::string& path, TraceFormat format,
                              const TraceLoadOptions& options) {
  RWTTT_TRY(ValidateShaping(options.shaping));
  LoadedTrace out;
  ImportReport& report = out.report;
  report.path = path == "-" ? "<stdin>" : path;
  report.format = format;
  report.failed_kept = options.burstgpt.keep_failed;
  if (format == TraceFormat::kNative) {
    if (options.skip_bad_rows) {
      return Error::Usage("`skip_bad_rows` applies to imported formats, not to native traces");
    }
    RWTTT_ASSIGN_OR_RETURN(out.requests, ReadTrace(path));
    report.rows = out.requests.size();
  } else {
    RWTTT_ASSIGN_OR_RETURN(out.requests, Import(path, format, options, report));
  }
  Status shaped = ApplyShaping(out.requests, options.shaping, report.shaping);
  if (!shaped.ok()) return InFile(std::move(shaped).error(), report.path);
  if (format != TraceFormat::kNative) {
    for (std::size_t i = 0; i < out.requests.size(); ++i) out.requests[i].id = OwnerId{i};
  }
  report.requests = out.requests.size();
  if (out.requests.empty()) {
    return Error::Input(
        fmt::format("no requests left ({} rows read, {} dropped{})", report.rows, report.dropped(),
                    report.bad_rows > 0 ? ", bad rows included" : ""),
        {report.path, 0, ""});
  }
  return out;
}

std::string FormatImportReport(const ImportReport& r, std::string_view label) {
  std::string out = fmt::format("{}{} rows read as {}, {} requests kept", label, r.rows,
                                TraceFormatName(r.format), r.requests);
  const auto add = [&](std::uint64_t n, std::string_view what) {
    if (n > 0) out += fmt::format("; {} {}", n, what);
  };
  add(r.bad_rows, "bad rows skipped");
  add(r.filtered, "filtered out (model or log type)");
  add(r.failed,
      r.failed_kept ? "failed (0 response tokens, kept)" : "failed (0 response tokens, dropped)");
  add(r.shaping.outside_window, "outside --window");
  add(r.shaping.sampled_out, "sampled out");
  add(r.shaping.prompt_clipped, "prompts clipped");
  add(r.shaping.output_clipped, "outputs clipped");
  add(r.out_of_order, "rows out of order (sorted)");
  add(r.blank_lines, "blank lines");
  if (r.shaping.time_scale != 1.0)
    out += fmt::format("; time scaled by {:.6g}", r.shaping.time_scale);
  out += '\n';
  for (const Error& e : r.first_bad) out += fmt::format("  bad row: {}\n", e.ToString());
  if (r.bad_rows > r.first_bad.size()) {
    out += fmt::format("  ... and {} more bad rows\n", r.bad_rows - r.first_bad.size());
  }
  return out;
}

std::string ImportReportToJson(const ImportReport& r) {
  return fmt::format(
      R"({{"path":{},"format":"{}","rows":{},"requests":{},"dropped":{},"bad_rows":{},)"
      R"("filtered":{},"failed":{},"failed_kept":{},"outside_window":{},"sampled_out":{},)"
      R"("prompt_clipped":{},"output_clipped":{},"clipped":{},"out_of_order":{},)"
      R"("blank_lines":{},"time_scale":{}}})",
      JsonString(r.path), TraceFormatName(r.format), r.rows, r.requests, r.dropped(), r.bad_rows,
      r.filtered, r.failed, r.failed_kept, r.shaping.outside_window, r.shaping.sampled_out,
      r.shaping.prompt_clipped, r.shaping.output_clipped, r.shaping.clipped, r.out_of_order,
      r.blank_lines, r.shaping.time_scale);
}

}  // namespace rwttt
