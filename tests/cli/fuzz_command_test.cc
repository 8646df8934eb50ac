// `rwttt fuzz` as CI uses it: correct policies pass, a broken one is caught, shrunk and saved,
// every injected fault is caught, shards split the iterations.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

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
  // A copy-on-write engine's own mistakes, in copy-on-write runs.
  for (const char* kind : {"base-commit", "base-read", "stale-read", "cross-owner-write"}) {
    const auto run = RunCli({"fuzz", "--policy-opt", "share_base=on", "--inject", kind,
                             "--iterations", "25", "--seed", "8"});
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

}  // namespace
}  // namespace rwttt
