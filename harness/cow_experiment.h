// Copy-on-write version 0 and the host tier against `rwttt` (`rwttt bench cow`,
// docs/simulator.md#the-evidence-rwttt-bench-cow): each workload replayed under `rwttt`,
// `rwttt share_base=on` and `rwttt share_base=on offload=on` at one memory budget, every history
// checked in memory (checks 1-4: a 4B model's math is not run), and what changed.
//
//   CowWorkload w{"paper", hw, model, PaperWorkload(8, 128, 1024), budget};
//   RWTTT_ASSIGN_OR_RETURN(CowRow row, RunCowWorkload(w, CowPolicies(512)));
//   const std::string table = RenderCowTable({row});  // Markdown, with the gains
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "harness/policy_spec.h"
#include "sim/metrics.h"

namespace rwttt {

// The gain a row must show, in throughput or in p99 TTFT, to count as a win (issue 21's goal).
inline constexpr double kCowWinPct = 20;

struct CowWorkload {
  std::string name;  // "paper", "azure conv 600 s", ...
  HardwareProfile hardware;
  ModelProfile model;  // its chunk is the row's C
  std::vector<Request> trace;
  std::uint64_t budget_bytes = 0;
};

// The three policies compared, baseline first: rwttt; rwttt share_base=on; rwttt share_base=on
// offload=on offload_after=`offload_after`.
std::vector<PolicySpec> CowPolicies(std::uint64_t offload_after);

struct CowRun {
  PolicySpec policy;
  Metrics metrics;
  double decode_tokens_per_s = 0;  // the paper's decode-only figure (harness/decode_meter.h)
  std::uint64_t steps_checked = 0;
  std::string verdict;  // "valid", or "INVALID: " and the anomalies
};

struct CowRow {
  std::string workload;
  std::string hardware;
  std::uint32_t chunk = 0;
  std::uint64_t budget_bytes = 0;
  std::vector<CowRun> runs;  // in CowPolicies() order

  // The last policy's gain over the first, in percent (> 0: better): decode throughput, and p99
  // TTFT (its reduction). 0 when the baseline's figure is 0 or undefined.
  double ThroughputGainPct() const;
  double TtftGainPct() const;
  // A win: kCowWinPct or more on either (to 1e-9, so that 120 over 100 is 20%).
  bool Win() const {
    return ThroughputGainPct() >= kCowWinPct - 1e-9 || TtftGainPct() >= kCowWinPct - 1e-9;
  }
};

// Replays the workload under each policy with its history checked in memory. Errors: a policy's
// (an impossible budget names the sizes), or a run that checks invalid is not an error: its
// verdict says so.
Result<CowRow> RunCowWorkload(const CowWorkload& workload, const std::vector<PolicySpec>& policies);

// The rows as a Markdown table, one line per policy, then each workload's gain and the count of
// wins.
std::string RenderCowTable(const std::vector<CowRow>& rows);

}  // namespace rwttt
