// Two schedulers compared on the same traces (`rwttt report`, docs/tutorial-scheduler.md): per
// trace, both checked runs and the change of each metric; then the regression rule and the
// verdict. comparison_report.h renders it as Markdown and JSON.
//
//   PolicyComparison c;  c.setup = {"rwttt", "mine", "tiny", "h100-sxm", 0};
//   c.traces.push_back(CompareRuns("t.jsonl", std::move(base), std::move(cand)));
//   c.regressions = Regressions(c.traces, /*limit_pct=*/5);
//   if (c.Failed()) return 1;  // a metric regressed past the limit: the check fails
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/checked_run.h"
#include "sim/metrics.h"

namespace rwttt {

// One compared metric: its value under each policy (absent when the run had no samples of it)
// and whether more is better.
struct MetricDelta {
  std::string name;
  std::optional<double> baseline;
  std::optional<double> candidate;
  bool higher_is_better = false;
  std::string unit;

  // The candidate's change against the baseline in percent, as measured (negative: it went
  // down); absent when either value is, or the baseline is 0.
  std::optional<double> ChangePct() const;
  // The same, signed so that > 0 is better.
  std::optional<double> ImprovementPct() const;
  // "better", "worse", "same" (within 0.05%) or "n/a".
  std::string Direction() const;
};

// Throughput, requests/s, TTFT p50/p99, TPOT p50/p99, ITL p99 (ms) and peak memory (in the unit
// that shows the larger value best: GiB, MiB or KiB), in that order.
std::vector<MetricDelta> CompareMetrics(const Metrics& baseline, const Metrics& candidate);

struct TraceComparison {
  std::string trace;  // as given
  CheckedRun baseline;
  CheckedRun candidate;
  std::vector<MetricDelta> deltas;  // CompareMetrics of the two runs
};

// The comparison of two checked runs of `trace`.
TraceComparison CompareRuns(std::string trace, CheckedRun baseline, CheckedRun candidate);

// The regression rule: one line per metric of any trace whose candidate is worse by more than
// `limit_pct` percent ("t.jsonl: throughput worse by 12.5% (limit 5%)"), in trace then metric
// order. REQUIRES: limit_pct >= 0.
std::vector<std::string> Regressions(const std::vector<TraceComparison>& traces, double limit_pct);

// What the report's header names, as the user spelled it.
struct ComparisonSetup {
  std::string baseline;   // "NAME" or "NAME:key=value,..."
  std::string candidate;  // the same
  std::string model;      // a preset name or a file
  std::string hardware;
  std::uint64_t seed = 0;
};

struct PolicyComparison {
  ComparisonSetup setup;
  std::vector<TraceComparison> traces;
  std::vector<std::string> regressions;

  // Whether the candidate fails the comparison: an anomaly in any of its histories, or a
  // regression.
  bool Failed() const;
};

}  // namespace rwttt
