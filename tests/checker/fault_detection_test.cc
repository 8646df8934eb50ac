// Which anomaly each injected fault (DESIGN §3) produces, through the whole path: the simulator's
// executor perturbs a correct rwttt run, the history goes to HistoryChecker in memory, and the
// report must name the fault. Also: correct policies pass, naive is caught.
#include <gtest/gtest.h>

#include "core/cpu_backend.h"
#include "harness/checked_run.h"
#include "sim/faults/fault_injector.h"

namespace rwttt {
namespace {

// Six owners, arriving together so that they overlap, each with two chunks and some decode.
std::vector<Request> Workload() {
  std::vector<Request> trace;
  for (std::uint64_t i = 0; i < 6; ++i) {
    trace.push_back(Request{.id = OwnerId{i},
                            .arrival = Nanos{static_cast<std::int64_t>(i)},
                            .prompt_tokens = 12,
                            .output_tokens = 10,
                            .seed = {}});
  }
  return trace;
}

CheckedRun RunPolicy(const PolicySpec& policy, FaultKind kind) {
  SimConfig config;
  config.model = LoadModelProfile("tiny").value();
  config.hardware = LoadHardwareProfile("h100-sxm").value();
  config.seed = Seed{7};
  config.budget_bytes = config.hardware.memory_bytes();
  config.faults = FaultPlan{kind, 0.2};
  CpuBackend cpu;
  config.backend = &cpu;
  Result<CheckedRun> r = RunAndCheck(Workload(), policy, config, "t.jsonl", "tiny");
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return std::move(r).value();
}

TEST(FaultDetection, CorrectPoliciesPass) {
  for (const char* policy : {"rwttt", "sequential", "replicas"}) {
    const CheckedRun r = RunPolicy({policy, {}}, FaultKind::kNone);
    EXPECT_TRUE(r.report.valid()) << policy << "\n" << RenderText(r.report);
    EXPECT_GT(r.report.steps_checked, 0u);
  }
}

TEST(FaultDetection, NaiveIsCaughtAsAnOwnerLeak) {
  const CheckedRun r = RunPolicy({"naive", {}}, FaultKind::kNone);
  EXPECT_GT(r.report.Count(AnomalyType::kOwnerLeak), 0u) << RenderText(r.report);
}

TEST(FaultDetection, EveryInjectedFaultIsCaughtWithItsName) {
  const std::pair<FaultKind, AnomalyType> expected[] = {
      {FaultKind::kStaleRead, AnomalyType::kStaleRead},
      {FaultKind::kUncommittedRead, AnomalyType::kUncommittedRead},
      {FaultKind::kLostUpdate, AnomalyType::kLostUpdate},
      {FaultKind::kCrossOwnerWrite, AnomalyType::kOwnerLeak},
      {FaultKind::kEarlyWrite, AnomalyType::kProgramOrder},
      {FaultKind::kDuplicateStep, AnomalyType::kDuplicateStep},
      {FaultKind::kTornState, AnomalyType::kDigestMismatch},
  };
  for (const auto& [kind, anomaly] : expected) {
    const CheckedRun r = RunPolicy({"rwttt", {}}, kind);
    // How many faults each kind injects, and that a run without a plan injects none, is
    // tests/sim/fault_injection_test.cc's business; here: each is caught, by its name, in a run
    // whose fault-free twin is valid (CorrectPoliciesPass).
    EXPECT_GT(r.report.Count(anomaly), 0u)
        << FaultKindName(kind) << " should give " << AnomalyName(anomaly) << ":\n"
        << RenderText(r.report);
  }
}

// A copy-on-write engine's own mistakes (rwttt share_base=on), each caught by its name: a first
// WRITE committing into the base (owner-leak; every version-0 owner then reads a wrong state) and
// a READ past version 0 reading the base (stale-read). Outside copy-on-write runs they never
// strike.
TEST(FaultDetection, CopyOnWriteMistakesAreCaughtWithTheirNames) {
  PolicySpec cow{"rwttt", {}};
  cow.options.Set("share_base", "on");
  EXPECT_TRUE(RunPolicy(cow, FaultKind::kNone).report.valid());
  const std::pair<FaultKind, AnomalyType> expected[] = {
      {FaultKind::kBaseCommit, AnomalyType::kOwnerLeak},
      {FaultKind::kBaseRead, AnomalyType::kStaleRead},
  };
  for (const auto& [kind, anomaly] : expected) {
    const CheckedRun r = RunPolicy(cow, kind);
    EXPECT_GT(r.run.faults_injected, 0u) << FaultKindName(kind);
    EXPECT_GT(r.report.Count(anomaly), 0u)
        << FaultKindName(kind) << " should give " << AnomalyName(anomaly) << ":\n"
        << RenderText(r.report);
    EXPECT_EQ(RunPolicy({"rwttt", {}}, kind).run.faults_injected, 0u) << FaultKindName(kind);
  }
}

// An offload run (rwttt share_base=on offload=on, docs/checker.md#moves-a-host-tier): twelve
// owners arriving together on a budget with room for three states, so that waiting owners' states
// go to host memory and come back; all five checks run (cpu backend, trace and model known).
PolicySpec Offload() {
  PolicySpec offload{"rwttt", {}};
  offload.options.Set("share_base", "on");
  offload.options.Set("offload", "on");
  offload.options.Set("offload_after", "2");
  return offload;
}

CheckedRun RunOffload(const PolicySpec& policy, FaultKind kind) {
  std::vector<Request> trace;
  for (std::uint64_t i = 0; i < 12; ++i) {
    trace.push_back(Request{.id = OwnerId{i},
                            .arrival = Nanos{static_cast<std::int64_t>(i) * 100},
                            .prompt_tokens = 20,
                            .output_tokens = 12,
                            .seed = {}});
  }
  SimConfig config;
  config.model = LoadModelProfile("tiny").value();
  config.hardware = LoadHardwareProfile("h100-sxm").value();
  config.seed = Seed{7};
  config.budget_bytes = config.model.shared_weight_bytes() + 4 * config.model.state_bytes();
  config.faults = FaultPlan{kind, 0.2};
  CpuBackend cpu;
  config.backend = &cpu;
  Result<CheckedRun> r = RunAndCheck(trace, policy, config, "t.jsonl", "tiny");
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  return std::move(r).value();
}

TEST(FaultDetection, AnOffloadRunWithoutFaultsIsValid) {
  const CheckedRun r = RunOffload(Offload(), FaultKind::kNone);
  EXPECT_GT(r.run.metrics.offloads, 0u);
  EXPECT_GT(r.run.metrics.restores, 0u);
  EXPECT_TRUE(r.report.valid()) << RenderText(r.report);
  EXPECT_TRUE(r.report.checks[static_cast<int>(CheckKind::kSerialReference)].ran)
      << RenderText(r.report);
}

// A host-tier engine's mistake: a restore brings back version 0 instead of the saved state. The
// owner's next step finds an older version than its own: stale-read (a READ) or lost-update (a
// WRITE), and the serial reference sees the wrong state. Outside offload runs it never strikes.
TEST(FaultDetection, StaleRestoreIsCaughtWithItsName) {
  const CheckedRun r = RunOffload(Offload(), FaultKind::kStaleRestore);
  EXPECT_GT(r.run.faults_injected, 0u);
  EXPECT_GT(r.report.Count(AnomalyType::kStaleRead) + r.report.Count(AnomalyType::kLostUpdate), 0u)
      << RenderText(r.report);
  EXPECT_GT(r.report.Count(AnomalyType::kDigestMismatch), 0u) << RenderText(r.report);
  EXPECT_EQ(r.report.Count(AnomalyType::kOwnerLeak), 0u) << RenderText(r.report);
  PolicySpec cow{"rwttt", {}};
  cow.options.Set("share_base", "on");
  EXPECT_EQ(RunOffload(cow, FaultKind::kStaleRestore).run.faults_injected, 0u);
  EXPECT_EQ(RunPolicy({"rwttt", {}}, FaultKind::kStaleRestore).run.faults_injected, 0u);
}

}  // namespace
}  // namespace rwttt
