#include "harness/sweep.h"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <utility>

#include "core/step_cost.h"

namespace rwttt {

namespace {

// A bad option: `field` names it, `message` says what it must be.
Error OptionError(const char* field, std::string message) {
  return Error{ErrorCode::kUsage, std::move(message), SourceLoc{"", 0, field}};
}

}  // namespace

Result<std::vector<SweepRow>> RunSweep(const SweepOptions& o) {
  if (o.streams.empty() || o.chunks.empty() || o.policies.empty()) {
    return Error::Usage("a sweep needs at least one stream count, chunk size and policy");
  }
  for (std::uint32_t n : o.streams) {
    if (n == 0 || n > 4096) return OptionError("streams", "values must be in [1, 4096]");
  }
  for (std::uint32_t c : o.chunks) {
    if (c == 0) return OptionError("chunks", "values must be at least 1");
  }
  if (o.prompt_tokens == 0 || o.output_tokens == 0) {
    return OptionError("prompt_tokens and output_tokens", "must be at least 1 token");
  }
  if (o.budget_gib < 0 || !(o.budget_gib <= kMaxGib)) {
    return OptionError("budget_gib", fmt::format("must be above 0 and at most {} GiB", kMaxGib));
  }
  const double budget_gib = o.budget_gib > 0 ? o.budget_gib : o.hardware.memory_gib;
  const std::uint64_t budget = GibToBytes(budget_gib);
  RWTTT_TRY(CheckOneOwnerFits(o.model, budget, BudgetName(o.budget_gib, budget_gib)));

  std::vector<SweepRow> rows;
  for (const PolicySpec& policy : o.policies) {
    for (std::uint32_t chunk : o.chunks) {
      PaperSetup setup;
      setup.model = o.model;
      setup.model.chunk = chunk;
      setup.hardware = o.hardware;
      setup.seed = o.seed;
      for (std::uint32_t streams : o.streams) {
        const std::vector<Request> trace = PaperWorkload(streams, o.prompt_tokens, o.output_tokens);
        RWTTT_ASSIGN_OR_RETURN(PolicyRun run, RunPolicy(trace, policy, setup, budget));
        const Metrics& m = run.run.metrics;
        const auto ms = [](const LatencySummary& l, std::int64_t ns) {
          return l.count > 0 ? std::optional<double>(static_cast<double>(ns) * 1e-6) : std::nullopt;
        };
        rows.push_back(
            SweepRow{policy.name, streams, chunk, run.decode_tokens_per_s, m.output_tokens_per_s,
                     ms(m.tpot, m.tpot.p50_ns), ms(m.tpot, m.tpot.p99_ns), ms(m.itl, m.itl.p99_ns),
                     ms(m.itl, m.itl.max_ns), m.lanes, m.peak_memory_bytes / kBytesPerGib});
      }
    }
  }
  return rows;
}

std::string SweepCsv(const std::vector<SweepRow>& rows) {
  std::string out =
      "policy,streams,chunk,decode_tok_s,tok_s,tpot_p50_ms,tpot_p99_ms,lanes,peak_memory_gib,"
      "itl_p99_ms,itl_max_ms\n";
  const auto opt = [](const std::optional<double>& x) {
    return x ? fmt::format("{:.4f}", *x) : std::string();  // an empty field: no samples
  };
  for (const SweepRow& r : rows) {
    out +=
        fmt::format("{},{},{},{:.3f},{:.3f},{},{},{},{:.3f},{},{}\n", r.policy, r.streams, r.chunk,
                    r.decode_tokens_per_s, r.tokens_per_s, opt(r.tpot_p50_ms), opt(r.tpot_p99_ms),
                    r.lanes, r.peak_memory_gib, opt(r.itl_p99_ms), opt(r.itl_max_ms));
  }
  return out;
}

}  // namespace rwttt
