// `rwttt replay TRACE`: runs a trace through a policy in the simulator and reports its metrics.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "checker/check_report.h"
#include "checker/history_checker.h"
#include "cli/command.h"
#include "cli/policy_flags.h"
#include "cli/run_flags.h"
#include "cli/trace_input_options.h"
#include "core/hardware_profile.h"
#include "core/json_writer.h"
#include "core/model_profile.h"
#include "core/output_file.h"
#include "harness/checked_run.h"
#include "harness/policy_spec.h"
#include "harness/run_sinks.h"
#include "sim/faults/fault_injector.h"
#include "sim/metrics.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "sim/timeline.h"
#include "traces/native_trace.h"
#include "traces/trace_format.h"

namespace rwttt::cli {
namespace {

struct ReplayFlags {
  std::string trace;
  PolicyFlags policy;
  RunFlags run;
  std::string timeline;
  std::string history;
  std::string inject;
  bool check = false;
  bool json = false;
  TraceInputFlags input;
};

// `path` (a trace, model or hardware file; a preset name is returned as is) as the history's
// header names it: relative to the history's folder when it lies in or below that folder (it
// then travels with the history: `rwttt check` looks there first), else absolute.
std::string PathFromHistory(const std::string& path, const std::vector<std::string>& presets,
                            const std::string& history) {
  namespace fs = std::filesystem;
  if (std::find(presets.begin(), presets.end(), path) != presets.end()) return path;
  if (history == "-") return path;
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(path), ec).lexically_normal();
  const fs::path folder = fs::absolute(fs::path(history), ec).lexically_normal().parent_path();
  if (ec) return path;
  const fs::path relative = absolute.lexically_relative(folder);
  if (relative.empty() || *relative.begin() == "..") return absolute.generic_string();
  return relative.generic_string();
}

// Where a file saved beside `history` goes: h.jsonl (or h.jsonl.zst, or h) with `suffix`
// ("trace.jsonl"), .zst kept when `compress`; bytes of the history's name that are not UTF-8
// become '_', so that the JSON header can name the file exactly.
std::string BesideHistory(const std::string& history, const std::string& suffix, bool compress) {
  std::string stem = history;
  const bool zst = stem.ends_with(".zst");
  if (zst) stem.resize(stem.size() - 4);
  if (stem.ends_with(".jsonl")) stem.resize(stem.size() - 6);
  std::string name = std::filesystem::path(stem).filename().string();
  if (!IsValidUtf8(name)) {
    for (char& c : name) c = static_cast<unsigned char>(c) >= 0x80 ? '_' : c;
  }
  const std::filesystem::path folder = std::filesystem::path(stem).parent_path();
  return (folder / (name + "." + suffix + (compress && zst ? ".zst" : ""))).string();
}

// A workload that was imported, shaped, read from stdin or named in bytes that are not UTF-8
// cannot be named by the history's header as replayed, so it is written beside the history
// (h.jsonl -> h.trace.jsonl, h.jsonl.zst -> h.trace.jsonl.zst) in the native format, and the
// header names that file.
Result<std::string> SaveWorkloadBeside(const std::vector<Request>& trace,
                                       const std::string& history) {
  if (history == "-") {
    return Error::Usage(
        "--history -: this workload was imported, shaped or read from stdin, so rwttt saves it "
        "beside the history for 'rwttt check'; give --history a file name");
  }
  const std::string workload = BesideHistory(history, "trace.jsonl", true);
  RWTTT_TRY(WriteTrace(trace, workload));
  std::fprintf(stderr,
               "rwttt: the workload as replayed is saved as %s, which the history's header "
               "names\n",
               workload.c_str());
  return std::filesystem::path(workload).filename().string();
}

// A model or hardware file whose path is not UTF-8 is copied beside the history for the same
// reason (h.model.json, h.hardware.json); a preset or any other path is named as is.
Result<std::string> ProfileForHeader(const std::string& spec,
                                     const std::vector<std::string>& presets,
                                     const std::string& history, const std::string& kind,
                                     const std::string& json) {
  const std::string named = PathFromHistory(spec, presets, history);
  if (IsValidUtf8(named) || history == "-") return named;
  const std::string copy = BesideHistory(history, kind + ".json", false);
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(copy));
  out->Write(json + "\n");
  RWTTT_TRY(out->Commit());
  return std::filesystem::path(copy).filename().string();
}

