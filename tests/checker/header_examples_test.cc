// Every checker/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run (tests/headers/check_header_examples.py keeps the copies
// equal to the headers). Examples run in a scratch working directory, as their file names want.
// clang-format is off around each example: it keeps its header's layout, line for line.
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
#include "tests/support/scratch_dir.h"
#include "tests/support/test_files.h"
#include "traces/native_trace.h"

namespace rwttt {
namespace {

// A scratch directory holding a small native trace `t.jsonl` and a history `h.jsonl` of it.
class HeaderExample : public testing::ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    dir_.Write("t.jsonl", testing::kTwoRequestTrace);
    dir_.Write("h.jsonl",
               "{\"format\":\"rwttt-history\",\"version\":1}\n"
               "{\"step\":0,\"owner\":0,\"effect\":\"READ\",\"version\":0,\"tokens\":[0,4],"
               "\"start_ns\":0,\"end_ns\":10,\"slot\":0,\"seen_owner\":0,\"seen_version\":0}\n");
  }
};

TEST_F(HeaderExample, CheckerAnomaly) {
  // clang-format off
  // example: checker/anomaly.h
  AnomalyName(AnomalyType::kOwnerLeak);              // "owner-leak"
  CheckOf(AnomalyType::kCycle);                      // CheckKind::kDependencyGraph
  ParseAnomalyType("stale-read");                    // AnomalyType::kStaleRead
  // end example
  // clang-format on
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
    // clang-format off
    // example: checker/check_inputs.h
    InputSearch search{.dirs = {"runs", "."}, .load_trace = ReadTrace, .required = true};
    RWTTT_ASSIGN_OR_RETURN(CheckInputs inputs, LoadCheckInputs(header, "runs/h.jsonl", search));
    // end example
    // clang-format on
    EXPECT_EQ(inputs.trace->size(), 2u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

int CheckReportExample(HistoryChecker& checker) {
  // clang-format off
  // example: checker/check_report.h
  CheckReport report = checker.Finish();
  std::cout << RenderText(report);  return report.valid() ? 0 : 1;
  // end example
  // clang-format on
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
  // clang-format off
  // example: checker/history_checker.h
  HistoryChecker checker(header, CheckOptions{.inputs = std::move(inputs)});
  for (const HistoryStep& s : steps) checker.Add(s);
  CheckReport report = checker.Finish();
  // end example
  // clang-format on
  EXPECT_EQ(report.steps_checked, 1u);
}

TEST_F(HeaderExample, CheckerHistoryReader) {
  std::vector<HistoryStep> read;
  auto Use = [&](const HistoryStep& s) { read.push_back(s); };
  auto example = [&]() -> Status {
    // clang-format off
    // example: checker/history_reader.h
    RWTTT_ASSIGN_OR_RETURN(auto reader, HistoryReader::Open("h.jsonl"));
    HistoryStep s;
    while (true) { RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(s)); if (!more) break; Use(s); }
    // end example
    // clang-format on
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
    // clang-format off
    // example: checker/history_writer.h
    RWTTT_ASSIGN_OR_RETURN(auto writer, HistoryWriter::Create("out.jsonl", header));
    writer->Write(step);  RWTTT_TRY(writer->Commit());
    // end example
    // clang-format on
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_TRUE(testing::FileExists("out.jsonl"));
}

}  // namespace
}  // namespace rwttt
