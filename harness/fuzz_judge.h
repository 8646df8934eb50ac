// How `rwttt fuzz` judges a workload (fuzz.h's Judge): the case is replayed with its history
// checked in memory, and the checker's verdict is compared with the one expected: a correct run
// when fuzzing a policy, a caught fault when fuzzing the checker (faults injected).
//
//   FuzzTarget t{.policy = {"rwttt", {}}, .model = m, .model_spec = "tiny", .hardware = hw,
//                .faults = {}};  // no faults: fuzz the policy
//   const Judge judge = [&](const FuzzCase& c) { return JudgeFuzzCase(t, c); };
#pragma once

#include <string>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "harness/checked_run.h"
#include "harness/fuzz.h"
#include "harness/policy_spec.h"
#include "sim/faults/fault_injector.h"

namespace rwttt {

// What every case of a campaign runs under.
struct FuzzTarget {
  PolicySpec policy;
  ModelProfile model;
  std::string model_spec;  // the preset name or file `model` came from (the checked header's)
  HardwareProfile hardware;
  FaultPlan faults;  // kNone: fuzz the policy; any other kind: fuzz the checker
};

// The verdict on a checked run. With no fault planned it fails when the history is invalid,
// named after the first anomaly (its explanation the detail). With `faults` planned it fails as
// "not-caught" when faults were injected and the history was judged valid: a checker bug.
// REQUIRES: an invalid report lists anomalies in detail (max_per_type > 0).
Verdict JudgeCheckedRun(const CheckedRun& run, const FaultPlan& faults);

// Replays `c` (its trace, budget and seed) under `target` on the CPU backend with the history
// checked (RunAndCheck, trace named "fuzz-case"). Errors: the run's.
Result<CheckedRun> RunFuzzCase(const FuzzTarget& target, const FuzzCase& c);

// RunFuzzCase, judged (JudgeCheckedRun). Errors: the run's.
Result<Verdict> JudgeFuzzCase(const FuzzTarget& target, const FuzzCase& c);

}  // namespace rwttt
