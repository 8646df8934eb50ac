// `rwttt import` and `rwttt trace stats --format` as a user meets them: exit codes, one-line
// errors, summaries on stderr, byte-identical output.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

const char kAzure[] =
    "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
    "2023-11-16 18:15:46.6805900,374,44\r\n"
    "2023-11-16 18:15:50.9951690,396,109\r\n"
    "2023-11-16 18:15:51.0000000,5000,900\r\n"
    "2023-11-16 18:15:52.5000000,879,55";

std::size_t Lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(ImportCli, ConvertsToTheNativeFormatOnStdoutWithASummaryOnStderr) {
  testing::TempDir dir;
  const auto run = RunCli({"import", "azure", dir.Write("conv.csv", kAzure)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.substr(0, run.out.find('\n')),
            R"({"id":0,"arrival_ns":0,"prompt_tokens":374,"output_tokens":44})");
  EXPECT_EQ(Lines(run.out), 4u);
  EXPECT_EQ(run.err, "rwttt: import: 4 rows read as azure, 4 requests kept\n");
  // What import writes, trace stats and the native reader accept.
  const std::string native = dir.Write("conv.jsonl", run.out);
  EXPECT_EQ(RunCli({"trace", "stats", native}).exit_code, 0);
}

TEST(ImportCli, ShapingOptionsAreCountedAndDeterministic) {
  testing::TempDir dir;
  const std::string in = dir.Write("conv.csv", kAzure);
  const std::vector<std::string> args = {
      "import", "azure", in,   "--max-prompt",     "1000", "--max-output", "100",
      "--rate", "2",     "-o", dir.File("a.jsonl")};
  const auto run = RunCli(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("1 prompts clipped; 2 outputs clipped; time scaled by"), std::string::npos)
      << run.err;
  const std::string text = testing::ReadFile(dir.File("a.jsonl"));
  EXPECT_NE(text.find(R"({"id":3,"arrival_ns":1500000000,"prompt_tokens":879,"output_tokens":55})"),
            std::string::npos)
      << text;
  auto again = args;
  again.back() = dir.File("b.jsonl");
  ASSERT_EQ(RunCli(again).exit_code, 0);
  EXPECT_EQ(testing::ReadFile(dir.File("b.jsonl")), text);
}

TEST(ImportCli, ABadRowIsOneLineNamingFileLineAndColumnAndExitsTwo) {
  testing::TempDir dir;
  const std::string in =
      dir.Write("bad.csv", std::string(kAzure) + "\r\n2023-11-16 18:15:53.0,12x,1\r\n");
  const auto run = RunCli({"import", "azure", in, "-o", dir.File("out.jsonl")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "rwttt: error: " + in +
                         ":6: column 2 (ContextTokens): expected a non-negative integer, found "
                         "\"12x\"\n");
  EXPECT_FALSE(testing::FileExists(dir.File("out.jsonl")));  // no partial output

  const auto skipped =
      RunCli({"import", "azure", in, "--skip-bad-rows", "-o", dir.File("o.jsonl")});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find("1 bad rows skipped"), std::string::npos) << skipped.err;
  EXPECT_NE(skipped.err.find("bad row: " + in + ":6: column 2"), std::string::npos);
  EXPECT_EQ(Lines(testing::ReadFile(dir.File("o.jsonl"))), 4u);
}

TEST(ImportCli, BadUsageExitsTwo) {
  testing::TempDir dir;
  const std::string in = dir.Write("conv.csv", kAzure);
  const auto sample = RunCli({"import", "azure", in, "--sample", "1.5"});
  EXPECT_EQ(sample.exit_code, 2);
  EXPECT_EQ(sample.err,
            "rwttt: error: --sample: must be a number above 0 and at most 1, found 1.5\n");
  EXPECT_EQ(RunCli({"import", "csv", in}).exit_code, 2);
  EXPECT_EQ(RunCli({"import", "azure", in, "--burstgpt-model", "GPT-4"}).exit_code, 2);
  EXPECT_EQ(RunCli({"import", "azure", in, "--window", "5"}).exit_code, 2);
  EXPECT_EQ(RunCli({"import", "azure", in, "--rate", "1", "--time-scale", "2"}).exit_code, 2);
  EXPECT_EQ(RunCli({"import", "azure", dir.File("missing.csv")}).exit_code, 2);
}

TEST(ImportCli, TraceStatsReadsEveryFormatAndReportsTheImport) {
  testing::TempDir dir;
  const auto azure = RunCli({"trace", "stats", "--format", "azure", dir.Write("c.csv", kAzure)});
  ASSERT_EQ(azure.exit_code, 0) << azure.err;
  EXPECT_NE(azure.out.find("requests 4\n"), std::string::npos) << azure.out;
  EXPECT_NE(azure.out.find("import   4 rows read as azure, 4 requests kept"), std::string::npos);
  const auto burst =
      RunCli({"trace", "stats", "--format", "burstgpt", "--json",
              dir.Write("b.csv",
                        "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
                        "0,ChatGPT,10,0,10,API log\n1,ChatGPT,20,5,25,API log\n"
                        "2,ChatGPT,30,6,36,API log\n")});
  ASSERT_EQ(burst.exit_code, 0) << burst.err;
  EXPECT_NE(burst.out.find(R"("requests":2,)"), std::string::npos) << burst.out;
  EXPECT_NE(burst.out.find(R"("failed":1,)"), std::string::npos) << burst.out;
  // Each --burstgpt-model takes one value: the file after it stays the FILE argument.
  const auto filtered = RunCli(
      {"trace", "stats", "--format", "burstgpt", "--burstgpt-model", "GPT-4", dir.File("b.csv")});
  EXPECT_EQ(filtered.exit_code, 2);
  EXPECT_EQ(filtered.err,
            "rwttt: error: " + dir.File("b.csv") + ": no requests left (3 rows read, 3 dropped)\n");
  const auto moon =
      RunCli({"trace", "stats", "--format", "mooncake", "--window", "0,1",
              dir.Write("m.jsonl",
                        "{\"timestamp\":0,\"input_length\":9,\"output_length\":1}\n"
                        "{\"timestamp\":3000,\"input_length\":9,\"output_length\":1}\n")});
  ASSERT_EQ(moon.exit_code, 0) << moon.err;
  EXPECT_NE(moon.out.find("1 outside --window"), std::string::npos) << moon.out;
  // Stats of a CSV read as native is the native reader's one-line error.
  const auto wrong = RunCli({"trace", "stats", dir.File("c.csv")});
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_EQ(Lines(wrong.err), 1u);
}

}  // namespace
}  // namespace rwttt
