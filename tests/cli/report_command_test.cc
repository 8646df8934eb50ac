// `rwttt report` as a scheduler author uses it: two policies compared in Markdown and JSON, a
// broken plugin's anomalies and a regression turned into exit 1.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

const std::string kPlugins = RWTTT_PLUGIN_DIR;

TEST(Report, ComparesTwoCorrectPoliciesInMarkdownAndJson) {
  testing::TempDir dir;
  const auto run = RunCli({"report", "--baseline", "sequential", "--candidate", "rwttt:max_batch=4",
                           testing::GenSmallTrace(dir), "--model", "tiny", "--backend", "cpu",
                           "--json", dir.File("r.json")});
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
              "wrong-slot", testing::GenSmallTrace(dir), "--model", "tiny", "--backend", "cpu"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("`owner-leak`"), std::string::npos) << run.out;
}

TEST(Report, FailOnRegressTurnsAWorseMetricIntoExitOne) {
  testing::TempDir dir;
  // sequential is slower than rwttt on a burst: as the candidate it regresses throughput.
  const auto run = RunCli({"report", "--baseline", "rwttt", "--candidate", "sequential",
                           testing::GenSmallTrace(dir), "--model", "tiny", "--backend", "cpu",
                           "--fail-on-regress", "5"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("regression:"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace rwttt