// A progress line on stderr, only when it is a terminal, overwritten in place.
void ShowProgress(const Progress& p) {
  std::fprintf(stderr, "\rrwttt: %.3f s simulated, %llu/%llu requests done, %llu steps   ",
               p.now.seconds(), static_cast<unsigned long long>(p.finished),
               static_cast<unsigned long long>(p.requests),
               static_cast<unsigned long long>(p.steps));
  std::fflush(stderr);
}

// What one replay runs: the simulator's configuration (no backend, sinks or observers yet) and
// the policy.
struct Replay {
  SimConfig config;
  PolicySpec policy;
  std::unique_ptr<Policy> scheduler;
};

// The run flags, the policy and --inject, checked in that order.
Result<Replay> PrepareReplay(const ReplayFlags& f) {
  Replay r;
  RWTTT_ASSIGN_OR_RETURN(RunConfig run, ResolveRunConfig(f.run));
  RWTTT_ASSIGN_OR_RETURN(r.config.budget_bytes, RunBudget(f.run, run.hardware));
  r.config.model = std::move(run.model);
  r.config.hardware = std::move(run.hardware);
  r.config.seed = run.seed;
  r.config.measured_timing = run.timing == Timing::kMeasured;
  RWTTT_ASSIGN_OR_RETURN(r.policy, PreparePolicy(f.policy));
  r.config.policy_options = r.policy.options;
  RWTTT_ASSIGN_OR_RETURN(r.scheduler, MakePolicy(r.policy.name, r.policy.options));
  if (!f.inject.empty()) {
    RWTTT_ASSIGN_OR_RETURN(r.config.faults, ParseFaultPlan(f.inject));
  }
  return r;
}

// --history and --check as sinks of `sinks`. Everything the history's header names is found from
// the history's folder, so that `rwttt check` alone re-checks it from any working directory
// (docs/checker.md#what-the-header-names); the checker is told the trace as given.
Status AddSinks(const ReplayFlags& f, const std::vector<Request>& trace, const PolicySpec& policy,
                const SimConfig& config, const std::string& backend_name, RunSinks& sinks) {
  RWTTT_ASSIGN_OR_RETURN(const TraceLoadOptions load_options, ToLoadOptions(f.input));
  RWTTT_ASSIGN_OR_RETURN(const TraceFormat format, ParseTraceFormat(f.input.format));
  const bool trace_as_replayed =
      format == TraceFormat::kNative && !load_options.shaping.any() && f.trace != "-";
  HistoryHeader header;
  header.policy = f.policy.policy;
  header.backend = backend_name;
  header.seed = f.run.seed;
  header.model = f.run.model;
  header.hardware = f.run.hardware;
  header.chunk = config.model.chunk;
  RWTTT_ASSIGN_OR_RETURN(header.base_slot, HistoryBaseSlot(policy, config));
  if (!f.history.empty()) {
    RWTTT_ASSIGN_OR_RETURN(header.model,
                           ProfileForHeader(f.run.model, ModelPresetNames(), f.history, "model",
                                            ModelProfileToJson(config.model)));
    RWTTT_ASSIGN_OR_RETURN(header.hardware,
                           ProfileForHeader(f.run.hardware, HardwarePresetNames(), f.history,
                                            "hardware", HardwareProfileToJson(config.hardware)));
    if (trace_as_replayed && IsValidUtf8(PathFromHistory(f.trace, {}, f.history))) {
      header.trace = PathFromHistory(f.trace, {}, f.history);
    } else {
      RWTTT_ASSIGN_OR_RETURN(header.trace, SaveWorkloadBeside(trace, f.history));
    }
    RWTTT_TRY(sinks.WriteTo(f.history, header));
  }
  if (f.check) {
    HistoryHeader check_header = header;
    check_header.trace = f.trace;
    sinks.Check(check_header, InMemoryCheck(trace, f.trace, config.model));
  }
  return OkStatus();
}

