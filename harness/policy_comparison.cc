#include "harness/policy_comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/check.h"
#include "core/units.h"

namespace rwttt {
namespace {

// Peak memory in the unit that shows the larger of the two values best (GiB, MiB, KiB).
MetricDelta MemoryDelta(std::uint64_t a, std::uint64_t b) {
  const double larger = static_cast<double>(std::max(a, b));
  const auto [unit, scale] = larger >= kBytesPerGib   ? std::pair{"GiB", kBytesPerGib}
                             : larger >= kBytesPerMib ? std::pair{"MiB", kBytesPerMib}
                                                      : std::pair{"KiB", kBytesPerKib};
  return {"peak memory", a / scale, b / scale, false, unit};
}

}  // namespace

std::optional<double> MetricDelta::ChangePct() const {
  if (!baseline || !candidate || *baseline == 0) return std::nullopt;
  return (*candidate - *baseline) / std::fabs(*baseline) * 100.0;
}

std::optional<double> MetricDelta::ImprovementPct() const {
  const std::optional<double> c = ChangePct();
  if (!c) return std::nullopt;
  return higher_is_better ? *c : -*c;
}

std::string MetricDelta::Direction() const {
  const std::optional<double> i = ImprovementPct();
  if (!i) return baseline && candidate && *baseline == *candidate ? "same" : "n/a";
  return std::fabs(*i) < 0.05 ? "same" : *i > 0 ? "better" : "worse";
}

std::vector<MetricDelta> CompareMetrics(const Metrics& a, const Metrics& b) {
  const auto ms = [](const LatencySummary& l, std::int64_t ns) {
    return l.count > 0 ? std::optional<double>(static_cast<double>(ns) / 1e6) : std::nullopt;
  };
  const auto rate = [](const Metrics& m, double r) {
    return m.rates_defined() ? std::optional<double>(r) : std::nullopt;
  };
  return {
      {"throughput", rate(a, a.output_tokens_per_s), rate(b, b.output_tokens_per_s), true, "tok/s"},
      {"requests", rate(a, a.requests_per_s), rate(b, b.requests_per_s), true, "req/s"},
      {"TTFT p50", ms(a.ttft, a.ttft.p50_ns), ms(b.ttft, b.ttft.p50_ns), false, "ms"},
      {"TTFT p99", ms(a.ttft, a.ttft.p99_ns), ms(b.ttft, b.ttft.p99_ns), false, "ms"},
      {"TPOT p50", ms(a.tpot, a.tpot.p50_ns), ms(b.tpot, b.tpot.p50_ns), false, "ms"},
      {"TPOT p99", ms(a.tpot, a.tpot.p99_ns), ms(b.tpot, b.tpot.p99_ns), false, "ms"},
      {"ITL p99", ms(a.itl, a.itl.p99_ns), ms(b.itl, b.itl.p99_ns), false, "ms"},
      MemoryDelta(a.peak_memory_bytes, b.peak_memory_bytes),
  };
}

TraceComparison CompareRuns(std::string trace, CheckedRun baseline, CheckedRun candidate) {
  TraceComparison t{std::move(trace), std::move(baseline), std::move(candidate), {}};
  t.deltas = CompareMetrics(t.baseline.run.metrics, t.candidate.run.metrics);
  return t;
}

std::vector<std::string> Regressions(const std::vector<TraceComparison>& traces, double limit_pct) {
  RWTTT_CHECK(limit_pct >= 0) << "a negative regression limit";
  std::vector<std::string> out;
  for (const TraceComparison& t : traces) {
    for (const MetricDelta& d : t.deltas) {
      const std::optional<double> better = d.ImprovementPct();
      if (better && -*better > limit_pct) {
        out.push_back(fmt::format("{}: {} worse by {:.1f}% (limit {}%)", t.trace, d.name, -*better,
                                  limit_pct));
      }
    }
  }
  return out;
}

bool PolicyComparison::Failed() const {
  if (!regressions.empty()) return true;
  return std::any_of(traces.begin(), traces.end(),
                     [](const TraceComparison& t) { return !t.candidate.report.valid(); });
}

}  // namespace rwttt
