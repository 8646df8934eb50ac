// `rwttt report --baseline A --candidate B TRACE...`: replays each trace under two schedulers,
// checks both histories, and writes a Markdown comparison for a pull request and the same as JSON
// (docs/tutorial-scheduler.md).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "cli/run_flags.h"
#include "core/output_file.h"
#include "harness/checked_run.h"
#include "harness/comparison_report.h"
#include "harness/policy_comparison.h"
#include "harness/policy_spec.h"
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
  RunFlags run{.model = "tiny"};  // every step runs and is checked: small shapes by default
  std::string markdown = "-";
  std::string json;
  double fail_on_regress = -1;  // percent; < 0: never
  std::uint64_t max_per_type = 100;
};

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
  RWTTT_ASSIGN_OR_RETURN(const PolicySpec baseline, ParsePolicySpec(f.baseline, f.baseline_opts));
  RWTTT_ASSIGN_OR_RETURN(const PolicySpec candidate,
                         ParsePolicySpec(f.candidate, f.candidate_opts));
  RWTTT_ASSIGN_OR_RETURN(RunConfig run, ResolveRunConfig(f.run));
  SimConfig config;
  RWTTT_ASSIGN_OR_RETURN(config.budget_bytes, RunBudget(f.run, run.hardware));
  config.model = std::move(run.model);
  config.hardware = std::move(run.hardware);
  config.seed = run.seed;
  // The outputs are opened before any work: an unwritable path fails now, not after the runs.
  RWTTT_ASSIGN_OR_RETURN(auto md, OutputFile::Create(f.markdown));
  std::unique_ptr<OutputFile> js;
  if (!f.json.empty()) {
    RWTTT_ASSIGN_OR_RETURN(js, OutputFile::Create(f.json));
  }
  RWTTT_ASSIGN_OR_RETURN(const std::unique_ptr<Backend> backend,
                         MakeRunBackend(f.run, config.model));
  config.backend = backend.get();

  PolicyComparison comparison;
  comparison.setup = {f.baseline, f.candidate, f.run.model, f.run.hardware, f.run.seed};
  for (std::size_t i = 0; i < f.traces.size(); ++i) {
    const std::string& path = f.traces[i];
    RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace(path));
    ShowProgress(path, "baseline", i, f.traces.size());
    RWTTT_ASSIGN_OR_RETURN(CheckedRun base,
                           RunAndCheck(trace, baseline, config, path, f.run.model, f.max_per_type));
    ShowProgress(path, "candidate", i, f.traces.size());
    RWTTT_ASSIGN_OR_RETURN(
        CheckedRun cand, RunAndCheck(trace, candidate, config, path, f.run.model, f.max_per_type));
    comparison.traces.push_back(CompareRuns(path, std::move(base), std::move(cand)));
  }
  if (f.fail_on_regress >= 0)
    comparison.regressions = Regressions(comparison.traces, f.fail_on_regress);
  if (::isatty(STDERR_FILENO) != 0) std::fputs("\r\033[K", stderr);
  md->Write(ComparisonMarkdown(comparison));
  RWTTT_TRY(md->Commit());
  if (js) {
    js->Write(ComparisonJson(comparison) + "\n");
    RWTTT_TRY(js->Commit());
  }
  return comparison.Failed() ? kExitViolation : kExitOk;
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
  AddRunFlags(report, flags->run,
              {.budget = "Memory budget in GiB (default: the hardware's memory)",
               .backend = "Where the math runs"});
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
