// `rwttt bench fidelity`: how far the cost model is from the kernels it models. Each workload runs
// under each policy twice, timed by the real kernels (`--timing measured`) and by the cost model
// over a calibrated hardware profile (harness/calibration.h); the report gives each metric's
// relative error per run and its mean absolute percentage error (MAPE) over the runs
// (docs/calibration.md#fidelity).
//
//   FidelityOptions o{.model = m, .calibrated = profile, .workloads = GeneratedWorkloads(Seed{1})};
//   RWTTT_ASSIGN_OR_RETURN(FidelityReport r, RunFidelity(backend, o));
//   std::fputs(FidelityTable(r).c_str(), stdout);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "core/strong_types.h"
#include "harness/policy_spec.h"
#include "sim/metrics.h"

namespace rwttt {

// The metrics compared, in table order.
inline constexpr std::array<const char*, 9> kFidelityMetrics = {
    "makespan s",  "output tok/s", "TTFT p50 ms", "TTFT p99 ms", "TPOT p50 ms",
    "TPOT p99 ms", "ITL p99 ms",   "E2E p50 ms",  "E2E p99 ms"};
using FidelityValues = std::array<std::optional<double>, kFidelityMetrics.size()>;

// A run's values of kFidelityMetrics (seconds, tokens/s, milliseconds); a latency without samples
// has none.
FidelityValues FidelityValuesOf(const Metrics& metrics);

// Each metric's median over the runs that have it (the mean of the middle two for an even count);
// none where no run has it.
FidelityValues FidelityMedians(const std::vector<FidelityValues>& runs);

struct FidelityWorkload {
  std::string name;
  std::vector<Request> trace;
};

// Three generated workloads (24 to 48 Poisson requests, prompts about 48 tokens, outputs 8 to 48,
// at a light, a busy and an overloading rate for `small` on a host backend).
std::vector<FidelityWorkload> GeneratedWorkloads(Seed seed);

// The policies whose measured runs measure what really happens: rwttt, naive and sequential (its
// swaps are real copies, timed: sim/executor.h). The backends run one batch at a time, so
// `replicas` copies cannot run at once: it is left out.
std::vector<PolicySpec> FidelityPolicies();

struct FidelityOptions {
  ModelProfile model;
  HardwareProfile calibrated;  // the profile the modelled runs take
  std::vector<FidelityWorkload> workloads;
  std::vector<PolicySpec> policies = FidelityPolicies();
  std::uint64_t budget_bytes = 0;  // 0: the calibrated profile's memory
  Seed seed{0};
  std::uint32_t runs = 3;  // measured replays of each row; each metric's median is compared
};

struct FidelityRow {
  std::string workload;
  std::string policy;
  FidelityValues measured;
  FidelityValues modelled;
};

struct FidelityReport {
  std::vector<FidelityRow> rows;
  FidelityValues mape;  // per metric, over the rows that have it: mean |modelled / measured - 1|
  double overall_mape = 0;  // the mean of the metrics' MAPEs
};

// Runs every workload under every policy, measured on `backend` (`options.runs` times, each
// metric the median of the runs: wall time on a shared machine moves) and modelled on
// `options.calibrated`. Errors: no workload or policy, runs 0 or above 100, a policy's or the
// simulator's own.
Result<FidelityReport> RunFidelity(Backend& backend, const FidelityOptions& options);

// Per run, each metric's measured and modelled value and error; then the MAPE per metric and
// overall.
std::string FidelityTable(const FidelityReport& report);

}  // namespace rwttt
