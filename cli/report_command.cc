// `rwttt report --baseline A --candidate B TRACE...`: replays each trace under two schedulers,
// checks both histories, and writes a Markdown comparison for a pull request and the same as JSON
// (docs/tutorial-scheduler.md).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "core/json_writer.h"
#include "core/output_file.h"
#include "core/units.h"
#include "gpu/backend_registry.h"
#include "sim/checked_run.h"
#include "sim/policy_registry.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct ReportFlags {
  std::string baseline = "rwttt";
  std::string candidate;
  std::vector<std::string> baseline_opts;
  std::vector<std::string> candidate_opts;
  std::vector<std::string> plugins;
  std::vector<std::string> traces;
  std::string model = "tiny";  // every step runs and is checked: small shapes by default
  std::string hardware = "h100-sxm";
  double budget_gib = 0;
  std::uint64_t seed = 0;
  std::string backend = "auto";
  std::string markdown = "-";
  std::string json;
  double fail_on_regress = -1;  // percent; < 0: never
  std::uint64_t max_per_type = 100;
};

// One compared metric: its value under each policy (absent when the run had no samples of it)
// and whether more is better.
struct Delta {
  std::string name;
  std::optional<double> baseline;
  std::optional<double> candidate;
  bool higher_is_better = false;
  std::string unit;

  // The candidate's change against the baseline in percent, as measured (negative: it went down);
  // absent when either value is, or the baseline is 0.
  std::optional<double> ChangePct() const {
    if (!baseline || !candidate || *baseline == 0) return std::nullopt;
    return (*candidate - *baseline) / std::fabs(*baseline) * 100.0;
  }
  // The same, signed so that > 0 is better.
  std::optional<double> ImprovementPct() const {
    const std::optional<double> c = ChangePct();
    if (!c) return std::nullopt;
    return higher_is_better ? *c : -*c;
  }
  // "better", "worse", "same" (within 0.05%) or "n/a".
  std::string Direction() const {
    const std::optional<double> i = ImprovementPct();
    if (!i) return baseline && candidate && *baseline == *candidate ? "same" : "n/a";
    return std::fabs(*i) < 0.05 ? "same" : *i > 0 ? "better" : "worse";
  }
};

struct TraceComparison {
  std::string trace;
  CheckedRun baseline;
  CheckedRun candidate;
  std::vector<Delta> deltas;
};

// Peak memory in the unit that shows the larger of the two values best (GiB, MiB, KiB).
Delta MemoryDelta(std::uint64_t a, std::uint64_t b) {
  const double larger = static_cast<double>(std::max(a, b));
  const auto [unit, scale] = larger >= kBytesPerGib ? std::pair{"GiB", kBytesPerGib}
                             : larger >= 1048576.0  ? std::pair{"MiB", 1048576.0}
                                                    : std::pair{"KiB", 1024.0};
  return {"peak memory", a / scale, b / scale, false, unit};
}

