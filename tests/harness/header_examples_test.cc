// Every harness/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run (tests/headers/check_header_examples.py keeps the copies
// equal to the headers). Examples run in a scratch working directory holding a small trace.
// clang-format is off around each example: it keeps its header's layout, line for line.
#include <gtest/gtest.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checker/check_report.h"
#include "checker/history_checker.h"
#include "checker/history_writer.h"
#include "core/cpu_backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/output_file.h"
#include "harness/calibration.h"
#include "harness/checked_run.h"
#include "harness/comparison_report.h"
#include "harness/cow_experiment.h"
#include "harness/decode_meter.h"
#include "harness/fidelity.h"
#include "harness/fuzz.h"
#include "harness/fuzz_judge.h"
#include "harness/history_sinks.h"
#include "harness/median.h"
#include "harness/paper_experiment.h"
#include "harness/paper_report.h"
#include "harness/policy_comparison.h"
#include "harness/policy_spec.h"
#include "harness/run_sinks.h"
#include "harness/sweep.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "tests/support/scratch_dir.h"
#include "tests/support/test_files.h"
#include "traces/native_trace.h"

namespace rwttt {
namespace {

// A scratch directory holding `t.jsonl` (two requests), and what a run of it needs: the tiny
// model, the h100-sxm hardware, a SimConfig of both on the cpu backend and the rwttt policy.
class HeaderExample : public testing::ScratchDirTest {
 protected:
  void SetUp() override {
    ScratchDirTest::SetUp();
    dir_.Write("t.jsonl", testing::kTwoRequestTrace);
    trace = ReadTrace("t.jsonl").value();
    config.model = m;
    config.hardware = hw;
    config.budget_bytes = hw.memory_bytes();
    config.seed = Seed{7};
    config.backend = &backend;
  }

