#include "harness/cow_experiment.h"

#include <fmt/format.h>

#include "checker/anomaly.h"
#include "core/units.h"
#include "harness/checked_run.h"
#include "harness/decode_meter.h"
#include "harness/run_sinks.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"

namespace rwttt {
namespace {

PolicySpec Rwttt(std::vector<std::pair<std::string, std::string>> options) {
  PolicySpec spec{"rwttt", {}};
  for (auto& [key, value] : options) spec.options.Set(std::move(key), std::move(value));
  return spec;
}

// "valid", or "INVALID: 3 owner-leak, 1 stale-read".
std::string Verdict(const CheckReport& report) {
  if (report.valid()) return "valid";
  std::string out = "INVALID:";
  for (std::size_t t = 0; t < kAnomalyTypeCount; ++t) {
    if (report.counts[t] > 0) {
      out += fmt::format(" {} {}", report.counts[t], AnomalyName(static_cast<AnomalyType>(t)));
    }
  }
  return out;
}

// Percent better: (after / before - 1) for a rate, (1 - after / before) for a latency.
double GainPct(double before, double after, bool higher_is_better) {
  if (!(before > 0)) return 0;
  return 100 * (higher_is_better ? after / before - 1 : 1 - after / before);
}

std::string Ms(std::int64_t ns) { return fmt::format("{:.1f}", static_cast<double>(ns) / 1e6); }

}  // namespace

std::vector<PolicySpec> CowPolicies(std::uint64_t offload_after) {
  return {Rwttt({}), Rwttt({{"share_base", "on"}}),
          Rwttt({{"share_base", "on"},
                 {"offload", "on"},
                 {"offload_after", std::to_string(offload_after)}})};
}

double CowRow::ThroughputGainPct() const {
  if (runs.size() < 2) return 0;
  return GainPct(runs.front().decode_tokens_per_s, runs.back().decode_tokens_per_s, true);
}

double CowRow::TtftGainPct() const {
  if (runs.size() < 2 || runs.front().metrics.ttft.count == 0) return 0;
  return GainPct(static_cast<double>(runs.front().metrics.ttft.p99_ns),
                 static_cast<double>(runs.back().metrics.ttft.p99_ns), false);
}

Result<CowRow> RunCowWorkload(const CowWorkload& w, const std::vector<PolicySpec>& policies) {
  CowRow row{w.name, w.hardware.name, w.model.chunk, w.budget_bytes, {}};
  for (const PolicySpec& spec : policies) {
    SimConfig config;
    config.model = w.model;
    config.hardware = w.hardware;
    config.budget_bytes = w.budget_bytes;
    config.policy_options = spec.options;
    HistoryHeader header;
    header.policy = spec.name;
    header.chunk = w.model.chunk;
    header.hardware = w.hardware.name;
    RWTTT_ASSIGN_OR_RETURN(header.base_slot, HistoryBaseSlot(spec, config));
    // Checks 1-4, every program known from the trace; no digests, so no serial reference.
    CheckOptions check = InMemoryCheck(w.trace, w.name, w.model);
    check.reference = false;
    RunSinks sinks;
    sinks.Check(header, std::move(check));
    config.history = sinks.sink();
    DecodeMeter meter(w.trace);
    config.observer = &meter;
    RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(spec.name, spec.options));
    RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(w.trace, *policy, config));
    RWTTT_ASSIGN_OR_RETURN(std::optional<CheckReport> report, sinks.Finish());
    row.runs.push_back(
        CowRun{spec, run.metrics, meter.tokens_per_s(), report->steps_checked, Verdict(*report)});
  }
  return row;
}

std::string RenderCowTable(const std::vector<CowRow>& rows) {
  std::string out =
      "| workload | C | hardware | policy | decode tok/s | admitted | TTFT p99 ms | TPOT p99 ms "
      "| ITL p99 ms | peak memory | host moves | checked |\n"
      "| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n";
  std::size_t wins = 0;
  std::string gains;
  for (const CowRow& row : rows) {
    for (const CowRun& r : row.runs) {
      const Metrics& m = r.metrics;
      out += fmt::format(
          "| {} | {} | {} | {} | {:.2f} | {} | {} | {} | {} | {:.2f} GiB | {} | {} ({} steps) |\n",
          row.workload, row.chunk, row.hardware, r.policy.Label(), r.decode_tokens_per_s,
          m.peak_admitted, Ms(m.ttft.p99_ns), Ms(m.tpot.p99_ns), Ms(m.itl.p99_ns),
          static_cast<double>(m.peak_memory_bytes) / kBytesPerGib, m.offloads + m.restores,
          r.verdict, r.steps_checked);
    }
    wins += row.Win();
    gains += fmt::format("{}, C = {}, {}: decode throughput {:+.1f}%, p99 TTFT {:+.1f}% ({})\n",
                         row.workload, row.chunk, row.hardware, row.ThroughputGainPct(),
                         row.TtftGainPct(), row.Win() ? "a win" : "no win");
  }
  out += fmt::format(
      "\nThe last policy against rwttt (> 0: better; a win is {:.0f}% or more on either):\n{}"
      "wins: {} of {} workloads\n",
      kCowWinPct, gains, wins, rows.size());
  return out;
}

}  // namespace rwttt
