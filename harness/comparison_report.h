// A policy comparison (policy_comparison.h) as a pull request shows it: Markdown, and the same as
// JSON for tools (`rwttt report --markdown/--json`, docs/tutorial-scheduler.md).
//
//   md->Write(ComparisonMarkdown(comparison));
//   js->Write(ComparisonJson(comparison) + "\n");
#pragma once

#include <string>

#include "harness/policy_comparison.h"

namespace rwttt {

// A title naming both policies, the model, hardware and seed; per trace a table with the
// checker's verdict on each run and every metric (baseline, candidate, change as measured,
// direction), then the candidate's anomalies with those left out counted; then one line per
// regression.
std::string ComparisonMarkdown(const PolicyComparison& comparison);

// One JSON object: {"baseline", "candidate", "model", "hardware", "seed", "traces": [{"trace",
// "baseline_check", "candidate_check" (the checker's JSON reports), "deltas": [{"metric", "unit",
// "baseline", "candidate", "higher_is_better", "change_pct", "improvement_pct", "direction"}]}],
// "regressions": [...]}; an absent value is null.
std::string ComparisonJson(const PolicyComparison& comparison);

}  // namespace rwttt
