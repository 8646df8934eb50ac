#include "harness/fidelity.h"

#include <fmt/format.h>

#include <cmath>
#include <tuple>
#include <utility>

#include "core/check.h"
#include "harness/median.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "traces/generator.h"

namespace rwttt {
namespace {

std::optional<double> Ms(const LatencySummary& l, std::int64_t ns) {
  return l.count > 0 ? std::optional<double>(static_cast<double>(ns) * 1e-6) : std::nullopt;
}

Result<FidelityValues> RunOnce(const FidelityWorkload& w, const PolicySpec& spec,
                               const FidelityOptions& o, Backend* measured_on) {
  SimConfig config;
  config.model = o.model;
  config.hardware = o.calibrated;
  config.budget_bytes = o.budget_bytes > 0 ? o.budget_bytes : o.calibrated.memory_bytes();
  config.seed = o.seed;
  config.policy_options = spec.options;
  config.backend = measured_on;
  config.measured_timing = measured_on != nullptr;
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(spec.name, spec.options));
  RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(w.trace, *policy, config));
  return FidelityValuesOf(run.metrics);
}

}  // namespace

FidelityValues FidelityValuesOf(const Metrics& m) {
  FidelityValues v;
  v[0] = m.makespan_s;
  if (m.rates_defined()) v[1] = m.output_tokens_per_s;
  v[2] = Ms(m.ttft, m.ttft.p50_ns);
  v[3] = Ms(m.ttft, m.ttft.p99_ns);
  v[4] = Ms(m.tpot, m.tpot.p50_ns);
  v[5] = Ms(m.tpot, m.tpot.p99_ns);
  v[6] = Ms(m.itl, m.itl.p99_ns);
  v[7] = Ms(m.e2e, m.e2e.p50_ns);
  v[8] = Ms(m.e2e, m.e2e.p99_ns);
  return v;
}

FidelityValues FidelityMedians(const std::vector<FidelityValues>& runs) {
  FidelityValues out;
  for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
    std::vector<double> v;
    for (const FidelityValues& r : runs) {
      if (r[k]) v.push_back(*r[k]);
    }
    if (!v.empty()) out[k] = Median(std::move(v));
  }
  return out;
}

std::vector<FidelityWorkload> GeneratedWorkloads(Seed seed) {
  std::vector<FidelityWorkload> out;
  // Rates for a host backend running `small`: a decode batch takes about a millisecond there.
  for (const auto& [name, count, rate] :
       {std::tuple{"poisson light", 24, 50.0}, std::tuple{"poisson busy", 48, 400.0},
        std::tuple{"poisson overloaded", 48, 4000.0}}) {
    GeneratorOptions g;
    g.count = count;
    g.rate_per_s = rate;
    g.prompt = {LengthDistribution::Kind::kLognormal, 48, 0.5};
    g.output = {LengthDistribution::Kind::kUniform, 8, 48};
    g.seed = seed;
    Result<std::vector<Request>> trace = GenerateTraceVector(g);
    RWTTT_CHECK(trace.ok()) << "the fixed generator options are valid";
    out.push_back({name, std::move(trace).value()});
  }
  return out;
}

std::vector<PolicySpec> FidelityPolicies() {
  return {PolicySpec{"rwttt", {}}, PolicySpec{"naive", {}}, PolicySpec{"sequential", {}}};
}

Result<FidelityReport> RunFidelity(Backend& backend, const FidelityOptions& o) {
  if (o.workloads.empty() || o.policies.empty()) {
    return Error::Usage("a fidelity run needs at least one workload and one policy");
  }
  if (o.runs == 0 || o.runs > 100) {
    return Error{ErrorCode::kUsage, fmt::format("must be from 1 to 100, found {}", o.runs),
                 SourceLoc{"", 0, "runs"}};
  }
  FidelityReport report;
  std::array<double, kFidelityMetrics.size()> sum{};
  std::array<int, kFidelityMetrics.size()> count{};
  for (const FidelityWorkload& w : o.workloads) {
    for (const PolicySpec& spec : o.policies) {
      FidelityRow row{w.name, spec.Label(), {}, {}};
      std::vector<FidelityValues> runs;
      for (std::uint32_t run = 0; run < o.runs; ++run) {
        RWTTT_ASSIGN_OR_RETURN(runs.emplace_back(), RunOnce(w, spec, o, &backend));
      }
      row.measured = FidelityMedians(runs);
      RWTTT_ASSIGN_OR_RETURN(row.modelled, RunOnce(w, spec, o, nullptr));
      for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
        if (!row.measured[k] || !row.modelled[k] || *row.measured[k] <= 0) continue;
        sum[k] += std::abs(*row.modelled[k] / *row.measured[k] - 1);
        ++count[k];
      }
      report.rows.push_back(std::move(row));
    }
  }
  double overall = 0;
  int metrics = 0;
  for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
    if (count[k] == 0) continue;
    report.mape[k] = sum[k] / count[k];
    overall += *report.mape[k];
    ++metrics;
  }
  report.overall_mape = metrics > 0 ? overall / metrics : 0;
  return report;
}

std::string FidelityTable(const FidelityReport& r) {
  const auto cell = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.4g}", *v) : std::string("n/a");
  };
  std::string out = fmt::format("{:<20} {:<10} {:<12} {:>11} {:>11} {:>8}\n", "workload", "policy",
                                "metric", "measured", "modelled", "error");
  for (const FidelityRow& row : r.rows) {
    for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
      const bool both = row.measured[k] && row.modelled[k] && *row.measured[k] > 0;
      out += fmt::format(
          "{:<20} {:<10} {:<12} {:>11} {:>11} {:>8}\n", row.workload, row.policy,
          kFidelityMetrics[k], cell(row.measured[k]), cell(row.modelled[k]),
          both ? fmt::format("{:+.1f}%", 100 * (*row.modelled[k] / *row.measured[k] - 1))
               : std::string("n/a"));
    }
  }
  out += "\nMAPE (mean |modelled / measured - 1| over the runs)\n";
  for (std::size_t k = 0; k < kFidelityMetrics.size(); ++k) {
    out += fmt::format("{:<12} {:>7}\n", kFidelityMetrics[k],
                       r.mape[k] ? fmt::format("{:.1f}%", 100 * *r.mape[k]) : std::string("n/a"));
  }
  out += fmt::format("{:<12} {:>6.1f}%\n", "overall", 100 * r.overall_mape);
  return out;
}

}  // namespace rwttt
