// Beyond the paper's one point: decode throughput and p99 TPOT of each policy as the number of
// streams (1..64) and the chunk size vary, as CSV (`rwttt bench sweep`, bench/plot_sweep.py).
//
//   SweepOptions o{.model = m, .hardware = hw};
//   RWTTT_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, RunSweep(o));
//   std::fputs(SweepCsv(rows).c_str(), stdout);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/strong_types.h"
#include "harness/paper_experiment.h"

namespace rwttt {

struct SweepOptions {
  ModelProfile model;  // its chunk is replaced by each of `chunks`
  HardwareProfile hardware;
  std::vector<std::uint32_t> streams = {1, 2, 4, 8, 16, 32, 64};
  std::vector<std::uint32_t> chunks = {128, 512, 2048};
  std::vector<PolicySpec> policies = PaperPolicies();
  std::uint32_t prompt_tokens = 128;
  std::uint32_t output_tokens = 512;
  double budget_gib = 0;  // 0: the hardware's memory (the whole device)
  Seed seed{0};
};

// One (policy, streams, chunk) point.
struct SweepRow {
  std::string policy;
  std::uint32_t streams = 0;
  std::uint32_t chunk = 0;
  double decode_tokens_per_s = 0;  // harness/decode_meter.h
  double tokens_per_s = 0;         // output tokens / makespan, prefill included
  // Undefined without samples (one output token has no TPOT or ITL): empty in the CSV.
  std::optional<double> tpot_p50_ms;
  std::optional<double> tpot_p99_ms;
  std::optional<double> itl_p99_ms;  // p99 of the gaps between consecutive output tokens
  std::optional<double> itl_max_ms;  // the longest such gap: the worst WRITE stall a stream saw
  std::uint32_t lanes = 0;
  double peak_memory_gib = 0;
};

// Every point, policies outermost, then chunks, then streams. Errors: an empty list, a zero
// stream count or chunk, a budget that cannot hold one owner (named), a policy's own errors. One
// about a bad option names it in Error::where.field ("streams", "chunks", "budget_gib",
// "prompt_tokens and output_tokens"), its message starting after the name.
Result<std::vector<SweepRow>> RunSweep(const SweepOptions& options);

// A header line "policy,streams,chunk,decode_tok_s,tok_s,tpot_p50_ms,tpot_p99_ms,lanes,
// peak_memory_gib,itl_p99_ms,itl_max_ms" and one line per row.
std::string SweepCsv(const std::vector<SweepRow>& rows);

}  // namespace rwttt
