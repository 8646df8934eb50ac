#include "traces/csv.h"

#include <fmt/format.h>

#include <cstring>

namespace rwttt {
namespace {

std::string_view Trim(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The quoted field starting at line[pos] == '"'; appends its text to scratch. On success pos is
// at the ',' after it or at the end.
Status QuotedField(std::string_view line, std::size_t& pos, std::int64_t line_number,
                   std::size_t column, std::string& scratch, std::string_view& field) {
  const std::size_t start = scratch.size();
  ++pos;
  while (true) {
    if (pos >= line.size()) {
      return Error::Input("unterminated quoted field",
                          SourceLoc{"", line_number, CsvColumnName(column, "")});
    }
    const char c = line[pos++];
    if (c != '"') {
      scratch += c;
    } else if (pos < line.size() && line[pos] == '"') {
      scratch += '"';
      ++pos;
    } else {
      break;
    }
  }
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  if (pos < line.size() && line[pos] != ',') {
    return Error::Input("text after the closing quote",
                        SourceLoc{"", line_number, CsvColumnName(column, "")});
  }
  field = std::string_view(scratch).substr(start);
  return OkStatus();
}

}  // namespace

std::string CsvColumnName(std::size_t index, std::string_view name) {
  if (name.empty()) return fmt::format("column {}", index + 1);
  return fmt::format("column {} ({})", index + 1, name);
}

Status SplitCsvLine(std::string_view line, std::int64_t line_number,
                    std::vector<std::string_view>& fields, std::string& scratch) {
  fields.clear();
  if (std::memchr(line.data(), '"', line.size()) == nullptr) {
    // The common case: no quotes, so split at commas.
    std::size_t begin = 0;
    while (true) {
      const std::size_t comma = line.find(',', begin);
      fields.push_back(Trim(line.substr(begin, comma - begin)));
      if (comma == std::string_view::npos) return OkStatus();
      begin = comma + 1;
    }
  }
  scratch.clear();
  scratch.reserve(line.size());  // never reallocates below, so earlier views stay valid
  std::size_t pos = 0;
  while (true) {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
    std::string_view field;
    if (pos < line.size() && line[pos] == '"') {
      RWTTT_TRY(QuotedField(line, pos, line_number, fields.size(), scratch, field));
    } else {
      const std::size_t comma = line.find(',', pos);
      field = Trim(line.substr(pos, comma - pos));
      if (field.find('"') != std::string_view::npos) {
        return Error::Input("a quote inside an unquoted field",
                            SourceLoc{"", line_number, CsvColumnName(fields.size(), "")});
      }
      pos = comma == std::string_view::npos ? line.size() : comma;
    }
    fields.push_back(field);
    if (pos >= line.size()) return OkStatus();
    ++pos;  // the comma
  }
}

Result<CsvHeader> CsvHeader::Parse(std::string_view line,
                                   std::initializer_list<std::string_view> wanted,
                                   std::int64_t line_number, std::string_view doc) {
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  std::vector<std::string_view> fields;
  std::string scratch;
  RWTTT_TRY(SplitCsvLine(line, line_number, fields, scratch));
  CsvHeader header;
  header.width_ = fields.size();
  for (std::string_view name : wanted) {
    std::size_t found = fields.size();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (EqualsIgnoreCase(fields[i], name)) {
        found = i;
        break;
      }
    }
    if (found == fields.size()) {
      std::string expected;
      for (std::string_view w : wanted) expected += (expected.empty() ? "" : ",") + std::string(w);
      return Error::Input(fmt::format("the header has no column '{}': expected a first line with "
                                      "the columns {} (see {})",
                                      name, expected, doc),
                          SourceLoc{"", line_number, ""});
    }
    header.index_.push_back(found);
    header.names_.push_back(CsvColumnName(found, name));
  }
  return header;
}

Status CsvHeader::SplitRecord(std::string_view line, std::int64_t line_number,
                              std::vector<std::string_view>& fields, std::string& scratch) const {
  RWTTT_TRY(SplitCsvLine(line, line_number, fields, scratch));
  if (fields.size() != width_) {
    return Error::Input(fmt::format("{} fields where the header has {}", fields.size(), width_),
                        SourceLoc{"", line_number, ""});
  }
  return OkStatus();
}

}  // namespace rwttt
