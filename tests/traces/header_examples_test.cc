// Every traces/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run (tests/headers/check_header_examples.py keeps the copies
// equal to the headers). Examples run in a scratch working directory, as their file names want.
// clang-format is off around each example: it keeps its header's layout, line for line.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/scratch_dir.h"
#include "tests/support/test_files.h"
#include "traces/csv.h"
#include "traces/generator.h"
#include "traces/import_fields.h"
#include "traces/length_distribution.h"
#include "traces/native_trace.h"
#include "traces/row_parser.h"
#include "traces/trace_format.h"
#include "traces/trace_loader.h"
#include "traces/trace_shaping.h"
#include "traces/trace_stats.h"

namespace rwttt {
namespace {

// A scratch directory holding a small native trace `t.jsonl` and an Azure CSV `conv.csv`.
class HeaderExample : public testing::ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    dir_.Write("t.jsonl", testing::kTwoRequestTrace);
    dir_.Write("conv.csv",
               "TIMESTAMP,ContextTokens,GeneratedTokens\n"
               "2023-11-16 18:15:46.6805900,374,44\n"
               "2023-11-16 18:15:50.9951690,396,109\n");
  }
};

TEST_F(HeaderExample, TracesCsv) {
  const std::string first_line = "TIMESTAMP,ContextTokens";
  const std::string line = "2023-11-16 18:15:46.68,374";
  const std::int64_t line_number = 2;
  const std::string_view doc = "docs/traces.md";
  std::vector<std::string_view> fields;
  std::string scratch;
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/csv.h
    RWTTT_ASSIGN_OR_RETURN(CsvHeader h, CsvHeader::Parse(first_line, {"ContextTokens"}, 1, doc));
    RWTTT_TRY(h.SplitRecord(line, line_number, fields, scratch));  // fields[h.index(0)] == "374"
    // end example
    // clang-format on
    EXPECT_EQ(fields[h.index(0)], "374");
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesGenerator) {
  std::uint64_t n = 0;
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/generator.h
    GeneratorOptions o; o.count = 100; o.rate_per_s = 4; o.seed = Seed{7};
    RWTTT_TRY(GenerateTrace(o, [&](const Request&) { ++n; return OkStatus(); }));
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(n, 100u);  // every request reached the sink
}

TEST_F(HeaderExample, TracesImportFields) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/import_fields.h
    RWTTT_ASSIGN_OR_RETURN(std::int64_t t, ParseWallClockNs("2023-11-16 18:15:46.6805900"));
    RWTTT_ASSIGN_OR_RETURN(std::int64_t s, InField(ParseDecimalSecondsNs("12.5"), 3, "ts"));
    // end example
    // clang-format on
    EXPECT_EQ(s, 12'500'000'000);
    EXPECT_GT(t, 0);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesLengthDistribution) {
  const double u1 = 0.25, u2 = 0.5;
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/length_distribution.h
    RWTTT_ASSIGN_OR_RETURN(auto d, ParseLengthDistribution("uniform:1:64", "--prompt"));
    std::uint32_t n = d.Sample(u1, u2);   // u1, u2 uniform in (0, 1)
    // end example
    // clang-format on
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, 64u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesNativeTrace) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/native_trace.h
    RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace("t.jsonl"));
    RWTTT_TRY(WriteTrace(trace, "copy.jsonl"));
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(testing::ReadFile("copy.jsonl"), testing::ReadFile("t.jsonl"));
}

TEST_F(HeaderExample, TracesRowParser) {
  const std::string first_line = "TIMESTAMP,ContextTokens,GeneratedTokens";
  const std::string line = "2023-11-16 18:15:46.6805900,374,44";
  const std::int64_t line_number = 2;
  ImportedRow row;
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/row_parser.h
    std::unique_ptr<RowParser> p = MakeAzureRowParser();
    if (p->TakesHeader()) RWTTT_TRY(p->ParseHeader(first_line, 1));
    RWTTT_ASSIGN_OR_RETURN(RowOutcome o, p->ParseRow(line, line_number, row));
    // end example
    // clang-format on
    EXPECT_EQ(o, RowOutcome::kKept);
    EXPECT_EQ(row.prompt_tokens, 374u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceFormat) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/trace_format.h
    RWTTT_ASSIGN_OR_RETURN(TraceFormat f, ParseTraceFormat("azure"));
    std::string_view name = TraceFormatName(f);   // "azure"
    // end example
    // clang-format on
    EXPECT_EQ(name, "azure");
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceLoader) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/trace_loader.h
    TraceLoadOptions o; o.shaping.rate_per_s = 10;
    RWTTT_ASSIGN_OR_RETURN(LoadedTrace t, LoadTrace("conv.csv", TraceFormat::kAzure, o));
    // end example
    // clang-format on
    EXPECT_EQ(t.requests.size(), 2u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceShaping) {
  std::vector<Request> trace = ReadTrace("t.jsonl").value();
  ShapingCounts counts;
  auto example = [&]() -> Status {
    // clang-format off
    // example: traces/trace_shaping.h
    ShapingOptions o; o.window = TimeWindow{Nanos{60'000'000'000}, Nanos{600'000'000'000}};
    o.sample_fraction = 0.25; o.seed = Seed{7}; RWTTT_TRY(ApplyShaping(trace, o, counts));
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_TRUE(trace.empty()) << "both requests arrive before the window";
  EXPECT_EQ(counts.outside_window, 2u);
}

TEST_F(HeaderExample, TracesTraceStats) {
  const std::vector<Request> trace = ReadTrace("t.jsonl").value();
  // clang-format off
  // example: traces/trace_stats.h
  TraceStatsBuilder b; for (const Request& r : trace) b.Add(r);
  TraceStats s = b.Finish();   std::cout << FormatTraceStats(s, "t.jsonl");
  // end example
  // clang-format on
  EXPECT_EQ(s.count, 2u);
}

}  // namespace
}  // namespace rwttt
