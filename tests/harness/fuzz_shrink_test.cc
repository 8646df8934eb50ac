// Shrinking a real failure: naive on a workload of 20+ requests shrinks to at most two owners and
// a handful of steps, and the saved trace reproduces the failure through the CLI.
#include <gtest/gtest.h>

#include "core/cpu_backend.h"
#include "core/program.h"
#include "harness/checked_run.h"
#include "harness/fuzz.h"
#include "tests/support/test_files.h"
#include "traces/native_trace.h"

namespace rwttt {
namespace {

TEST(FuzzShrink, NaiveShrinksToTwoOwnersAndTheSavedTraceReproduces) {
  FuzzSpace space;
  space.model = LoadModelProfile("tiny").value();
  space.max_owners = 30;
  space.shared_weight_bytes = space.model.shared_weight_bytes();
  space.state_bytes = space.model.state_bytes();
  const Judge judge = [&](const FuzzCase& c) -> Result<Verdict> {
    SimConfig config;
    config.model = space.model;
    config.hardware = LoadHardwareProfile("h100-sxm").value();
    config.budget_bytes = c.budget_bytes;
    config.seed = c.seed;
    CpuBackend cpu;
    config.backend = &cpu;
    RWTTT_ASSIGN_OR_RETURN(CheckedRun r, RunAndCheck(c.trace, {"naive", {}}, config, "t", "tiny"));
    if (r.report.valid()) return Verdict{};
    return Verdict{true, std::string(AnomalyName(r.report.anomalies.front().type)),
                   r.report.anomalies.front().explanation};
  };
  // The first workload of at least 20 requests that naive fails.
  FuzzCase big;
  Verdict failure;
  for (std::uint64_t i = 0; i < 200 && !failure.failed; ++i) {
    big = MakeFuzzCase(space, Seed{3}, i);
    if (big.trace.size() < 20) continue;
    failure = judge(big).value();
  }
  ASSERT_TRUE(failure.failed);
  ASSERT_GE(big.trace.size(), 20u);

  const FuzzCase small = Shrink(big, failure, judge);
  std::uint64_t steps = 0;
  for (const Request& r : small.trace) {
    steps += ProgramStepCount(r.prompt_tokens, r.output_tokens, space.model.chunk);
  }
  EXPECT_LE(small.trace.size(), 2u);
  EXPECT_LE(steps, 6u) << failure.anomaly << ": " << FormatRequest(small.trace[0]) << " "
                       << FormatRequest(small.trace.back());
  const Verdict again = judge(small).value();
  EXPECT_TRUE(again.failed);
  EXPECT_EQ(again.anomaly, failure.anomaly);

  testing::TempDir dir;
  const std::string path = dir.File("small.jsonl");
  ASSERT_TRUE(WriteTrace(small.trace, path).ok());
  const auto run =
      testing::RunCli({"replay", path, "--model", "tiny", "--policy", "naive", "--budget-bytes",
                       std::to_string(small.budget_bytes), "--seed",
                       std::to_string(small.seed.value()), "--backend", "cpu", "--check"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find(failure.anomaly), std::string::npos) << run.out;
}

}  // namespace
}  // namespace rwttt
