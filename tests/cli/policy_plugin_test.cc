// --policy-plugin: loading a scheduler from a shared library in every command that takes one,
// and the errors for a wrong ABI, a missing entry point and a missing file.
#include <gtest/gtest.h>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

const std::string kPlugins = RWTTT_PLUGIN_DIR;

TEST(Plugins, WrongAbiMissingEntryPointAndMissingFileAreExitTwo) {
  testing::TempDir dir;
  const std::string trace = testing::GenSmallTrace(dir);
  auto run = RunCli({"replay", trace, "--policy-plugin", kPlugins + "/libwrong_abi_policy.so"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("ABI 43 does not match this rwttt's ABI 2"), std::string::npos) << run.err;
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
