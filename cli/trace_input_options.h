// The command-line options shared by every subcommand that reads a trace: --format, the workload
// shaping options and the import choices, registered once here (docs/traces.md).
//
//   auto flags = std::make_shared<TraceInputFlags>();  AddTraceInputOptions(sub, *flags);
//   RWTTT_ASSIGN_OR_RETURN(LoadedTrace t, LoadTraceFromFlags(path, *flags));
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "traces/trace_loader.h"

namespace rwttt::cli {

// The values the options are parsed into. Must outlive the parse (hold it in a shared_ptr).
struct TraceInputFlags {
  std::string format = "native";
  std::optional<double> time_scale;
  std::optional<double> rate;
  std::string window;  // "START,DUR" in seconds; empty for none
  std::optional<double> sample;
  std::uint64_t seed = 0;
  std::optional<std::uint32_t> max_prompt;
  std::optional<std::uint32_t> max_output;
  std::vector<std::string> burstgpt_models;
  std::vector<std::string> burstgpt_log_types;
  bool burstgpt_keep_failed = false;
  bool skip_bad_rows = false;
};

// Which of the shared options a subcommand registers.
struct TraceInputOptionSet {
  // --format FORMAT. Off where the format is a positional argument (`rwttt import FORMAT FILE`).
  bool format = true;
  // --seed S keying --sample. Off where the subcommand has its own --seed (replay): it then copies
  // that seed into TraceInputFlags::seed itself.
  bool seed = true;
};

// Registers on `app`: [--format F] --time-scale X --rate R --window START,DUR --sample FRACTION
// [--seed S] --max-prompt N --max-output N --burstgpt-model M --burstgpt-log-type T
// --burstgpt-keep-failed --skip-bad-rows, bound to `flags`.
void AddTraceInputOptions(CLI::App* app, TraceInputFlags& flags, TraceInputOptionSet which = {});

// The library options the flags stand for. A Usage error names the bad flag.
Result<TraceLoadOptions> ToLoadOptions(const TraceInputFlags& flags);

// LoadTrace(path, --format, flags). With `report_losses`, when rows were skipped, dropped or
// clipped, prints the import report on stderr so that nothing disappears silently; commands that
// print the report themselves pass false.
Result<LoadedTrace> LoadTraceFromFlags(const std::string& path, const TraceInputFlags& flags,
                                       bool report_losses = true);

}  // namespace rwttt::cli
