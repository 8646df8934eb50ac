// `rwttt calibrate` as a user runs it: the table, the profile file, and using that file.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_files.h"

namespace rwttt {
namespace {

using testing::RunCli;

TEST(CalibrateCommand, WritesAProfileReplayCanUse) {
  testing::TempDir dir;
  const std::string profile = dir.File("cpu.json");
  const auto run = RunCli({"calibrate", "--backend", "cpu", "--model", "tiny", "--repeats", "1",
                           "--name", "this-cpu", "-o", profile});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("shape                       measured ms"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("READ x8, 8 tokens"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("profile this-cpu: bandwidth"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("wrote " + profile), std::string::npos) << run.out;
  EXPECT_NE(testing::ReadFile(profile).find(R"("calibration":{"rms_relative_error":)"),
            std::string::npos);
  const std::string trace =
      dir.Write("t.jsonl", "{\"id\":0,\"arrival_ns\":0,\"prompt_tokens\":4,\"output_tokens\":2}\n");
  const auto replay = RunCli({"replay", trace, "--model", "tiny", "--hardware", profile});
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
}

TEST(CalibrateCommand, BadValuesAreRefusedNamingTheFlag) {
  const auto repeats = RunCli({"calibrate", "--backend", "cpu", "--repeats", "0", "-o", "-"});
  EXPECT_EQ(repeats.exit_code, 2);
  EXPECT_NE(repeats.err.find("--repeats"), std::string::npos) << repeats.err;
  const auto memory =
      RunCli({"calibrate", "--backend", "cpu", "--model", "tiny", "--memory", "0.0001", "-o", "-"});
  EXPECT_EQ(memory.exit_code, 2);
  EXPECT_NE(memory.err.find("rwttt: error: --memory must be from 0.0009765625 to 1000000 GiB\n"),
            std::string::npos)
      << memory.err;
}

TEST(BenchFidelity, CalibratesThenComparesEveryMetricAndSaysWhatItLeftOut) {
  const auto run = RunCli({"bench", "fidelity", "--backend", "cpu", "--model", "tiny", "--repeats",
                           "1", "--traces", "/nonexistent"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("calibrated first (rwttt calibrate --backend cpu --model tiny"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("poisson overloaded   naive      E2E p99 ms"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("overall"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("poisson light        sequential TTFT p50 ms"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("left out: replicas"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("/nonexistent/mooncake/conversation_trace.jsonl is absent"),
            std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace rwttt
