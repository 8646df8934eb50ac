// BurstGPT traces (docs/traces.md#burstgpt).
#include <fmt/format.h>

#include "traces/csv.h"
#include "traces/import_fields.h"
#include "traces/row_parser.h"

namespace rwttt {
namespace {

enum Column : std::size_t { kTimestamp, kModel, kRequest, kResponse, kLogType };

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// True when `values` is empty (no filter) or holds `value`, ignoring case.
bool Allowed(const std::vector<std::string>& values, std::string_view value) {
  if (values.empty()) return true;
  for (const std::string& v : values) {
    if (EqualsIgnoreCase(v, value)) return true;
  }
  return false;
}

class BurstGptRowParser final : public RowParser {
 public:
  explicit BurstGptRowParser(BurstGptFilter filter) : filter_(std::move(filter)) {}

  bool TakesHeader() const override { return true; }

  Status ParseHeader(std::string_view line, std::int64_t line_number) override {
    RWTTT_ASSIGN_OR_RETURN(
        header_, CsvHeader::Parse(
                     line, {"Timestamp", "Model", "Request tokens", "Response tokens", "Log Type"},
                     line_number, "docs/traces.md#burstgpt"));
    return OkStatus();
  }

  Result<RowOutcome> ParseRow(std::string_view line, std::int64_t n, ImportedRow& out) override {
    RWTTT_TRY(header_.SplitRecord(line, n, fields_, scratch_));
    RWTTT_ASSIGN_OR_RETURN(out.arrival_ns,
                           InField(ParseDecimalSecondsNs(Field(kTimestamp)), n, Name(kTimestamp)));
    RWTTT_ASSIGN_OR_RETURN(out.prompt_tokens,
                           InField(ParseTokens(Field(kRequest)), n, Name(kRequest)));
    RWTTT_ASSIGN_OR_RETURN(out.output_tokens,
                           InField(ParseTokens(Field(kResponse)), n, Name(kResponse)));
    if (Field(kModel).empty()) {
      return Error::Input("empty model name", SourceLoc{"", n, Name(kModel)});
    }
    if (Field(kLogType).empty()) {
      return Error::Input("empty log type", SourceLoc{"", n, Name(kLogType)});
    }
    // A filtered row is counted as filtered even when it also failed: the user asked not to see it.
    if (!Allowed(filter_.models, Field(kModel)) || !Allowed(filter_.log_types, Field(kLogType))) {
      return RowOutcome::kFiltered;
    }
    if (out.output_tokens == 0) return RowOutcome::kFailed;
    return RowOutcome::kKept;
  }

 private:
  std::string_view Field(Column c) const { return fields_[header_.index(c)]; }
  const std::string& Name(Column c) const { return header_.column(c); }

  BurstGptFilter filter_;
  CsvHeader header_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<RowParser> MakeBurstGptRowParser(const BurstGptFilter& filter) {
  return std::make_unique<BurstGptRowParser>(filter);
}

}  // namespace rwttt
