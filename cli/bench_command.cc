// `rwttt bench paper` and `rwttt bench sweep`: the RW-TTT paper's experiment in the simulator,
// and how its result moves with the number of streams and the chunk size
// (docs/paper-reproduction.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/output_file.h"
#include "gpu/backend_registry.h"
#include "sim/paper_experiment.h"
#include "sim/paper_report.h"
#include "sim/sweep.h"
#include "traces/native_trace.h"

namespace rwttt::cli {
namespace {

// Streams of the paper's experiment and its sweeps (RunPaperExperiment, RunSweep): each is an
// owner with its own state.
constexpr std::uint64_t kMaxStreams = 4096;

struct PaperFlags {
  std::string model = "inplace-ttt-4b";
  std::string hardware = "paper-h100";
  std::uint32_t streams = kPaperStreams;
  double budget_gib = 0;
  std::uint32_t prompt = 128;
  std::uint32_t output = 1024;
  std::uint64_t seed = 0;
  std::string timing = "model";
  std::string backend = "auto";
  int threads = 0;
  std::string save_trace;
  bool json = false;
  std::vector<std::string> plugins;   // --policy-plugin
  std::vector<std::string> policies;  // --policy NAME[:k=v,...]: extra rows
};

struct SweepFlags {
  std::string model = "inplace-ttt-4b";
  std::string hardware = "paper-h100";
  std::vector<std::uint32_t> streams = {1, 2, 4, 8, 16, 32, 64};
  std::vector<std::uint32_t> chunks = {128, 512, 2048};
  double budget_gib = 0;
  std::uint32_t prompt = 128;
  std::uint32_t output = 512;
  std::uint64_t seed = 0;
  std::string out = "-";
};

Result<int> RunBenchPaper(const PaperFlags& f) {
  PaperSetup setup;
  RWTTT_ASSIGN_OR_RETURN(setup.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(setup.hardware, LoadHardwareProfile(f.hardware));
  setup.streams = f.streams;
  setup.budget_gib = f.budget_gib;
  setup.prompt_tokens = f.prompt;
  setup.output_tokens = f.output;
  setup.seed = Seed{f.seed};
  std::unique_ptr<Backend> backend;
  if (f.timing == "measured") {
    RWTTT_ASSIGN_OR_RETURN(
        gpu::BackendChoice choice,
        gpu::MakeBackend(f.backend, {.threads = f.threads, .model = &setup.model}));
    std::fprintf(stderr, "rwttt: %s\n", choice.note.c_str());
    backend = std::move(choice.backend);
    setup.backend = backend.get();
    setup.measured_timing = true;
  }
  RWTTT_TRY(LoadPlugins(f.plugins));
  for (const std::string& spec : f.policies) {
    const PolicySpec parsed = ParsePolicySpec(spec);
    // Checks the name and option keys against the registry before anything runs; the row runs
    // with the options as parsed there.
    RWTTT_ASSIGN_OR_RETURN(const PolicyOptions checked,
                           PreparePolicy(PolicyFlags{parsed.name, parsed.options, {}}));
    PolicyChoice choice{parsed.name, {}};
    for (const auto& [key, value] : checked.values()) choice.options.emplace_back(key, value);
    setup.extra_policies.push_back(std::move(choice));
  }
  // The workload is known before the runs: saved first, so an unwritable path fails at once.
  if (!f.save_trace.empty()) {
    RWTTT_TRY(WriteTrace(PaperWorkload(setup.streams, setup.prompt_tokens, setup.output_tokens),
                         f.save_trace));
  }
  RWTTT_ASSIGN_OR_RETURN(PaperTable table, RunPaperExperiment(setup));
  if (f.json) {
    std::puts(PaperTableToJson(table).c_str());
    return kExitOk;
  }
  std::fputs(FormatPaperTable(table).c_str(), stdout);
  const std::string trace = f.save_trace.empty() ? "paper.jsonl" : f.save_trace;
  std::fputs(
      fmt::format("\nreproduce a row: rwttt bench paper --streams {} --prompt {} --output {} "
                  "--save-trace {}\n  then: rwttt replay {} --model {} --hardware {} "
                  "--budget {} --seed {}{} POLICY FLAGS\n  policy flags:",
                  setup.streams, setup.prompt_tokens, setup.output_tokens, trace, trace, f.model,
                  f.hardware, table.budget_gib, f.seed,
                  f.timing == "measured" ? " --timing measured --backend " + f.backend : "")
          .c_str(),
      stdout);
  for (const PolicyRun& row : table.rows) {
    std::fputs(fmt::format(" [{}]", row.policy.ReplayFlags()).c_str(), stdout);
  }
  std::fputs(
      "\n(replay reports output tokens / makespan, prefill included; the table's tok/s "
      "counts the decode phase only)\n",
      stdout);
  return kExitOk;
}

Result<int> RunBenchSweep(const SweepFlags& f) {
  SweepOptions o;
  RWTTT_ASSIGN_OR_RETURN(o.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(o.hardware, LoadHardwareProfile(f.hardware));
  o.streams = f.streams;
  o.chunks = f.chunks;
  o.budget_gib = f.budget_gib;
  o.prompt_tokens = f.prompt;
  o.output_tokens = f.output;
  o.seed = Seed{f.seed};
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(f.out));  // before the runs: fail early
  RWTTT_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, RunSweep(o));
  out->Write(SweepCsv(rows));
  RWTTT_TRY(out->Commit());
  return kExitOk;
}

void AddWorkloadOptions(CLI::App* app, std::string& model, std::string& hardware,
                        std::uint32_t& prompt, std::uint32_t& output, std::uint64_t& seed) {
  app->add_option("--model", model, "Model profile: a preset or a JSON file")
      ->capture_default_str();
  app->add_option("--hardware", hardware, "Hardware profile: a preset or a JSON file")
      ->capture_default_str();
  AddWhole(app, "--prompt", prompt, "Prompt tokens of each stream",
           {.min = 1, .max = kMaxRequestTokens})
      ->capture_default_str();
  AddWhole(app, "--output", output, "Output tokens of each stream",
           {.min = 1, .max = kMaxRequestTokens})
      ->capture_default_str();
  AddWhole(app, "--seed", seed, "Seed of every random choice and input", kSeedRange)
      ->capture_default_str();
}

}  // namespace

Command AddBenchCommand(CLI::App& app) {
  auto paper_flags = std::make_shared<PaperFlags>();
  auto sweep_flags = std::make_shared<SweepFlags>();
  CLI::App* bench =
      app.add_subcommand("bench", "The RW-TTT paper's experiment, and sweeps beyond it");
  bench->require_subcommand(1);

  CLI::App* paper = bench->add_subcommand(
      "paper", "The paper's table: N streams, three policies, one memory budget, vs the paper");
  PaperFlags& p = *paper_flags;
  AddWorkloadOptions(paper, p.model, p.hardware, p.prompt, p.output, p.seed);
  AddWhole(paper, "--streams", p.streams, "Concurrent streams (owners)",
           {.min = 1, .max = kMaxStreams})
      ->capture_default_str();
  AddReal(paper, "--budget", p.budget_gib,
          "Memory budget in GiB (default: 33.53 for 8 streams of inplace-ttt-4b, scaled to the "
          "model's weights + states otherwise)",
          kBudgetGibRange);
  paper
      ->add_option("--timing", p.timing,
                   "Batch durations: the cost model, or the real kernels' wall time")
      ->check(CLI::IsMember({"model", "measured"}))
      ->capture_default_str();
  paper->add_option("--backend", p.backend, "Where the kernels run with --timing measured")
      ->check(CLI::IsMember(gpu::BackendNames()))
      ->capture_default_str();
  AddWhole(paper, "--threads", p.threads, "omp backend threads",
           {.min = 0, .max = MaxThreads(), .zero = "one per core"});
  paper->add_option("--save-trace", p.save_trace,
                    "Also write the workload as a native trace, for `rwttt replay`");
  paper->add_flag("--json", p.json, "Print the table as JSON");
  paper
      ->add_option("--policy", p.policies,
                   "Add a row: your scheduler, NAME or NAME:key=value,... (repeatable)")
      ->allow_extra_args(false);
  paper->add_option("--policy-plugin", p.plugins, "Load policies from a shared library first")
      ->allow_extra_args(false);

  CLI::App* sweep = bench->add_subcommand(
      "sweep", "Decode tok/s and p99 TPOT per policy vs streams and chunk size, as CSV");
  SweepFlags& s = *sweep_flags;
  AddWorkloadOptions(sweep, s.model, s.hardware, s.prompt, s.output, s.seed);
  AddWhole(sweep, "--streams", s.streams, "Stream counts, comma-separated",
           {.min = 1, .max = kMaxStreams})
      ->delimiter(',')
      ->capture_default_str();
  AddWhole(sweep, "--chunks", s.chunks, "Chunk sizes C, comma-separated",
           {.min = 1, .max = kMaxRequestTokens})
      ->delimiter(',')
      ->capture_default_str();
  AddReal(sweep, "--budget", s.budget_gib, "Memory budget in GiB (default: the hardware's)",
          kBudgetGibRange);
  sweep->add_option("-o,--out", s.out, "CSV output file ('-' for stdout)")->capture_default_str();

  return {bench, [paper, paper_flags, sweep_flags] {
            return paper->parsed() ? RunBenchPaper(*paper_flags) : RunBenchSweep(*sweep_flags);
          }};
}

}  // namespace rwttt::cli
