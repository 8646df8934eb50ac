// `rwttt fuzz`, `rwttt report` and policy plugins, as CI and a scheduler author use them.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

const std::string kPlugins = RWTTT_PLUGIN_DIR;

TEST(Fuzz, EveryCorrectPolicyPassesAShortFuzz) {
  for (const char* policy : {"rwttt", "sequential", "replicas"}) {
    const auto run = RunCli({"fuzz", "--policy", policy, "--iterations", "40", "--seed", "5"});
    EXPECT_EQ(run.exit_code, 0) << policy << run.out << run.err;
    EXPECT_NE(run.out.find("40 passed, 0 failed"), std::string::npos) << run.out;
  }
}

TEST(Fuzz, NaiveIsCaughtShrunkAndSaved) {
  testing::TempDir dir;
  const auto run = RunCli({"fuzz", "--policy", "naive", "--iterations", "40", "--seed", "5",
                           "--out", dir.path(), "--junit", dir.File("junit.xml")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("FAIL seed 5 iteration"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("reproduce: rwttt replay " + dir.path()), std::string::npos) << run.out;
  const std::string junit = testing::ReadFile(dir.File("junit.xml"));
  EXPECT_NE(junit.find("<failure type="), std::string::npos) << junit;
}

TEST(Fuzz, EveryInjectedFaultIsCaught) {
  for (const char* kind : {"stale-read", "uncommitted-read", "lost-update", "cross-owner-write",
                           "early-write", "duplicate-step", "torn-state"}) {
    const auto run = RunCli({"fuzz", "--inject", kind, "--iterations", "25", "--seed", "8"});
    EXPECT_EQ(run.exit_code, 0) << kind << ": " << run.out << run.err;
  }
}

TEST(Fuzz, ShardsSplitIterations) {
  const auto a = RunCli({"fuzz", "--iterations", "10", "--shard", "1/3"});
  const auto b = RunCli({"fuzz", "--iterations", "10", "--shard", "3/3"});
  EXPECT_NE(a.out.find("4 iterations"), std::string::npos) << a.out;  // 0, 3, 6, 9
  EXPECT_NE(b.out.find("3 iterations"), std::string::npos) << b.out;  // 2, 5, 8
  EXPECT_EQ(RunCli({"fuzz", "--shard", "4/3"}).exit_code, 2);
}

std::string Trace(const testing::TempDir& dir) {
  const std::string path = dir.File("t.jsonl");
  EXPECT_EQ(RunCli({"gen", "--count", "12", "--rate", "50000", "--prompt", "uniform:1:20",
                    "--output", "uniform:1:20", "-o", path})
                .exit_code,
            0);
  return path;
}

TEST(Report, ComparesTwoCorrectPoliciesInMarkdownAndJson) {
  testing::TempDir dir;
  const auto run =
      RunCli({"report", "--baseline", "sequential", "--candidate", "rwttt:max_batch=4", Trace(dir),
              "--model", "tiny", "--backend", "cpu", "--json", dir.File("r.json")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("| throughput (tok/s) |"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("better"), std::string::npos);
  const std::string json = testing::ReadFile(dir.File("r.json"));
  EXPECT_NE(json.find("\"candidate_check\":{\"valid\":true"), std::string::npos) << json;
}

TEST(Report, ABrokenPluginIsCaughtWithExitOne) {
  testing::TempDir dir;
  const auto run =
      RunCli({"report", "--policy-plugin", kPlugins + "/libbroken_policy.so", "--candidate",
              "wrong-slot", Trace(dir), "--model", "tiny", "--backend", "cpu"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("`owner-leak`"), std::string::npos) << run.out;
}

TEST(Report, FailOnRegressTurnsAWorseMetricIntoExitOne) {
  testing::TempDir dir;
  // sequential is slower than rwttt on a burst: as the candidate it regresses throughput.
  const auto run = RunCli({"report", "--baseline", "rwttt", "--candidate", "sequential", Trace(dir),
                           "--model", "tiny", "--backend", "cpu", "--fail-on-regress", "5"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("regression:"), std::string::npos) << run.out;
}

TEST(Plugins, WrongAbiMissingEntryPointAndMissingFileAreExitTwo) {
  testing::TempDir dir;
  const std::string trace = Trace(dir);
  auto run = RunCli({"replay", trace, "--policy-plugin", kPlugins + "/libwrong_abi_policy.so"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("ABI 42 does not match this rwttt's ABI 1"), std::string::npos) << run.err;
  run = RunCli({"replay", trace, "--policy-plugin", kPlugins + "/libno_entry_point.so"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("not a policy plugin"), std::string::npos) << run.err;
  run = RunCli({"fuzz", "--policy-plugin", dir.File("absent.so")});
  EXPECT_EQ(run.exit_code, 2);
  run = RunCli({"policies", "--policy-plugin", kPlugins + "/libbroken_policy.so"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("wrong-slot"), std::string::npos);
}

TEST(Plugins, BenchPaperAddsARowForAPluginPolicy) {
  const auto run = RunCli({"bench", "paper", "--policy-plugin", kPlugins + "/libbroken_policy.so",
                           "--policy", "wrong-slot", "--policy", "rwttt:max_batch=4"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\nwrong-slot "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\nrwttt:max_batch=4 "), std::string::npos) << run.out;
  EXPECT_EQ(RunCli({"bench", "paper", "--policy", "nope"}).exit_code, 2);
}

}  // namespace
}  // namespace rwttt
