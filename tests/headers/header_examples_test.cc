// Every library header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run. check_header_examples.py (the HeaderExamples test) fails
// when a header's example and its copy here differ, so that the examples users copy compile.
// Examples run in a scratch working directory, as the relative file names in them want.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "checker/anomaly.h"
#include "checker/check_inputs.h"
#include "checker/check_report.h"
#include "checker/history.h"
#include "checker/history_checker.h"
#include "checker/history_reader.h"
#include "checker/history_writer.h"
#include "core/line_reader.h"
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

// The examples keep their headers' layout, one line as it is in the header.
// clang-format off
namespace rwttt {
namespace {

// Runs each example in a fresh scratch directory holding a small native trace `t.jsonl`, an
// Azure CSV `conv.csv` and a history `h.jsonl` of it.
class HeaderExample : public ::testing::Test {
 protected:
  void SetUp() override {
    old_dir_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
    dir_.Write("t.jsonl",
               "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n"
               "{\"id\":1,\"arrival_ns\":10,\"prompt_tokens\":3,\"output_tokens\":1}\n");
    dir_.Write("conv.csv",
               "TIMESTAMP,ContextTokens,GeneratedTokens\n"
               "2023-11-16 18:15:46.6805900,374,44\n"
               "2023-11-16 18:15:50.9951690,396,109\n");
    dir_.Write("h.jsonl",
               "{\"format\":\"rwttt-history\",\"version\":1}\n"
               "{\"step\":0,\"owner\":0,\"effect\":\"READ\",\"version\":0,\"tokens\":[0,4],"
               "\"start_ns\":0,\"end_ns\":10,\"slot\":0,\"seen_owner\":0,\"seen_version\":0}\n");
  }
  void TearDown() override { std::filesystem::current_path(old_dir_); }