  const ModelProfile m = LoadModelProfile("tiny").value();
  const HardwareProfile hw = LoadHardwareProfile("h100-sxm").value();
  std::vector<Request> trace;
  CpuBackend backend;
  SimConfig config;
  std::unique_ptr<Policy> policy = MakePolicy("rwttt", {}).value();
  // Random workloads of the tiny model, with budgets sized from its weights and states.
  const FuzzSpace space{.model = m,
                        .max_owners = 8,
                        .shared_weight_bytes = m.shared_weight_bytes(),
                        .state_bytes = m.state_bytes()};
};

TEST_F(HeaderExample, HarnessCalibration) {
  ::testing::internal::CaptureStdout();
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/calibration.h
    RWTTT_ASSIGN_OR_RETURN(Calibration c, Calibrate(backend, {.model = m, .name = "my-cpu"}));
    std::puts(CalibrationTable(c).c_str());   // measured against fitted, per shape
    HardwareProfile mine = c.profile;         // what replay --hardware can use
    // end example
    // clang-format on
    std::fflush(stdout);
    EXPECT_EQ(mine.name, "my-cpu");
    EXPECT_NE(::testing::internal::GetCapturedStdout().find("profile my-cpu"), std::string::npos);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST(HeaderExampleFree, HarnessMedian) {
  // clang-format off
  // example: harness/median.h
  const double odd = Median({3, 1, 2});      // 2
  const double even = Median({4, 1, 3, 2});  // 2.5: the mean of the middle two
  // end example
  // clang-format on
  EXPECT_EQ(odd, 2.0);
  EXPECT_EQ(even, 2.5);
}

TEST_F(HeaderExample, HarnessFidelity) {
  HardwareProfile profile = hw;
  ::testing::internal::CaptureStdout();
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/fidelity.h
    FidelityOptions o{.model = m, .calibrated = profile, .workloads = GeneratedWorkloads(Seed{1})};
    RWTTT_ASSIGN_OR_RETURN(FidelityReport r, RunFidelity(backend, o));
    std::fputs(FidelityTable(r).c_str(), stdout);
    // end example
    // clang-format on
    std::fflush(stdout);
    EXPECT_EQ(r.rows.size(), 3u * 3);  // three workloads x rwttt, naive, sequential
    EXPECT_NE(::testing::internal::GetCapturedStdout().find("overall"), std::string::npos);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, HarnessCheckedRun) {
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/checked_run.h
    RWTTT_ASSIGN_OR_RETURN(CheckedRun r,
                           RunAndCheck(trace, {"rwttt", {}}, config, "t.jsonl", "tiny"));
    if (!r.report.valid()) std::cout << RenderText(r.report);
    // end example
    // clang-format on
    EXPECT_TRUE(r.report.valid());
    EXPECT_EQ(r.run.metrics.requests, 2u);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

TEST_F(HeaderExample, HarnessComparisonReport) {
  PolicyComparison comparison;
  comparison.setup = {"rwttt", "sequential", "tiny", "h100-sxm", 0};
  auto example = [&]() -> Status {
    RWTTT_ASSIGN_OR_RETURN(auto md, OutputFile::Create("report.md"));
    RWTTT_ASSIGN_OR_RETURN(auto js, OutputFile::Create("report.json"));
    // clang-format off
    // example: harness/comparison_report.h
    md->Write(ComparisonMarkdown(comparison));
    js->Write(ComparisonJson(comparison) + "\n");
    // end example
    // clang-format on
    RWTTT_TRY(md->Commit());
    return js->Commit();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_EQ(testing::ReadFile("report.md"), ComparisonMarkdown(comparison));
  EXPECT_EQ(testing::ReadFile("report.json"), ComparisonJson(comparison) + "\n");
}

TEST_F(HeaderExample, HarnessDecodeMeter) {
  double decode_tokens_per_s = 0;
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/decode_meter.h
    DecodeMeter meter(trace);  config.observer = &meter;
    RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *policy, config));
    double tok_s = meter.tokens_per_s();
    // end example
    // clang-format on
    EXPECT_EQ(meter.decode_tokens(), 3u);
    decode_tokens_per_s = tok_s;
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_GT(decode_tokens_per_s, 0);
}

TEST_F(HeaderExample, HarnessFuzz) {
  FuzzTarget target;
  target.policy = {"rwttt", {}};
  target.model = m;
  target.model_spec = "tiny";
  target.hardware = hw;
  int judged = 0;
  const Judge judge = [&](const FuzzCase& c) {
    ++judged;
    return JudgeFuzzCase(target, c);
  };
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/fuzz.h
    FuzzCase c = MakeFuzzCase(space, Seed{7}, /*iteration=*/3);  // space: a FuzzSpace
    RWTTT_ASSIGN_OR_RETURN(Verdict v, judge(c));
    FuzzCase small = Shrink(c, v, judge);
    // end example
    // clang-format on
    EXPECT_FALSE(v.failed) << v.detail;  // a correct policy: nothing to shrink
    EXPECT_EQ(small.trace.size(), c.trace.size());
    return OkStatus();
  };
  const Status s = example();
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_GE(judged, 1);
}

TEST_F(HeaderExample, HarnessFuzzJudge) {
  std::optional<Verdict> verdict;
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/fuzz_judge.h
    FuzzTarget t{.policy = {"rwttt", {}}, .model = m, .model_spec = "tiny", .hardware = hw,
                 .faults = {}};  // no faults: fuzz the policy
    const Judge judge = [&](const FuzzCase& c) { return JudgeFuzzCase(t, c); };
    // end example
    // clang-format on
    RWTTT_ASSIGN_OR_RETURN(verdict, judge(MakeFuzzCase(space, Seed{7}, 0)));
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  ASSERT_TRUE(verdict.has_value());
  EXPECT_FALSE(verdict->failed) << verdict->detail;
}

TEST_F(HeaderExample, HarnessHistorySinks) {
  const HistoryHeader header;
  HistoryChecker checker(header, CheckOptions{});
  auto example = [&]() -> Status {
    RWTTT_ASSIGN_OR_RETURN(auto writer, HistoryWriter::Create("h.jsonl", header));
    // clang-format off
    // example: harness/history_sinks.h
    HistoryWriterSink file(*writer);  HistoryCheckerSink check(checker);
    TeeSink both;  both.Add(&file);  both.Add(&check);  config.history = &both;
    // end example
    // clang-format on
    RWTTT_TRY(Simulate(trace, *policy, config));
    config.history = nullptr;
    return writer->Commit();
  };
  EXPECT_TRUE(example().ok());
  const CheckReport report = checker.Finish();
  EXPECT_GT(report.steps_checked, 0u);
  EXPECT_TRUE(testing::FileExists("h.jsonl"));
}

TEST_F(HeaderExample, HarnessPaperExperiment) {
  std::optional<PaperTable> table;
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/paper_experiment.h
    PaperSetup s;  s.model = m;  s.hardware = hw;  // 8 streams, the paper's budget
    RWTTT_ASSIGN_OR_RETURN(PaperTable t, RunPaperExperiment(s));
    // end example
    // clang-format on
    table = std::move(t);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->rows.size(), 3u);  // sequential, replicas, rwttt
  EXPECT_EQ(table->setup.streams, 8u);
}

TEST_F(HeaderExample, HarnessCowExperiment) {
  const std::uint64_t budget = 64 * kBytesPerGib;
  const ModelProfile model = m;
  std::string rendered;
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/cow_experiment.h
    CowWorkload w{"paper", hw, model, PaperWorkload(8, 128, 1024), budget};
    RWTTT_ASSIGN_OR_RETURN(CowRow row, RunCowWorkload(w, CowPolicies(512)));
    const std::string table = RenderCowTable({row});  // Markdown, with the gains
    // end example
    // clang-format on
    rendered = table;
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  EXPECT_NE(rendered.find("wins: "), std::string::npos) << rendered;
}

TEST_F(HeaderExample, HarnessPaperReport) {
  PaperSetup setup;
  setup.model = m;
  setup.hardware = hw;
  ::testing::internal::CaptureStdout();
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/paper_report.h
    RWTTT_ASSIGN_OR_RETURN(PaperTable t, RunPaperExperiment(setup));
    std::fputs(FormatPaperTable(t).c_str(), stdout);
    // end example
    // clang-format on
    std::fflush(stdout);
    EXPECT_EQ(::testing::internal::GetCapturedStdout(), FormatPaperTable(t));
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

int PolicyComparisonExample(CheckedRun base, CheckedRun cand) {
  // clang-format off
  // example: harness/policy_comparison.h
  PolicyComparison c;  c.setup = {"rwttt", "mine", "tiny", "h100-sxm", 0};
  c.traces.push_back(CompareRuns("t.jsonl", std::move(base), std::move(cand)));
  c.regressions = Regressions(c.traces, /*limit_pct=*/5);
  if (c.Failed()) return 1;  // a metric regressed past the limit: the check fails
  // end example
  // clang-format on
  return 0;
}

TEST_F(HeaderExample, HarnessPolicyComparison) {
  CheckedRun run = RunAndCheck(trace, {"rwttt", {}}, config, "t.jsonl", "tiny").value();
  EXPECT_EQ(PolicyComparisonExample(run, run), 0) << "a run does not regress against itself";
  CheckedRun broken = run;
  broken.report.counts[0] = 1;  // an anomaly in the candidate's history fails it
  EXPECT_EQ(PolicyComparisonExample(run, broken), 1);
}

TEST_F(HeaderExample, HarnessPolicySpec) {
  // clang-format off
  // example: harness/policy_spec.h
  PolicySpec s{"sequential", {}};  s.options.Set("slice", "1");
  s.ReplayFlags();  // "--policy sequential --policy-opt slice=1"
  // end example
  // clang-format on
  EXPECT_EQ(s.ReplayFlags(), "--policy sequential --policy-opt slice=1");
}

TEST_F(HeaderExample, HarnessRunSinks) {
  HistoryHeader header;
  header.trace = "t.jsonl";
  std::optional<CheckReport> checked;
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/run_sinks.h
    RunSinks sinks;
    RWTTT_TRY(sinks.WriteTo("h.jsonl", header));
    sinks.Check(header, InMemoryCheck(trace, "t.jsonl", config.model));
    config.history = sinks.sink();
    RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *policy, config));
    RWTTT_ASSIGN_OR_RETURN(std::optional<CheckReport> report, sinks.Finish());
    // end example
    // clang-format on
    checked = std::move(report);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  ASSERT_TRUE(checked.has_value());
  EXPECT_TRUE(checked->valid());
  EXPECT_TRUE(testing::FileExists("h.jsonl"));
}

TEST_F(HeaderExample, HarnessSweep) {
  ::testing::internal::CaptureStdout();
  auto example = [&]() -> Status {
    // clang-format off
    // example: harness/sweep.h
    SweepOptions o{.model = m, .hardware = hw};
    RWTTT_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, RunSweep(o));
    std::fputs(SweepCsv(rows).c_str(), stdout);
    // end example
    // clang-format on
    std::fflush(stdout);
    EXPECT_EQ(rows.size(), 3u * 3 * 7);  // policies x chunks x stream counts
    EXPECT_EQ(::testing::internal::GetCapturedStdout(), SweepCsv(rows));
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
}

}  // namespace
}  // namespace rwttt
