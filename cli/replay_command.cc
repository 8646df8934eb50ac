// `rwttt replay TRACE`: runs a trace through a policy in the simulator and reports its metrics.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "core/hardware_profile.h"
#include "core/json_writer.h"
#include "core/model_profile.h"
#include "sim/policy_registry.h"
#include "sim/simulator.h"
#include "sim/timeline.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

struct ReplayFlags {
  std::string trace;
  std::string policy = "rwttt";
  std::vector<std::string> policy_opts;
  std::string model = "inplace-ttt-4b";
  std::string hardware = "h100-sxm";
  double budget_gib = 0;
  std::uint64_t seed = 0;
  std::string timeline;
  bool json = false;
};

Result<PolicyOptions> ParsePolicyOptions(const std::vector<std::string>& pairs) {
  PolicyOptions options;
  for (const std::string& pair : pairs) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Error::Usage("--policy-opt '" + pair + "': expected key=value");
    }
    options.Set(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return options;
}

// A progress line on stderr, only when it is a terminal, overwritten in place.
void ShowProgress(const Progress& p) {
  std::fprintf(stderr, "\rrwttt: %.3f s simulated, %llu/%llu requests done, %llu steps   ",
               p.now.seconds(), static_cast<unsigned long long>(p.finished),
               static_cast<unsigned long long>(p.requests),
               static_cast<unsigned long long>(p.steps));
  std::fflush(stderr);
}

Result<int> RunReplay(const ReplayFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(std::vector<Request> trace, ReadTrace(f.trace));
  SimConfig config;
  RWTTT_ASSIGN_OR_RETURN(config.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(config.hardware, LoadHardwareProfile(f.hardware));
  if (f.budget_gib < 0 || !std::isfinite(f.budget_gib)) {
    return Error::Usage("--budget must be a positive number of GiB");
  }
  config.budget_bytes = f.budget_gib > 0
                            ? static_cast<std::uint64_t>(f.budget_gib * 1073741824.0)
                            : config.hardware.memory_bytes();
  config.seed = Seed{f.seed};
  RWTTT_ASSIGN_OR_RETURN(config.policy_options, ParsePolicyOptions(f.policy_opts));
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(f.policy, config.policy_options));

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

  if (f.json) {
    std::puts(fmt::format(R"({{"trace":{},"policy":{},"model":{},"hardware":{},"seed":{},)"
                          R"("metrics":{}}})",
                          JsonString(f.trace), JsonString(f.policy), JsonString(config.model.name),
                          JsonString(config.hardware.name), f.seed, MetricsToJson(run.metrics))
                  .c_str());
  } else {
    std::fputs(fmt::format("policy           {} on {} / {}, seed {}\n", f.policy,
                           config.model.name, config.hardware.name, f.seed)
                   .c_str(),
               stdout);
    std::fputs(FormatMetrics(run.metrics).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

Command AddReplayCommand(CLI::App& app) {
  auto flags = std::make_shared<ReplayFlags>();
  CLI::App* replay = app.add_subcommand("replay", "Replay a trace through a policy and report");
  replay->add_option("TRACE", flags->trace, "Trace file (native JSONL; .zst ok; '-' for stdin)")
      ->required();
  replay->add_option("--policy", flags->policy, "Scheduling policy (see 'rwttt policies')")
      ->capture_default_str();
  replay->add_option("--policy-opt", flags->policy_opts, "Policy option key=value (repeatable)");
  replay->add_option("--model", flags->model, "Model profile: a preset or a JSON file")
      ->capture_default_str();
  replay->add_option("--hardware", flags->hardware, "Hardware profile: a preset or a JSON file")
      ->capture_default_str();
  replay->add_option("--budget", flags->budget_gib,
                     "Memory budget in GiB (default: the hardware's memory)");
  replay->add_option("--seed", flags->seed, "Seed of every random choice and input")
      ->capture_default_str();
  replay->add_option("--timeline", flags->timeline,
                     "Write a Chrome Trace Event timeline (opens in Perfetto)");
  replay->add_flag("--json", flags->json, "Print the report as JSON");
  return {replay, [flags] { return RunReplay(*flags); }};
}

}  // namespace rwttt::cli
