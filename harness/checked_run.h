// A run whose history goes straight into the checker, in memory: what `rwttt fuzz` and
// `rwttt report` do to every workload.
//
//   RWTTT_ASSIGN_OR_RETURN(CheckedRun r,
//                          RunAndCheck(trace, {"rwttt", {}}, config, "t.jsonl", "tiny"));
//   if (!r.report.valid()) std::cout << RenderText(r.report);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/check_report.h"
#include "core/request.h"
#include "core/result.h"
#include "harness/policy_spec.h"
#include "sim/simulator.h"

namespace rwttt {

struct CheckedRun {
  RunResult run;
  CheckReport report;
};

// The base slot a history of `policy` declares (docs/checker.md#the-base-slot-copy-on-write-
// version-0): kBaseSlot when, under `config`'s model, hardware and budget, the policy lays states
// out copy-on-write (SlotMode::kCopyOnWrite), else none. Errors: the policy's own.
Result<std::optional<std::uint64_t>> HistoryBaseSlot(const PolicySpec& policy,
                                                     const SimConfig& config);

// Replays `trace` under `policy` and checks the history, all five checks (the serial reference
// uses `trace` as is; run_sinks.h's InMemoryCheck). `config` gives the model, hardware, budget,
// seed, faults and backend (REQUIRES: config.backend set: digests need the math); its history and
// policy_options fields are overwritten. `trace_name` and `model_spec` (the preset name or file
// the model came from: the serial reference loads it again) go into the checked header.
// `max_per_type` caps the anomalies reported in detail (CheckOptions::max_per_type).
Result<CheckedRun> RunAndCheck(const std::vector<Request>& trace, const PolicySpec& policy,
                               SimConfig config, const std::string& trace_name,
                               const std::string& model_spec, std::uint64_t max_per_type = 100);

}  // namespace rwttt
