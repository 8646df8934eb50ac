// Streaming reader of history format v1 (DESIGN §6, docs/checker.md): `.jsonl` or `.jsonl.zst`,
// one step at a time in O(1) memory, with errors that name the file, line and field.
//
//   RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open("h.jsonl"));
//   HistoryStep s;
//   while (true) { RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(s)); if (!more) break; Use(s); }
//
// Strict about what it knows, lenient about what it does not: unknown fields (of the header or a
// step) are ignored, so that a later minor revision or a system's own debugging fields do not
// break this reader. Everything else the format states is enforced here (types, required fields,
// duplicates, WRITE-only fields, start_ns <= end_ns); what needs more than one line (ordering,
// versions, owners) is the checker's business and is reported as an anomaly, not an error.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "checker/history.h"
#include "core/line_reader.h"
#include "core/result.h"

namespace rwttt {

class HistoryReader {
 public:
  // Opens `path` ("-" is stdin) and reads its header line. Errors: an empty file, a first line
  // that is not a v1 header (unknown format or version), unreadable or corrupt input.
  static Result<std::unique_ptr<HistoryReader>> Open(const std::string& path);
  HistoryReader(const HistoryReader&) = delete;
  HistoryReader& operator=(const HistoryReader&) = delete;
  ~HistoryReader();

  const HistoryHeader& header() const { return header_; }

  // Reads the next step into `out` and returns true, or returns false at the end of the file.
  // Blank lines are skipped. After an error the reader must not be used again.
  Result<bool> Next(HistoryStep& out);

  // Reads every remaining step and hands them to `sink` in history order, a block of consecutive
  // steps at a time, parsing blocks on `threads` worker threads (0: as many as the machine has
  // cores) while the calling thread reads lines and runs `sink`. Returns the first error in file
  // order, as Next would (the steps before it have been handed to `sink`). A history that fits in
  // one block is parsed on the calling thread. The reader is spent after.
  Status ReadAll(unsigned threads, const std::function<void(std::span<const HistoryStep>)>& sink);

  // 1-based line number of the step last returned.
  std::int64_t line_number() const { return lines_->line_number(); }
  const std::string& path() const { return lines_->path(); }

 private:
  // The JSON parser (simdjson), defined in checker/internal/history_step_parser.h so that
  // installed users do not see simdjson's types.
  struct JsonParser;

  explicit HistoryReader(std::unique_ptr<LineReader> lines);
  Status ReadHeader();
  Status ParseHeader(std::string_view line);
  // A parse error of the last line of the file says that the file looks truncated.
  Error MaybeTruncated(Error error);

  std::unique_ptr<LineReader> lines_;
  std::unique_ptr<JsonParser> json_;
  HistoryHeader header_;
  SourceLoc at_;  // the file, and the line being parsed
};

}  // namespace rwttt
