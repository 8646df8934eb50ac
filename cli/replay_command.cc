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

#include "checker/history_checker.h"
#include "checker/history_writer.h"
#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "cli/trace_input_options.h"
#include "core/hardware_profile.h"
#include "core/json_writer.h"
#include "core/model_profile.h"
#include "core/output_file.h"
#include "gpu/backend_registry.h"
#include "sim/history_sinks.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "sim/timeline.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct ReplayFlags {
  std::string trace;
  PolicyFlags policy;
  std::string model = "inplace-ttt-4b";
  std::string hardware = "h100-sxm";
  double budget_gib = 0;
  std::uint64_t budget_bytes = 0;
  std::uint64_t seed = 0;
  std::string timeline;
  std::string history;
  std::string backend = "auto";
  int threads = 0;
  std::string timing = "model";
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

Result<int> RunReplay(ReplayFlags f) {
  f.input.seed = f.seed;  // --sample draws from the run's seed
  RWTTT_ASSIGN_OR_RETURN(LoadedTrace loaded, LoadTraceFromFlags(f.trace, f.input));
  const std::vector<Request>& trace = loaded.requests;
  SimConfig config;
  RWTTT_ASSIGN_OR_RETURN(config.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(config.hardware, LoadHardwareProfile(f.hardware));
  RWTTT_ASSIGN_OR_RETURN(config.budget_bytes,
                         ResolveBudget(f.budget_gib, f.budget_bytes, config.hardware));
  config.seed = Seed{f.seed};
  RWTTT_ASSIGN_OR_RETURN(config.policy_options, PreparePolicy(f.policy));
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(f.policy.policy, config.policy_options));
  if (!f.inject.empty()) {
    RWTTT_ASSIGN_OR_RETURN(config.faults, ParseFaultPlan(f.inject));
  }

  // Math runs only when something needs its results: digests in the history, or measured time.
  const bool math = !f.history.empty() || f.check || f.timing == "measured";
  config.measured_timing = f.timing == "measured";
  std::unique_ptr<Backend> backend;
  std::string backend_name = "none";
  if (math) {
    RWTTT_ASSIGN_OR_RETURN(
        gpu::BackendChoice choice,
        gpu::MakeBackend(f.backend, {.threads = f.threads, .model = &config.model}));
    std::fprintf(stderr, "rwttt: %s\n", choice.note.c_str());
    backend = std::move(choice.backend);
    backend_name = std::string(backend->name());
    config.backend = backend.get();
  }
  RWTTT_ASSIGN_OR_RETURN(const TraceLoadOptions load_options, ToLoadOptions(f.input));
  const bool trace_as_replayed =
      f.input.format == "native" && !load_options.shaping.any() && f.trace != "-";
  HistoryHeader header;
  header.policy = f.policy.policy;
  header.backend = backend_name;
  header.seed = f.seed;
  header.model = f.model;
  header.hardware = f.hardware;
  header.chunk = config.model.chunk;
  TeeSink sinks;
  std::unique_ptr<HistoryWriter> history;
  std::unique_ptr<HistoryWriterSink> history_sink;
  if (!f.history.empty()) {
    // Everything the header names is found from the history's folder, so that `rwttt check`
    // alone re-checks it from any working directory (docs/checker.md#what-the-header-names).
    RWTTT_ASSIGN_OR_RETURN(header.model,
                           ProfileForHeader(f.model, ModelPresetNames(), f.history, "model",
                                            ModelProfileToJson(config.model)));
    RWTTT_ASSIGN_OR_RETURN(
        header.hardware, ProfileForHeader(f.hardware, HardwarePresetNames(), f.history, "hardware",
                                          HardwareProfileToJson(config.hardware)));
    if (trace_as_replayed && IsValidUtf8(PathFromHistory(f.trace, {}, f.history))) {
      header.trace = PathFromHistory(f.trace, {}, f.history);
    } else {
      RWTTT_ASSIGN_OR_RETURN(header.trace, SaveWorkloadBeside(trace, f.history));
    }
    RWTTT_ASSIGN_OR_RETURN(history, HistoryWriter::Create(f.history, header));
    history_sink = std::make_unique<HistoryWriterSink>(*history);
    sinks.Add(history_sink.get());
  }
  std::unique_ptr<HistoryChecker> checker;
  std::unique_ptr<HistoryCheckerSink> checker_sink;
  if (f.check) {
    HistoryHeader check_header = header;
    check_header.trace = f.trace;
    CheckOptions options;
    options.inputs.trace = trace;
    options.inputs.trace_note = f.trace;
    options.inputs.model = config.model;
    checker = std::make_unique<HistoryChecker>(check_header, std::move(options));
    checker_sink = std::make_unique<HistoryCheckerSink>(*checker);
    sinks.Add(checker_sink.get());
  }
  if (!sinks.empty()) config.history = &sinks;
  std::unique_ptr<TimelineWriter> timeline;
  if (!f.timeline.empty()) {
    RWTTT_ASSIGN_OR_RETURN(timeline, TimelineWriter::Create(f.timeline));
    config.observer = timeline.get();
  }
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  if (progress) config.progress = ShowProgress;

  RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *policy, config));
  if (progress) std::fputs("\r\033[K", stderr);
  if (timeline) RWTTT_TRY(timeline->Commit());
  if (history) RWTTT_TRY(history->Commit());
  std::optional<CheckReport> report;
  if (checker) report = checker->Finish();

  if (f.json) {
    std::puts(fmt::format(R"({{"trace":{},"policy":{},"model":{},"hardware":{},"seed":{},)"
                          R"("backend":{},"timing":{},"faults_injected":{},"metrics":{}{}}})",
                          JsonString(f.trace), JsonString(f.policy.policy),
                          JsonString(config.model.name), JsonString(config.hardware.name), f.seed,
                          JsonString(backend_name), JsonString(f.timing), run.faults_injected,
                          MetricsToJson(run.metrics),
                          report ? ",\"check\":" + RenderJson(*report) : "")
                  .c_str());
  } else {
    std::fputs(fmt::format("policy           {} on {} / {}, seed {}\n", f.policy.policy,
                           config.model.name, config.hardware.name, f.seed)
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
  replay->add_option("--model", flags->model, "Model profile: a preset or a JSON file")
      ->capture_default_str();
  replay->add_option("--hardware", flags->hardware, "Hardware profile: a preset or a JSON file")
      ->capture_default_str();
  auto* budget = AddReal(replay, "--budget", flags->budget_gib,
                         "Memory budget in GiB (default: the hardware's memory)", kBudgetGibRange);
  AddWhole(replay, "--budget-bytes", flags->budget_bytes, "Memory budget in bytes, exactly",
           kBudgetBytesRange)
      ->excludes(budget);
  AddWhole(replay, "--seed", flags->seed, "Seed of every random choice and input", kSeedRange)
      ->capture_default_str();
  replay->add_option("--timeline", flags->timeline,
                     "Write a Chrome Trace Event timeline (opens in Perfetto)");
  replay->add_option("--history", flags->history,
                     "Write the execution history (format v1, docs/checker.md; .zst compresses)");
  replay
      ->add_option("--backend", flags->backend,
                   "Where the math runs when the history or --timing measured needs it")
      ->check(CLI::IsMember(gpu::BackendNames()))
      ->capture_default_str();
  AddWhole(replay, "--threads", flags->threads, "omp backend threads",
           {.min = 0, .max = MaxThreads(), .zero = "one per core"});
  replay
      ->add_option("--timing", flags->timing,
                   "Batch durations: the cost model, or the kernels' wall time (benchmarks)")
      ->check(CLI::IsMember({"model", "measured"}))
      ->capture_default_str();
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
