#include "harness/fuzz_judge.h"

#include <fmt/format.h>

#include "checker/anomaly.h"
#include "core/check.h"
#include "core/cpu_backend.h"
#include "sim/simulator.h"

namespace rwttt {

Verdict JudgeCheckedRun(const CheckedRun& r, const FaultPlan& faults) {
  Verdict v;
  if (faults.kind != FaultKind::kNone) {
    if (r.run.faults_injected > 0 && r.report.valid()) {
      v.failed = true;
      v.anomaly = "not-caught";
      v.detail = fmt::format("checker bug: {} x {} injected and the history was judged valid",
                             r.run.faults_injected, FaultKindName(faults.kind));
    }
    return v;
  }
  if (!r.report.valid()) {
    RWTTT_CHECK(!r.report.anomalies.empty()) << "an invalid report judged without its anomalies";
    v.failed = true;
    v.anomaly = std::string(AnomalyName(r.report.anomalies.front().type));
    v.detail = r.report.anomalies.front().explanation;
  }
  return v;
}

Result<CheckedRun> RunFuzzCase(const FuzzTarget& target, const FuzzCase& c) {
  SimConfig config;
  config.model = target.model;
  config.hardware = target.hardware;
  config.budget_bytes = c.budget_bytes;
  config.seed = c.seed;
  config.faults = target.faults;
  CpuBackend cpu;
  config.backend = &cpu;
  return RunAndCheck(c.trace, target.policy, config, "fuzz-case", target.model_spec);
}

Result<Verdict> JudgeFuzzCase(const FuzzTarget& target, const FuzzCase& c) {
  RWTTT_ASSIGN_OR_RETURN(const CheckedRun r, RunFuzzCase(target, c));
  return JudgeCheckedRun(r, target.faults);
}

}  // namespace rwttt
