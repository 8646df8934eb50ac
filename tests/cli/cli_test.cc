// The rwttt executable as a user meets it: exit codes, messages, byte-identical output.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

TEST(Cli, VersionAndHelpExitZero) {
  EXPECT_EQ(RunCli({"--version"}).exit_code, 0);
  const auto help = RunCli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("gen"), std::string::npos);
}

TEST(Cli, GenIsByteIdenticalForOneSeedAndDiffersForAnother) {
  testing::TempDir dir;
  const std::vector<std::string> args = {
      "gen",  "--count", "500",      "--rate",          "20",       "--arrival",     "gamma",
      "--cv", "2",       "--prompt", "lognormal:300:1", "--output", "uniform:1:100", "--seed",
      "42"};
  auto a = args;
  a.insert(a.end(), {"-o", dir.File("a.jsonl")});
  auto b = args;
  b.insert(b.end(), {"-o", dir.File("b.jsonl")});
  ASSERT_EQ(RunCli(a).exit_code, 0);
  ASSERT_EQ(RunCli(b).exit_code, 0);
  const std::string text = testing::ReadFile(dir.File("a.jsonl"));
  EXPECT_EQ(text, testing::ReadFile(dir.File("b.jsonl")));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 500);
  auto stdout_run = args;
  EXPECT_EQ(RunCli(stdout_run).out, text);  // stdout by default
  stdout_run[14] = "43";
  EXPECT_NE(RunCli(stdout_run).out, text);
}

TEST(Cli, TraceStatsReadsWhatGenWrites) {
  testing::TempDir dir;
  ASSERT_EQ(RunCli({"gen", "--count", "100", "--rate", "10", "-o", dir.File("t.jsonl")}).exit_code,
            0);
  const auto run = RunCli({"trace", "stats", dir.File("t.jsonl"), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"requests\":100"), std::string::npos) << run.out;
}

TEST(Cli, BadInputIsOneLineAndExitTwo) {
  testing::TempDir dir;
  const auto bad = dir.Write("bad.jsonl", "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":1}\n");
  const auto run = RunCli({"trace", "stats", bad});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "rwttt: error: " + bad + ":1: output_tokens: missing required field\n");

  EXPECT_EQ(RunCli({"trace", "stats", dir.File("missing.jsonl")}).exit_code, 2);
  EXPECT_EQ(RunCli({"gen", "--count", "3", "--prompt", "bogus:1"}).exit_code, 2);
  EXPECT_EQ(RunCli({"gen", "--count", "3", "--duration", "1"}).exit_code, 2);
  EXPECT_EQ(RunCli({"gen", "--count", "x"}).exit_code, 2);
  EXPECT_EQ(RunCli({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCli({"profiles", "--show", "nope"}).exit_code, 2);
}

TEST(Cli, UnwritableOutputLeavesNoFile) {
  const auto run = RunCli({"gen", "--count", "3", "-o", "/nonexistent-dir/t.jsonl"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("/nonexistent-dir/t.jsonl"), std::string::npos);
}

TEST(Cli, ProfilesListsPresetsAndShowsJson) {
  const auto run = RunCli({"profiles"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("inplace-ttt-4b"), std::string::npos);
  const auto show = RunCli({"profiles", "--show", "tiny"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_EQ(show.out.substr(0, 15), "{\"name\":\"tiny\",");
}

}  // namespace
}  // namespace rwttt