std::vector<Delta> Deltas(const Metrics& a, const Metrics& b) {
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

std::string Cell(const std::optional<double>& x) { return x ? fmt::format("{:.4g}", *x) : "n/a"; }

std::string JsonNumber(const std::optional<double>& x) {
  return x ? fmt::format("{}", *x) : "null";
}

std::string Verdict(const CheckReport& r) {
  if (r.valid()) return fmt::format("valid ({} steps)", r.steps_checked);
  const std::uint64_t total = r.Total();
  return fmt::format("**{} anomal{}**", total, total == 1 ? "y" : "ies");
}

std::string Markdown(const ReportFlags& f, const std::vector<TraceComparison>& all,
                     const std::vector<std::string>& regressions) {
  std::string md = fmt::format("## rwttt report: `{}` (candidate) vs `{}` (baseline)\n\n",
                               f.candidate, f.baseline);
  md += fmt::format("Model `{}` on `{}`, seed {}.\n\n", f.model, f.hardware, f.seed);
  for (const TraceComparison& t : all) {
    md += fmt::format("### `{}`\n\n", t.trace);
    md += "| | baseline | candidate | change | |\n| --- | --- | --- | --- | --- |\n";
    md += fmt::format("| checker | {} | {} | | |\n", Verdict(t.baseline.report),
                      Verdict(t.candidate.report));
    for (const Delta& d : t.deltas) {
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
  for (const auto& r : regressions) md += "- regression: " + r + "\n";
  return md;
}

std::string Json(const ReportFlags& f, const std::vector<TraceComparison>& all,
                 const std::vector<std::string>& regressions) {
  std::string out = fmt::format(R"({{"baseline":{},"candidate":{},"model":{},"hardware":{},)"
                                R"("seed":{},"traces":[)",
                                JsonString(f.baseline), JsonString(f.candidate),
                                JsonString(f.model), JsonString(f.hardware), f.seed);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const TraceComparison& t = all[i];
    out += fmt::format(R"({}{{"trace":{},"baseline_check":{},"candidate_check":{},"deltas":[)",
                       i ? "," : "", JsonString(t.trace), RenderJson(t.baseline.report),
                       RenderJson(t.candidate.report));
    for (std::size_t k = 0; k < t.deltas.size(); ++k) {
      const Delta& d = t.deltas[k];
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
  for (std::size_t i = 0; i < regressions.size(); ++i) {
    out += (i ? "," : "") + JsonString(regressions[i]);
  }
  return out + "]}";
}

// A --baseline/--candidate spec with its extra --*-opt pairs, checked against the registry.
Result<std::pair<std::string, PolicyOptions>> ParseSpec(const std::string& spec,
                                                        const std::vector<std::string>& extra) {
  PolicySpec parsed = ParsePolicySpec(spec);
  PolicyFlags flags;
  flags.policy = parsed.name;
  flags.options = parsed.options;
  flags.options.insert(flags.options.end(), extra.begin(), extra.end());
  RWTTT_ASSIGN_OR_RETURN(PolicyOptions options, PreparePolicy(flags));
  return std::pair{parsed.name, std::move(options)};
}

// A progress line on stderr, only when it is a terminal: a report can run for minutes.
void ShowProgress(const std::string& trace, const char* which, std::size_t done,
                  std::size_t total) {
  if (::isatty(STDERR_FILENO) == 0) return;
  std::fprintf(stderr, "\rrwttt report: trace %zu of %zu (%s), %s   ", done + 1, total,
               trace.c_str(), which);
  std::fflush(stderr);
}

Result<int> RunReport(const ReportFlags& f) {
  RWTTT_TRY(LoadPlugins(f.plugins));
  RWTTT_ASSIGN_OR_RETURN(auto baseline, ParseSpec(f.baseline, f.baseline_opts));
  RWTTT_ASSIGN_OR_RETURN(auto candidate, ParseSpec(f.candidate, f.candidate_opts));
  SimConfig config;
  RWTTT_ASSIGN_OR_RETURN(config.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(config.hardware, LoadHardwareProfile(f.hardware));
  RWTTT_ASSIGN_OR_RETURN(config.budget_bytes, ResolveBudget(f.budget_gib, 0, config.hardware));
  config.seed = Seed{f.seed};
  // The outputs are opened before any work: an unwritable path fails now, not after the runs.
  RWTTT_ASSIGN_OR_RETURN(auto md, OutputFile::Create(f.markdown));
  std::unique_ptr<OutputFile> js;
  if (!f.json.empty()) {
    RWTTT_ASSIGN_OR_RETURN(js, OutputFile::Create(f.json));
  }
  RWTTT_ASSIGN_OR_RETURN(gpu::BackendChoice choice,
                         gpu::MakeBackend(f.backend, {.model = &config.model}));
  std::fprintf(stderr, "rwttt: %s\n", choice.note.c_str());
  config.backend = choice.backend.get();

  std::vector<TraceComparison> all;
  std::vector<std::string> regressions;
  bool candidate_anomalies = false;
  for (std::size_t i = 0; i < f.traces.size(); ++i) {
    const std::string& path = f.traces[i];
    RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace(path));
    TraceComparison t;
    t.trace = path;
    ShowProgress(path, "baseline", i, f.traces.size());
    RWTTT_ASSIGN_OR_RETURN(t.baseline, RunAndCheck(trace, baseline.first, baseline.second, config,
                                                   path, f.model, f.max_per_type));
    ShowProgress(path, "candidate", i, f.traces.size());
    RWTTT_ASSIGN_OR_RETURN(t.candidate, RunAndCheck(trace, candidate.first, candidate.second,
                                                    config, path, f.model, f.max_per_type));
    t.deltas = Deltas(t.baseline.run.metrics, t.candidate.run.metrics);
    candidate_anomalies |= !t.candidate.report.valid();
    if (f.fail_on_regress >= 0) {
      for (const Delta& d : t.deltas) {
        const std::optional<double> better = d.ImprovementPct();
        if (better && -*better > f.fail_on_regress) {
          regressions.push_back(fmt::format("{}: {} worse by {:.1f}% (limit {}%)", path, d.name,
                                            -*better, f.fail_on_regress));
        }
      }
    }
    all.push_back(std::move(t));
  }
  if (::isatty(STDERR_FILENO) != 0) std::fputs("\r\033[K", stderr);
  md->Write(Markdown(f, all, regressions));
  RWTTT_TRY(md->Commit());
  if (js) {
    js->Write(Json(f, all, regressions) + "\n");
    RWTTT_TRY(js->Commit());
  }
  return candidate_anomalies || !regressions.empty() ? kExitViolation : kExitOk;
}

}  // namespace

Command AddReportCommand(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* report = app.add_subcommand(
      "report", "Compare two schedulers on traces: checker verdicts and metric deltas");
  report
      ->add_option("--baseline", flags->baseline,
                   "Baseline policy: NAME or NAME:key=value,key=value")
      ->capture_default_str();
  report->add_option("--candidate", flags->candidate, "Candidate policy, same spelling")
      ->required();
  report->add_option("--baseline-opt", flags->baseline_opts, "Baseline option key=value")
      ->allow_extra_args(false);
  report->add_option("--candidate-opt", flags->candidate_opts, "Candidate option key=value")
      ->allow_extra_args(false);
  report->add_option("--policy-plugin", flags->plugins, "Load policies from a shared library")
      ->allow_extra_args(false);
  report->add_option("TRACE", flags->traces, "Native traces to replay")->required();
  report->add_option("--model", flags->model, "Model profile")->capture_default_str();
  report->add_option("--hardware", flags->hardware, "Hardware profile")->capture_default_str();
  AddReal(report, "--budget", flags->budget_gib,
          "Memory budget in GiB (default: the hardware's memory)", kBudgetGibRange);
  AddWhole(report, "--seed", flags->seed, "Seed of every random choice and input", kSeedRange)
      ->capture_default_str();
  report->add_option("--backend", flags->backend, "Where the math runs")
      ->check(CLI::IsMember(gpu::BackendNames()))
      ->capture_default_str();
  report->add_option("--markdown", flags->markdown, "Markdown output ('-': stdout)")
      ->capture_default_str();
  report->add_option("--json", flags->json, "Also write the comparison as JSON to this file");
  AddWhole(report, "--max-per-type", flags->max_per_type,
           "Candidate anomalies of one type listed in detail; the rest are counted",
           {.min = 0, .max = UINT64_MAX, .zero = "none listed"})
      ->capture_default_str();
  AddReal(report, "--fail-on-regress", flags->fail_on_regress,
          "Exit 1 when a metric of the candidate is worse by more than PCT percent",
          {.min = 0, .min_open = false, .max = 1e6, .zero = "any regression fails"});
  return {report, [flags] { return RunReport(*flags); }};
}

}  // namespace rwttt::cli
