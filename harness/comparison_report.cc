#include "harness/comparison_report.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "checker/anomaly.h"
#include "checker/check_report.h"
#include "core/json_writer.h"

namespace rwttt {
namespace {

std::string Cell(const std::optional<double>& x) { return x ? fmt::format("{:.4g}", *x) : "n/a"; }

std::string JsonNumber(const std::optional<double>& x) {
  return x ? fmt::format("{}", *x) : "null";
}

std::string Verdict(const CheckReport& r) {
  if (r.valid()) return fmt::format("valid ({} steps)", r.steps_checked);
  const std::uint64_t total = r.Total();
  return fmt::format("**{} anomal{}**", total, total == 1 ? "y" : "ies");
}

}  // namespace

std::string ComparisonMarkdown(const PolicyComparison& c) {
  const ComparisonSetup& s = c.setup;
  std::string md = fmt::format("## rwttt report: `{}` (candidate) vs `{}` (baseline)\n\n",
                               s.candidate, s.baseline);
  md += fmt::format("Model `{}` on `{}`, seed {}.\n\n", s.model, s.hardware, s.seed);
  for (const TraceComparison& t : c.traces) {
    md += fmt::format("### `{}`\n\n", t.trace);
    md += "| | baseline | candidate | change | |\n| --- | --- | --- | --- | --- |\n";
    md += fmt::format("| checker | {} | {} | | |\n", Verdict(t.baseline.report),
                      Verdict(t.candidate.report));
    for (const MetricDelta& d : t.deltas) {
      const std::optional<double> change = d.ChangePct();
      // The change as measured, its sign the value's; whether that is better is said apart.
      const std::string shown =
          change ? (std::fabs(*change) < 0.05 ? "0.0%" : fmt::format("{:+.1f}%", *change)) : "n/a";
      md += fmt::format("| {} ({}) | {} | {} | {} | {} |\n", d.name, d.unit, Cell(d.baseline),
                        Cell(d.candidate), shown, d.Direction());
    }
    if (!t.candidate.report.valid()) {
      md += "\nCandidate anomalies:\n\n";
      for (const auto& a : t.candidate.report.anomalies) {
        md += fmt::format("- `{}`: {}\n", AnomalyName(a.type), a.explanation);
      }
      for (const AnomalyTypeInfo& info : kAnomalyTypes) {
        if (const std::uint64_t more = t.candidate.report.Omitted(info.type); more > 0) {
          md += fmt::format("- ... and {} more `{}` not shown\n", more, info.name);
        }
      }
    }
    md += "\n";
  }
  for (const auto& r : c.regressions) md += "- regression: " + r + "\n";
  return md;
}

std::string ComparisonJson(const PolicyComparison& c) {
  const ComparisonSetup& s = c.setup;
  std::string out = fmt::format(R"({{"baseline":{},"candidate":{},"model":{},"hardware":{},)"
                                R"("seed":{},"traces":[)",
                                JsonString(s.baseline), JsonString(s.candidate),
                                JsonString(s.model), JsonString(s.hardware), s.seed);
  for (std::size_t i = 0; i < c.traces.size(); ++i) {
    const TraceComparison& t = c.traces[i];
    out += fmt::format(R"({}{{"trace":{},"baseline_check":{},"candidate_check":{},"deltas":[)",
                       i ? "," : "", JsonString(t.trace), RenderJson(t.baseline.report),
                       RenderJson(t.candidate.report));
    for (std::size_t k = 0; k < t.deltas.size(); ++k) {
      const MetricDelta& d = t.deltas[k];
      out +=
          fmt::format(R"({}{{"metric":{},"unit":{},"baseline":{},"candidate":{},)"
                      R"("higher_is_better":{},"change_pct":{},"improvement_pct":{},)"
                      R"("direction":{}}})",
                      k ? "," : "", JsonString(d.name), JsonString(d.unit), JsonNumber(d.baseline),
                      JsonNumber(d.candidate), d.higher_is_better, JsonNumber(d.ChangePct()),
                      JsonNumber(d.ImprovementPct()), JsonString(d.Direction()));
    }
    out += "]}";
  }
  out += "],\"regressions\":[";
  for (std::size_t i = 0; i < c.regressions.size(); ++i) {
    out += (i ? "," : "") + JsonString(c.regressions[i]);
  }
  return out + "]}";
}

}  // namespace rwttt
