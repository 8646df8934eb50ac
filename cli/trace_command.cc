// `rwttt trace stats FILE`: count, span, rate, burstiness and length percentiles of a trace, in
// any format (--format), after any shaping, with what an import dropped or clipped.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/trace_input_options.h"
#include "traces/trace_stats.h"

namespace rwttt::cli {
namespace {

struct StatsFlags {
  std::string path;
  bool json = false;
  TraceInputFlags input;
};

Result<int> RunStats(const StatsFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(LoadedTrace trace,
                         LoadTraceFromFlags(f.path, f.input, /*report_losses=*/false));
  TraceStatsBuilder builder;
  for (const Request& r : trace.requests) builder.Add(r);
  const TraceStats stats = builder.Finish();
  std::string text;
  if (f.json) {
    // The stats object with one more member, "import".
    text = TraceStatsToJson(stats, f.path);
    text.pop_back();
    text += ",\"import\":" + ImportReportToJson(trace.report) + "}\n";
  } else {
    text = FormatTraceStats(stats, f.path) + FormatImportReport(trace.report);
  }
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command AddTraceCommand(CLI::App& app) {
  auto flags = std::make_shared<StatsFlags>();
  CLI::App* trace = app.add_subcommand("trace", "Inspect traces");
  trace->require_subcommand(1);
  CLI::App* stats = trace->add_subcommand("stats", "Count, span, rate, burstiness, lengths");
  stats->add_option("FILE", flags->path, "Trace file (see --format; .zst ok; '-' for stdin)")
      ->required();
  stats->add_flag("--json", flags->json, "Print JSON instead of text");
  AddTraceInputOptions(stats, flags->input);
  return {trace, [flags] { return RunStats(*flags); }};
}

}  // namespace rwttt::cli
