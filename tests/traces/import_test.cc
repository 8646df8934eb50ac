// The importers on small files written here, one per quirk of the real traces (docs/traces.md).
#include <gtest/gtest.h>

#include "core/output_file.h"
#include "tests/support/test_files.h"
#include "traces/trace_loader.h"

namespace rwttt {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

struct Loaded {
  testing::TempDir dir;
  Result<LoadedTrace> trace = Error::Input("not loaded");
};

// Writes `contents` to a file named `name` and loads it.
std::unique_ptr<Loaded> Load(const std::string& name, const std::string& contents,
                             TraceFormat format, const TraceLoadOptions& options = {}) {
  auto out = std::make_unique<Loaded>();
  out->trace = LoadTrace(out->dir.Write(name, contents), format, options);
  return out;
}

// The error message from the file name on, or "ok".
std::string ErrorOf(const std::string& contents, TraceFormat format,
                    const TraceLoadOptions& options = {}) {
  auto loaded = Load("t.csv", contents, format, options);
  if (loaded->trace.ok()) return "ok";
  const std::string message = loaded->trace.error().ToString();
  return message.substr(message.find("t.csv"));
}

Request Req(std::uint64_t id, std::int64_t arrival, std::uint32_t prompt, std::uint32_t output) {
  return Request{OwnerId{id}, Nanos{arrival}, prompt, output, std::nullopt};
}

const char kAzureHeader[] = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n";

TEST(AzureImport, ReadsCrlfSevenDigitFractionsAndALastLineWithoutNewline) {
  auto t = Load("t.csv",
                std::string(kAzureHeader) +
                    "2023-11-16 18:15:46.6805900,374,44\r\n"
                    "2023-11-16 18:15:50.9951690,396,109\r\n"
                    "2023-11-16 18:15:50.9951691,879,55",
                TraceFormat::kAzure);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  // The first arrival is the clock origin; offsets are exact to the 100 ns of the source.
  EXPECT_EQ(t->trace->requests,
            (std::vector<Request>{Req(0, 0, 374, 44), Req(1, 4'314'579'000, 396, 109),
                                  Req(2, 4'314'579'100, 879, 55)}));
  EXPECT_EQ(t->trace->report.rows, 3u);
  EXPECT_EQ(t->trace->report.dropped(), 0u);
}

TEST(AzureImport, Reads2024LayoutWithOffsetsExtraColumnsAndBlankLines) {
  auto t = Load("t.csv",
                "\n ContextTokens,TIMESTAMP,GeneratedTokens,Region\n"
                "10,2024-05-10 00:00:00.5+00:00,1,us\n\n  \n"
                "20,2024-05-10 00:00:01+00:00,2,eu\n",
                TraceFormat::kAzure);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  EXPECT_EQ(t->trace->requests,
            (std::vector<Request>{Req(0, 0, 10, 1), Req(1, kSecond / 2, 20, 2)}));
  EXPECT_EQ(t->trace->report.blank_lines, 3u);
}

TEST(AzureImport, ReadsZstdCompressedFiles) {
  testing::TempDir dir;
  const std::string path = dir.File("t.csv.zst");
  auto out = OutputFile::Create(path);
  ASSERT_TRUE(out.ok());
  (*out)->Write(std::string(kAzureHeader) + "2023-11-16 00:00:00,1,2\r\n2023-11-16 00:00:03,3,4");
  ASSERT_TRUE((*out)->Commit().ok());
  auto t = LoadTrace(path, TraceFormat::kAzure, {});
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(t->requests, (std::vector<Request>{Req(0, 0, 1, 2), Req(1, 3 * kSecond, 3, 4)}));
}

TEST(AzureImport, SortsOutOfOrderRowsStablyAndCountsThem) {
  auto t = Load("t.csv",
                std::string(kAzureHeader) +
                    "2023-11-16 00:00:02,1,1\n2023-11-16 00:00:01,2,2\n2023-11-16 00:00:02,3,3\n"
                    "2023-11-16 00:00:01,4,4\n",
                TraceFormat::kAzure);
  ASSERT_TRUE(t->trace.ok());
  EXPECT_EQ(t->trace->requests,
            (std::vector<Request>{Req(0, 0, 2, 2), Req(1, 0, 4, 4), Req(2, kSecond, 1, 1),
                                  Req(3, kSecond, 3, 3)}));
  EXPECT_EQ(t->trace->report.out_of_order, 2u);
}

TEST(AzureImport, BadRowsNameFileLineAndColumn) {
  const std::string ok = std::string(kAzureHeader) + "2023-11-16 18:15:46.6805900,374,44\r\n";
  EXPECT_EQ(ErrorOf(ok + "2023-11-16 18:15:47.0,x,1\r\n", TraceFormat::kAzure),
            "t.csv:3: column 2 (ContextTokens): expected a non-negative integer, found \"x\"");
  EXPECT_EQ(ErrorOf(ok + "2023-11-16 18:15:47.0,1,-1", TraceFormat::kAzure),
            "t.csv:3: column 3 (GeneratedTokens): must not be negative, found \"-1\"");
  EXPECT_EQ(ErrorOf(ok + "16/11/2023 18:15,1,1", TraceFormat::kAzure),
            "t.csv:3: column 1 (TIMESTAMP): expected a time YYYY-MM-DD HH:MM:SS.fffffff (an "
            "optional Z or +HH:MM offset), found \"16/11/2023 18:15\"");
  EXPECT_EQ(ErrorOf(ok + "2023-11-16 18:15:47.0,1", TraceFormat::kAzure),
            "t.csv:3: 2 fields where the header has 3");
  EXPECT_EQ(ErrorOf("TIMESTAMP,Context,GeneratedTokens\n", TraceFormat::kAzure),
            "t.csv:1: the header has no column 'ContextTokens': expected a first line with the "
            "columns TIMESTAMP,ContextTokens,GeneratedTokens (see docs/traces.md#azure)");
  EXPECT_EQ(ErrorOf("", TraceFormat::kAzure), "t.csv: the file is empty: no header line");
  EXPECT_EQ(ErrorOf(kAzureHeader, TraceFormat::kAzure),
            "t.csv: no requests left (0 rows read, 0 dropped)");
}

TEST(AzureImport, SkipBadRowsCountsAndQuotesThem) {
  TraceLoadOptions o;
  o.skip_bad_rows = true;
  auto t = Load("t.csv",
                std::string(kAzureHeader) +
                    "2023-11-16 00:00:00,1,1\nbad\n2023-11-16 00:00:01,x,1\n"
                    "2023-11-16 00:00:02,3,3\n2023-11-16 00:00:03,4\n2023-11-16 00:00:04,\"5\n",
                TraceFormat::kAzure, o);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  const ImportReport& r = t->trace->report;
  EXPECT_EQ(t->trace->requests.size(), 2u);
  EXPECT_EQ(r.rows, 6u);
  EXPECT_EQ(r.bad_rows, 4u);
  ASSERT_EQ(r.first_bad.size(), 3u);
  EXPECT_NE(r.first_bad[0].ToString().find("t.csv:3: 1 fields where the header has 3"),
            std::string::npos);
  const std::string text = FormatImportReport(r);
  EXPECT_NE(text.find("4 bad rows skipped"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 1 more bad rows"), std::string::npos) << text;
  // Still fatal: a bad header, since no row can be read without it.
  EXPECT_EQ(ErrorOf("TIMESTAMP\n", TraceFormat::kAzure, o).substr(0, 40),
            "t.csv:1: the header has no column 'Conte");
}

const char kBurstHeader[] =
    "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n";

TEST(BurstGptImport, DropsAndCountsFailedRequests) {
  const std::string rows = std::string(kBurstHeader) +
                           "5,ChatGPT,472,18,490,Conversation log\n"
                           "45,ChatGPT,1087,0,1087,Conversation log\n"
                           "118.5,GPT-4,417,276,693,API log\n";
  auto t = Load("t.csv", rows, TraceFormat::kBurstGpt);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  EXPECT_EQ(
      t->trace->requests,
      (std::vector<Request>{Req(0, 0, 472, 18), Req(1, 113 * kSecond + kSecond / 2, 417, 276)}));
  EXPECT_EQ(t->trace->report.failed, 1u);
  EXPECT_EQ(t->trace->report.dropped(), 1u);
  EXPECT_NE(FormatImportReport(t->trace->report).find("1 failed (0 response tokens, dropped)"),
            std::string::npos);

  TraceLoadOptions keep;
  keep.burstgpt.keep_failed = true;
  auto k = Load("t.csv", rows, TraceFormat::kBurstGpt, keep);
  ASSERT_TRUE(k->trace.ok());
  EXPECT_EQ(k->trace->requests.size(), 3u);
  EXPECT_EQ(k->trace->requests[1], Req(1, 40 * kSecond, 1087, 0));
  EXPECT_EQ(k->trace->report.failed, 1u);
  EXPECT_EQ(k->trace->report.dropped(), 0u);
}

TEST(BurstGptImport, FiltersByModelAndLogTypeIgnoringCase) {
  const std::string rows = std::string(kBurstHeader) +
                           "1,ChatGPT,10,1,11,Conversation log\n"
                           "2,GPT-4,20,2,22,Conversation log\n"
                           "3,ChatGPT,30,3,33,API log\n"
                           "4,GPT-4,40,0,40,API log\n";
  TraceLoadOptions o;
  o.burstgpt.models = {"chatgpt"};
  auto t = Load("t.csv", rows, TraceFormat::kBurstGpt, o);
  ASSERT_TRUE(t->trace.ok());
  EXPECT_EQ(t->trace->requests,
            (std::vector<Request>{Req(0, 0, 10, 1), Req(1, 2 * kSecond, 30, 3)}));
  EXPECT_EQ(t->trace->report.filtered, 2u);  // the failed GPT-4 row counts as filtered
  EXPECT_EQ(t->trace->report.failed, 0u);
  o.burstgpt.log_types = {"API log"};
  auto u = Load("t.csv", rows, TraceFormat::kBurstGpt, o);
  ASSERT_TRUE(u->trace.ok());
  EXPECT_EQ(u->trace->requests, (std::vector<Request>{Req(0, 0, 30, 3)}));
  EXPECT_EQ(u->trace->report.filtered, 3u);
}

TEST(BurstGptImport, ReadsQuotedFieldsAndAnyColumnOrder) {
  auto t = Load("t.csv",
                "\"Log Type\",Timestamp,\"Request tokens\",\"Response tokens\",Model\r\n"
                "\"Conversation log\",7,\"100\",5,\"GPT-4\"\r\n",
                TraceFormat::kBurstGpt);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  EXPECT_EQ(t->trace->requests, (std::vector<Request>{Req(0, 0, 100, 5)}));
}

TEST(BurstGptImport, BadRowsNameTheColumn) {
  EXPECT_EQ(
      ErrorOf(std::string(kBurstHeader) + "1.5.2,ChatGPT,1,1,2,API log\n", TraceFormat::kBurstGpt)
          .substr(0, 68),
      "t.csv:2: column 1 (Timestamp): expected non-negative seconds such as");
  EXPECT_EQ(ErrorOf(std::string(kBurstHeader) + "1,,1,1,2,API log\n", TraceFormat::kBurstGpt),
            "t.csv:2: column 2 (Model): empty model name");
  EXPECT_EQ(
      ErrorOf(std::string(kBurstHeader) + "1,ChatGPT,1,1e3,2,API log\n", TraceFormat::kBurstGpt),
      "t.csv:2: column 4 (Response tokens): expected a non-negative integer, found \"1e3\"");
}

TEST(MooncakeImport, ReadsMillisecondsAndKeepsFileOrderOfEqualTimes) {
  auto t = Load("t.jsonl",
                "{\"timestamp\": 0, \"input_length\": 6758, \"output_length\": 500, "
                "\"hash_ids\": [0, 1, 2]}\n"
                "{\"timestamp\": 0, \"input_length\": 7322, \"output_length\": 490, "
                "\"hash_ids\": []}\n\n"
                "{\"hash_ids\": [5], \"output_length\": 3, \"timestamp\": 3003, "
                "\"input_length\": 891, \"session\": \"ignored\"}",
                TraceFormat::kMooncake);
  ASSERT_TRUE(t->trace.ok()) << t->trace.error().ToString();
  EXPECT_EQ(t->trace->requests, (std::vector<Request>{Req(0, 0, 6758, 500), Req(1, 0, 7322, 490),
                                                      Req(2, 3'003'000'000, 891, 3)}));
  EXPECT_EQ(t->trace->report.blank_lines, 1u);
}

TEST(MooncakeImport, BadLinesNameFileLineAndField) {
  const std::string ok =
      "{\"timestamp\":0,\"input_length\":1,\"output_length\":1,\"hash_ids\":[0]}\n";
  const auto error = [](const std::string& contents) {
    auto loaded = Load("t.jsonl", contents, TraceFormat::kMooncake);
    if (loaded->trace.ok()) return std::string("ok");
    const std::string m = loaded->trace.error().ToString();
    return m.substr(m.find("t.jsonl"));
  };
  EXPECT_EQ(error(ok + "{\"timestamp\":1,\"input_length\":1}\n"),
            "t.jsonl:2: output_length: missing required field");
  EXPECT_EQ(error(ok + "{\"timestamp\":1.5,\"input_length\":1,\"output_length\":1}\n"),
            "t.jsonl:2: timestamp: expected a non-negative integer, found a number");
  EXPECT_EQ(error(ok + "{\"timestamp\":1,\"input_length\":-4,\"output_length\":1}\n"),
            "t.jsonl:2: input_length: must not be negative, found -4");
  EXPECT_EQ(error(ok + "{\"timestamp\":1,\"input_length\":4,\"output_length\":1,\"hash_ids\":3}"),
            "t.jsonl:2: hash_ids: expected an array");
  EXPECT_EQ(error(ok + "{\"timestamp\":1,\"timestamp\":2,\"input_length\":4,\"output_length\":1}"),
            "t.jsonl:2: timestamp: duplicate field");
  EXPECT_EQ(error(ok + "[1]\n"), "t.jsonl:2: expected a JSON object");
  EXPECT_EQ(error(ok + "{\"timestamp\":1,\"input_length\":4,\"output_length\":1} {}"),
            "t.jsonl:2: unexpected content after the JSON object");
}

TEST(NativeLoad, KeepsIdsSeedsAndArrivalsWithoutShaping) {
  auto t = Load("t.jsonl",
                "{\"id\":7,\"arrival_ns\":50,\"prompt_tokens\":1,\"output_tokens\":2,\"seed\":3}\n",
                TraceFormat::kNative);
  ASSERT_TRUE(t->trace.ok());
  EXPECT_EQ(t->trace->requests,
            (std::vector<Request>{Request{OwnerId{7}, Nanos{50}, 1, 2, Seed{3}}}));
  TraceLoadOptions skip;
  skip.skip_bad_rows = true;
  auto s = Load("t.jsonl", "{}", TraceFormat::kNative, skip);
  ASSERT_FALSE(s->trace.ok());
  EXPECT_EQ(s->trace.error().code, ErrorCode::kUsage);
}

}  // namespace
}  // namespace rwttt
