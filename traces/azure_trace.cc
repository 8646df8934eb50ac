// Azure LLM inference traces (docs/traces.md#azure).
#include <fmt/format.h>

#include "traces/csv.h"
#include "traces/import_fields.h"
#include "traces/row_parser.h"

namespace rwttt {
namespace {

class AzureRowParser final : public RowParser {
 public:
  bool TakesHeader() const override { return true; }

  Status ParseHeader(std::string_view line, std::int64_t line_number) override {
    RWTTT_ASSIGN_OR_RETURN(header_,
                           CsvHeader::Parse(line, {"TIMESTAMP", "ContextTokens", "GeneratedTokens"},
                                            line_number, "docs/traces.md#azure"));
    return OkStatus();
  }

  Result<RowOutcome> ParseRow(std::string_view line, std::int64_t n, ImportedRow& out) override {
    RWTTT_TRY(header_.SplitRecord(line, n, fields_, scratch_));
    RWTTT_ASSIGN_OR_RETURN(out.arrival_ns,
                           InField(ParseWallClockNs(Field(0)), n, header_.column(0)));
    RWTTT_ASSIGN_OR_RETURN(out.prompt_tokens, InField(ParseTokens(Field(1)), n, header_.column(1)));
    RWTTT_ASSIGN_OR_RETURN(out.output_tokens, InField(ParseTokens(Field(2)), n, header_.column(2)));
    return RowOutcome::kKept;
  }

 private:
  std::string_view Field(std::size_t i) const { return fields_[header_.index(i)]; }

  CsvHeader header_;
  std::vector<std::string_view> fields_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<RowParser> MakeAzureRowParser() { return std::make_unique<AzureRowParser>(); }

}  // namespace rwttt