  testing::TempDir dir_;
  std::filesystem::path old_dir_;
};

TEST_F(HeaderExample, TracesCsv) {
  const std::string first_line = "TIMESTAMP,ContextTokens";
  const std::string line = "2023-11-16 18:15:46.68,374";
  const std::int64_t line_number = 2;
  const std::string_view doc = "docs/traces.md";
  std::vector<std::string_view> fields;
  std::string scratch;
  auto example = [&]() -> Status {
    // example: traces/csv.h
    RWTTT_ASSIGN_OR_RETURN(CsvHeader h, CsvHeader::Parse(first_line, {"ContextTokens"}, 1, doc));
    RWTTT_TRY(h.SplitRecord(line, line_number, fields, scratch));  // fields[h.index(0)] == "374"
    // end example
    EXPECT_EQ(fields[h.index(0)], "374");
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesGenerator) {
  std::uint64_t n = 0;
  auto example = [&]() -> Status {
    // example: traces/generator.h
    GeneratorOptions o; o.count = 100; o.rate_per_s = 4; o.seed = Seed{7};
    RWTTT_TRY(GenerateTrace(o, [&](const Request&) { ++n; return OkStatus(); }));
    // end example
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(n, 100u);  // every request reached the sink
}

TEST_F(HeaderExample, TracesImportFields) {
  auto example = [&]() -> Status {
    // example: traces/import_fields.h
    RWTTT_ASSIGN_OR_RETURN(std::int64_t t, ParseWallClockNs("2023-11-16 18:15:46.6805900"));
    RWTTT_ASSIGN_OR_RETURN(std::int64_t s, InField(ParseDecimalSecondsNs("12.5"), 3, "ts"));
    // end example
    EXPECT_EQ(s, 12'500'000'000);
    EXPECT_GT(t, 0);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesLengthDistribution) {
  const double u1 = 0.25, u2 = 0.5;
  auto example = [&]() -> Status {
    // example: traces/length_distribution.h
    RWTTT_ASSIGN_OR_RETURN(auto d, ParseLengthDistribution("uniform:1:64", "--prompt"));
    std::uint32_t n = d.Sample(u1, u2);   // u1, u2 uniform in (0, 1)
    // end example
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, 64u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesNativeTrace) {
  auto example = [&]() -> Status {
    // example: traces/native_trace.h
    RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace("t.jsonl"));
    RWTTT_TRY(WriteTrace(trace, "copy.jsonl"));
    // end example
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
    // example: traces/row_parser.h
    std::unique_ptr<RowParser> p = MakeAzureRowParser();
    if (p->TakesHeader()) RWTTT_TRY(p->ParseHeader(first_line, 1));
    RWTTT_ASSIGN_OR_RETURN(RowOutcome o, p->ParseRow(line, line_number, row));
    // end example
    EXPECT_EQ(o, RowOutcome::kKept);
    EXPECT_EQ(row.prompt_tokens, 374u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceFormat) {
  auto example = [&]() -> Status {
    // example: traces/trace_format.h
    RWTTT_ASSIGN_OR_RETURN(TraceFormat f, ParseTraceFormat("azure"));
    std::string_view name = TraceFormatName(f);   // "azure"
    // end example
    EXPECT_EQ(name, "azure");
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceLoader) {
  auto example = [&]() -> Status {
    // example: traces/trace_loader.h
    TraceLoadOptions o; o.shaping.rate_per_s = 10;
    RWTTT_ASSIGN_OR_RETURN(LoadedTrace t, LoadTrace("conv.csv", TraceFormat::kAzure, o));
    // end example
    EXPECT_EQ(t.requests.size(), 2u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, TracesTraceShaping) {
  std::vector<Request> trace = ReadTrace("t.jsonl").value();
  ShapingCounts counts;
  auto example = [&]() -> Status {
    // example: traces/trace_shaping.h
    ShapingOptions o; o.window = TimeWindow{Nanos{60'000'000'000}, Nanos{600'000'000'000}};
    o.sample_fraction = 0.25; o.seed = Seed{7}; RWTTT_TRY(ApplyShaping(trace, o, counts));
    // end example
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_TRUE(trace.empty()) << "both requests arrive before the window";
  EXPECT_EQ(counts.outside_window, 2u);
}

TEST_F(HeaderExample, TracesTraceStats) {
  const std::vector<Request> trace = ReadTrace("t.jsonl").value();
  // example: traces/trace_stats.h
  TraceStatsBuilder b; for (const Request& r : trace) b.Add(r);
  TraceStats s = b.Finish();   std::cout << FormatTraceStats(s, "t.jsonl");
  // end example
  EXPECT_EQ(s.count, 2u);
}

TEST_F(HeaderExample, CheckerAnomaly) {
  // example: checker/anomaly.h
  AnomalyName(AnomalyType::kOwnerLeak);              // "owner-leak"
  CheckOf(AnomalyType::kCycle);                      // CheckKind::kDependencyGraph
  ParseAnomalyType("stale-read");                    // AnomalyType::kStaleRead
  // end example
  EXPECT_EQ(AnomalyName(AnomalyType::kOwnerLeak), "owner-leak");
  EXPECT_EQ(CheckOf(AnomalyType::kCycle), CheckKind::kDependencyGraph);
  EXPECT_EQ(ParseAnomalyType("stale-read"), AnomalyType::kStaleRead);
}

TEST_F(HeaderExample, CheckerCheckInputs) {
  std::filesystem::create_directory("runs");
  std::filesystem::copy_file("t.jsonl", "runs/t.jsonl");
  HistoryHeader header;
  header.trace = "t.jsonl";
  auto example = [&]() -> Status {
    // example: checker/check_inputs.h
    InputSearch search{.dirs = {"runs", "."}, .load_trace = ReadTrace, .required = true};
    RWTTT_ASSIGN_OR_RETURN(CheckInputs inputs, LoadCheckInputs(header, "runs/h.jsonl", search));
    // end example
    EXPECT_EQ(inputs.trace->size(), 2u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

int CheckReportExample(HistoryChecker& checker) {
  // example: checker/check_report.h
  CheckReport report = checker.Finish();
  std::cout << RenderText(report);  return report.valid() ? 0 : 1;
  // end example
}

TEST_F(HeaderExample, CheckerCheckReport) {
  HistoryChecker checker(HistoryHeader{}, CheckOptions{});
  EXPECT_EQ(CheckReportExample(checker), 0);
}

TEST_F(HeaderExample, CheckerHistoryChecker) {
  CheckInputs inputs;
  const HistoryHeader header;
  std::vector<HistoryStep> steps(1);
  steps[0].end_token = 1;
  // example: checker/history_checker.h
  HistoryChecker checker(header, CheckOptions{.inputs = std::move(inputs)});
  for (const HistoryStep& s : steps) checker.Add(s);
  CheckReport report = checker.Finish();
  // end example
  EXPECT_EQ(report.steps_checked, 1u);
}

TEST_F(HeaderExample, CheckerHistoryReader) {
  std::vector<HistoryStep> read;
  auto Use = [&](const HistoryStep& s) { read.push_back(s); };
  auto example = [&]() -> Status {
    // example: checker/history_reader.h
    RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open("h.jsonl"));
    HistoryStep s;
    while (true) { RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(s)); if (!more) break; Use(s); }
    // end example
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(read.size(), 1u);
}

TEST_F(HeaderExample, CheckerHistoryWriter) {
  const HistoryHeader header;
  HistoryStep step;
  step.end_token = 1;
  auto example = [&]() -> Status {
    // example: checker/history_writer.h
    RWTTT_ASSIGN_OR_RETURN(auto writer, HistoryWriter::Create("out.jsonl", header));
    writer->Write(step);  RWTTT_TRY(writer->Commit());
    // end example
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_TRUE(testing::FileExists("out.jsonl"));
}

}  // namespace
}  // namespace rwttt
// clang-format on