// The replay's report on stdout: text, or one JSON object with --json.
void PrintReport(const ReplayFlags& f, const SimConfig& config, const std::string& backend_name,
                 const RunResult& run, const std::optional<CheckReport>& report) {
  if (f.json) {
    std::puts(fmt::format(R"({{"trace":{},"policy":{},"model":{},"hardware":{},"seed":{},)"
                          R"("backend":{},"timing":{},"faults_injected":{},"metrics":{}{}}})",
                          JsonString(f.trace), JsonString(f.policy.policy),
                          JsonString(config.model.name), JsonString(config.hardware.name),
                          f.run.seed, JsonString(backend_name), JsonString(f.run.timing),
                          run.faults_injected, MetricsToJson(run.metrics),
                          report ? ",\"check\":" + RenderJson(*report) : "")
                  .c_str());
    return;
  }
  std::fputs(fmt::format("policy           {} on {} / {}, seed {}\n", f.policy.policy,
                         config.model.name, config.hardware.name, f.run.seed)
                 .c_str(),
             stdout);
  std::fputs(FormatMetrics(run.metrics).c_str(), stdout);
  if (config.faults.kind != FaultKind::kNone) {
    std::fputs(fmt::format("faults injected  {} x {}\n", run.faults_injected,
                           FaultKindName(config.faults.kind))
                   .c_str(),
               stdout);
  }
  if (report) std::fputs(("\n" + RenderText(*report)).c_str(), stdout);
}

Result<int> RunReplay(ReplayFlags f) {
  f.input.seed = f.run.seed;  // --sample draws from the run's seed
  RWTTT_ASSIGN_OR_RETURN(LoadedTrace loaded, LoadTraceFromFlags(f.trace, f.input));
  const std::vector<Request>& trace = loaded.requests;
  RWTTT_ASSIGN_OR_RETURN(Replay replay, PrepareReplay(f));
  SimConfig& config = replay.config;

  // Math runs only when something needs its results: digests in the history, or measured time.
  std::unique_ptr<Backend> backend;
  if (!f.history.empty() || f.check || config.measured_timing) {
    RWTTT_ASSIGN_OR_RETURN(backend, MakeRunBackend(f.run, config.model));
    config.backend = backend.get();
  }
  const std::string backend_name = backend ? std::string(backend->name()) : "none";
  RunSinks sinks;
  RWTTT_TRY(AddSinks(f, trace, replay.policy, config, backend_name, sinks));
  config.history = sinks.sink();
  std::unique_ptr<TimelineWriter> timeline;
  if (!f.timeline.empty()) {
    RWTTT_ASSIGN_OR_RETURN(timeline, TimelineWriter::Create(f.timeline));
    config.observer = timeline.get();
  }
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  if (progress) config.progress = ShowProgress;

  RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *replay.scheduler, config));
  if (progress) std::fputs("\r\033[K", stderr);
  if (timeline) RWTTT_TRY(timeline->Commit());
  // The run's states are not needed past here: give their memory back before check 5 runs the
  // serial reference (a LaCT-1B replay of 64 owners holds 19 GB of them).
  config.backend = nullptr;
  backend.reset();
  RWTTT_ASSIGN_OR_RETURN(const std::optional<CheckReport> report, sinks.Finish());
  PrintReport(f, config, backend_name, run, report);
  return report && !report->valid() ? kExitViolation : kExitOk;
}

}  // namespace

Command AddReplayCommand(CLI::App& app) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* replay = app.add_subcommand("replay", "Replay a trace through a policy and report");
  replay
      ->add_option("TRACE", flags->trace,
                   "Trace file (native JSONL, or --format azure|burstgpt|mooncake; .zst ok)")
      ->required();
  AddPolicyOptions(replay, flags->policy);
  AddRunFlags(
      replay, flags->run,
      {.budget_bytes = true,
       .backend = "Where the math runs when the history or --timing measured needs it",
       .threads = true,
       .timing = "Batch durations: the cost model, or the kernels' wall time (benchmarks)"});
  replay->add_option("--timeline", flags->timeline,
                     "Write a Chrome Trace Event timeline (opens in Perfetto)");
  replay->add_option("--history", flags->history,
                     "Write the execution history (format v1, docs/checker.md; .zst compresses)");
  replay->add_option(
      "--inject", flags->inject,
      "Inject a fault KIND[@RATE] to test the checker (see docs/checker.md): " + [] {
        std::string kinds;
        for (const auto& k : FaultKindNames()) kinds += (kinds.empty() ? "" : ", ") + k;
        return kinds;
      }());
  replay->add_flag("--check", flags->check,
                   "Check the run's history (docs/checker.md); exit 1 if it finds a violation");
  replay->add_flag("--json", flags->json, "Print the report as JSON");
  AddTraceInputOptions(replay, flags->input, {.format = true, .seed = false});
  return {replay, [flags] { return RunReplay(*flags); }};
}

}  // namespace rwttt::cli
