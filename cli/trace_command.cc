// `rwttt trace stats FILE`: count, span, rate, burstiness and length percentiles of a trace.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "traces/native_trace.h"
#include "traces/trace_stats.h"

namespace rwttt::cli {
namespace {

struct StatsFlags {
  std::string path;
  bool json = false;
};

Result<int> RunStats(const StatsFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(auto reader, TraceReader::Open(f.path));
  TraceStatsBuilder builder;
  Request r;
  std::uint64_t n = 0;
  while (true) {
    RWTTT_ASSIGN_OR_RETURN(bool more, reader->Next(r));
    if (!more) break;
    builder.Add(r);
    ++n;
  }
  if (n == 0) return Error::Input("the trace has no requests", {f.path, 0, ""});
  const TraceStats stats = builder.Finish();
  const std::string text =
      f.json ? TraceStatsToJson(stats, f.path) + "\n" : FormatTraceStats(stats, f.path);
  std::fputs(text.c_str(), stdout);
  return kExitOk;
}

}  // namespace

Command AddTraceCommand(CLI::App& app) {
  auto flags = std::make_shared<StatsFlags>();
  CLI::App* trace = app.add_subcommand("trace", "Inspect traces");
  trace->require_subcommand(1);
  CLI::App* stats = trace->add_subcommand("stats", "Count, span, rate, burstiness, lengths");
  stats->add_option("FILE", flags->path, "Trace file (native JSONL; .zst ok; '-' for stdin)")
      ->required();
  stats->add_flag("--json", flags->json, "Print JSON instead of text");
  return {trace, [flags] { return RunStats(*flags); }};
}

}  // namespace rwttt::cli
