// The verdict `rwttt fuzz` gives a workload, called directly: a failing policy is named after its
// first anomaly; under injected faults a valid history is the failure ("not-caught").
#include "harness/fuzz_judge.h"

#include <gtest/gtest.h>

namespace rwttt {
namespace {

CheckedRun Invalid(AnomalyType type, std::string explanation) {
  CheckedRun r;
  r.report.counts[Index(type)] = 1;
  r.report.anomalies.push_back(Anomaly{type, 0, {1, 2}, std::move(explanation), std::nullopt});
  return r;
}

TEST(JudgeCheckedRun, WithoutFaultsAnInvalidHistoryFailsNamedByItsFirstAnomaly) {
  EXPECT_FALSE(JudgeCheckedRun(CheckedRun{}, FaultPlan{}).failed);
  const Verdict v = JudgeCheckedRun(Invalid(AnomalyType::kLostUpdate, "two commits"), FaultPlan{});
  EXPECT_TRUE(v.failed);
  EXPECT_EQ(v.anomaly, "lost-update");
  EXPECT_EQ(v.detail, "two commits");
}

TEST(JudgeCheckedRun, UnderFaultsOnlyAnInjectedFaultJudgedValidFails) {
  const FaultPlan stale{FaultKind::kStaleRead, 0.5};
  CheckedRun valid;
  valid.run.faults_injected = 3;
  const Verdict missed = JudgeCheckedRun(valid, stale);
  EXPECT_TRUE(missed.failed);
  EXPECT_EQ(missed.anomaly, "not-caught");
  EXPECT_EQ(missed.detail, "checker bug: 3 x stale-read injected and the history was judged valid");
  CheckedRun caught = Invalid(AnomalyType::kLostUpdate, "caught");
  caught.run.faults_injected = 3;
  EXPECT_FALSE(JudgeCheckedRun(caught, stale).failed);
  valid.run.faults_injected = 0;  // nothing was injected: nothing to catch
  EXPECT_FALSE(JudgeCheckedRun(valid, stale).failed);
}

FuzzTarget Target(const std::string& policy, FaultPlan faults = {}) {
  FuzzTarget t;
  t.policy = {policy, {}};
  t.model = LoadModelProfile("tiny").value();
  t.model_spec = "tiny";
  t.hardware = LoadHardwareProfile("h100-sxm").value();
  t.faults = faults;
  return t;
}

FuzzSpace Space(const ModelProfile& model) {
  FuzzSpace s;
  s.model = model;
  s.shared_weight_bytes = model.shared_weight_bytes();
  s.state_bytes = model.state_bytes();
  return s;
}

TEST(JudgeFuzzCase, NaiveFailsRwtttPassesAndInjectedFaultsAreCaught) {
  const FuzzTarget naive = Target("naive");
  const FuzzTarget rwttt = Target("rwttt");
  const FuzzTarget injected = Target("rwttt", FaultPlan{FaultKind::kStaleRead, 0.5});
  const FuzzSpace space = Space(naive.model);
  int naive_failures = 0;
  int injected_runs = 0;  // cases where a fault struck, so that "caught" is not vacuous
  for (std::uint64_t i = 0; i < 20; ++i) {
    const FuzzCase c = MakeFuzzCase(space, Seed{5}, i);
    const Verdict n = JudgeFuzzCase(naive, c).value();
    if (n.failed) {
      ++naive_failures;
      EXPECT_NE(n.anomaly, "not-caught");
      EXPECT_FALSE(n.detail.empty());
    }
    EXPECT_FALSE(JudgeFuzzCase(rwttt, c).value().failed) << "iteration " << i;
    EXPECT_FALSE(JudgeFuzzCase(injected, c).value().failed) << "iteration " << i;
    const CheckedRun r = RunFuzzCase(injected, c).value();
    if (r.run.faults_injected > 0) {
      ++injected_runs;
      EXPECT_FALSE(r.report.valid()) << "iteration " << i;
    }
  }
  EXPECT_GT(naive_failures, 0);
  EXPECT_GT(injected_runs, 0);
}

// Copy-on-write version 0 (rwttt share_base=on): its runs check valid with all five checks (the
// serial reference's digests included), and every fault injected into them is caught.
TEST(JudgeFuzzCase, CopyOnWriteRunsCheckValidAndEveryInjectedFaultIsCaught) {
  FuzzTarget cow = Target("rwttt");
  cow.policy.options.Set("share_base", "on");
  const FuzzSpace space = Space(cow.model);
  int struck = 0;
  for (std::uint64_t i = 0; i < 12; ++i) {
    const FuzzCase c = MakeFuzzCase(space, Seed{9}, i);
    const Verdict v = JudgeFuzzCase(cow, c).value();
    EXPECT_FALSE(v.failed) << "iteration " << i << ": " << v.anomaly << " " << v.detail;
    for (int k = 1; k <= static_cast<int>(FaultKind::kBaseRead); ++k) {
      FuzzTarget injected = cow;
      injected.faults = FaultPlan{static_cast<FaultKind>(k), 0.5};
      const CheckedRun r = RunFuzzCase(injected, c).value();
      if (r.run.faults_injected == 0) continue;
      ++struck;
      EXPECT_FALSE(r.report.valid()) << FaultKindName(injected.faults.kind) << " iteration " << i;
    }
  }
  EXPECT_GT(struck, 20);
}

// The host tier (rwttt share_base=on offload=on), fuzzed over the fuzz space's budgets (one owner
// at a time up to every owner at once) with workloads of up to 16 owners, so that first WRITEs
// and restores wait for memory: every run completes and checks valid with all five checks, moves
// included, and every fault injected into them (stale-restore too) is caught.
TEST(JudgeFuzzCase, OffloadRunsCheckValidAndEveryInjectedFaultIsCaught) {
  FuzzTarget offload = Target("rwttt");
  offload.policy.options.Set("share_base", "on");
  offload.policy.options.Set("offload", "on");
  offload.policy.options.Set("offload_after", "1");
  FuzzSpace space = Space(offload.model);
  space.max_owners = 16;
  int offloaded = 0;
  int restores_struck = 0;
  for (std::uint64_t i = 0; i < 40; ++i) {
    const FuzzCase c = MakeFuzzCase(space, Seed{21}, i);
    const CheckedRun clean = RunFuzzCase(offload, c).value();
    EXPECT_TRUE(clean.report.valid()) << "iteration " << i;
    EXPECT_EQ(clean.run.metrics.requests, c.trace.size());
    offloaded += clean.run.metrics.offloads > 0;
    for (int k = 1; k <= static_cast<int>(FaultKind::kRestoreHeld); ++k) {
      FuzzTarget injected = offload;
      injected.faults = FaultPlan{static_cast<FaultKind>(k), 0.5};
      const Verdict v = JudgeFuzzCase(injected, c).value();
      EXPECT_FALSE(v.failed) << FaultKindName(injected.faults.kind) << " iteration " << i << ": "
                             << v.detail;
      if (k >= static_cast<int>(FaultKind::kStaleRestore)) {
        restores_struck += RunFuzzCase(injected, c).value().run.faults_injected > 0;
      }
    }
  }
  EXPECT_GT(offloaded, 5);
  EXPECT_GT(restores_struck, 10);  // both host-tier kinds
}

}  // namespace
}  // namespace rwttt
