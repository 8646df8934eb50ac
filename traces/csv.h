// A small strict CSV reader for the public traces: one record a line (RFC 4180 fields, but a quoted
// field may not span lines), columns found by their header names.
//
//   RWTTT_ASSIGN_OR_RETURN(CsvHeader h, CsvHeader::Parse(first_line, {"ContextTokens"}, 1, doc));
//   RWTTT_TRY(h.SplitRecord(line, line_number, fields, scratch));  // fields[h.index(0)] == "374"
//
// Why not a packaged parser: Debian's libcsv is a callback C API without line or column positions,
// and the traces need nothing past comma-separated, optionally quoted fields (docs/traces.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rwttt {

// Splits one record (no line terminator) into `fields`. Unquoted fields are trimmed of spaces and
// tabs; a field wholly in double quotes may hold commas and doubled quotes ("" is one quote).
// The views point into `line` or `scratch` and stay valid until either changes. An unterminated
// quote or text after a closing quote is an Input error at `line_number` naming the 1-based
// column (errors here and below leave SourceLoc::file to the caller).
Status SplitCsvLine(std::string_view line, std::int64_t line_number,
                    std::vector<std::string_view>& fields, std::string& scratch);

// "column 2 (ContextTokens)": the SourceLoc field that errors about a CSV cell carry.
std::string CsvColumnName(std::size_t index, std::string_view name);

// Where each wanted column is in a file, from its header line. Names match case-insensitively,
// after trimming; other columns are allowed and ignored.
class CsvHeader {
 public:
  // `wanted` lists the columns the importer reads, in the order index() numbers them. A missing
  // column is an Input error at `line_number` naming it and `doc` (where the format is described).
  // A leading UTF-8 byte-order mark is skipped.
  static Result<CsvHeader> Parse(std::string_view line,
                                 std::initializer_list<std::string_view> wanted,
                                 std::int64_t line_number, std::string_view doc);

  // 0-based position in a record of the i-th wanted column.
  std::size_t index(std::size_t i) const { return index_[i]; }
  // Number of columns of the header: every record must have as many fields.
  std::size_t width() const { return width_; }
  // SourceLoc field for the i-th wanted column: "column 2 (ContextTokens)".
  const std::string& column(std::size_t i) const { return names_[i]; }

  // SplitCsvLine, then an Input error at `line_number` unless the record has width() fields.
  Status SplitRecord(std::string_view line, std::int64_t line_number,
                     std::vector<std::string_view>& fields, std::string& scratch) const;

 private:
  std::vector<std::size_t> index_;
  std::vector<std::string> names_;
  std::size_t width_ = 0;
};

// True when a line holds only spaces and tabs.
inline bool IsBlankLine(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace rwttt
