// `rwttt bench paper` and `rwttt bench sweep`: the RW-TTT paper's experiment in the simulator,
// and how its result moves with the number of streams and the chunk size
// (docs/paper-reproduction.md).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/bench_cow.h"
#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/policy_flags.h"
#include "cli/public_traces.h"
#include "cli/run_flags.h"
#include "core/output_file.h"
#include "core/step_cost.h"
#include "core/units.h"
#include "harness/calibration.h"
#include "harness/fidelity.h"
#include "harness/paper_experiment.h"
#include "harness/paper_report.h"
#include "harness/sweep.h"
#include "traces/native_trace.h"
#include "traces/trace_loader.h"

namespace rwttt::cli {
namespace {

// Streams of the paper's experiment and its sweeps (RunPaperExperiment, RunSweep): each is an
// owner with its own state.
constexpr std::uint64_t kMaxStreams = 4096;

// The paper's setup by default: its model on the H100 the cost model was fitted to.
RunFlags PaperRunFlags() { return {.model = "inplace-ttt-4b", .hardware = "paper-h100"}; }

struct PaperFlags {
  RunFlags run = PaperRunFlags();
  std::uint32_t streams = kPaperStreams;
  std::uint32_t prompt = 128;
  std::uint32_t output = 1024;
  std::string save_trace;
  bool json = false;
  std::vector<std::string> plugins;   // --policy-plugin
  std::vector<std::string> policies;  // --policy NAME[:k=v,...]: extra rows
};

struct SweepFlags {
  RunFlags run = PaperRunFlags();
  std::vector<std::uint32_t> streams = {1, 2, 4, 8, 16, 32, 64};
  std::vector<std::uint32_t> chunks = {128, 512, 2048};
  std::uint32_t prompt = 128;
  std::uint32_t output = 512;
  std::string out = "-";
};

// The --policy rows after the paper's three, checked against the registry (plugins loaded first).
Result<std::vector<PolicySpec>> ExtraPolicies(const PaperFlags& f) {
  RWTTT_TRY(LoadPlugins(f.plugins));
  std::vector<PolicySpec> extra;
  for (const std::string& spec : f.policies) {
    RWTTT_ASSIGN_OR_RETURN(PolicySpec policy, ParsePolicySpec(spec));
    extra.push_back(std::move(policy));
  }
  return extra;
}

// How to rerun one row of the table with `rwttt replay`.
void PrintReproduce(const PaperFlags& f, const PaperTable& table) {
  const PaperSetup& setup = table.setup;
  const std::string trace = f.save_trace.empty() ? "paper.jsonl" : f.save_trace;
  std::fputs(
      fmt::format("\nreproduce a row: rwttt bench paper --streams {} --prompt {} --output {} "
                  "--save-trace {}\n  then: rwttt replay {} --model {} --hardware {} "
                  "--budget {} --seed {}{} POLICY FLAGS\n  policy flags:",
                  setup.streams, setup.prompt_tokens, setup.output_tokens, trace, trace,
                  f.run.model, f.run.hardware, table.budget_gib, f.run.seed,
                  setup.measured_timing ? " --timing measured --backend " + f.run.backend : "")
          .c_str(),
      stdout);
  for (const PolicyRun& row : table.rows) {
    std::fputs(fmt::format(" [{}]", row.policy.ReplayFlags()).c_str(), stdout);
  }
  std::fputs(
      "\n(replay reports output tokens / makespan, prefill included; the table's tok/s "
      "counts the decode phase only)\n",
      stdout);
}

Result<int> RunBenchPaper(const PaperFlags& f) {
  PaperSetup setup;
  RWTTT_ASSIGN_OR_RETURN(const RunConfig run, ResolveRunConfig(f.run));
  setup.model = run.model;
  setup.hardware = run.hardware;
  setup.streams = f.streams;
  setup.budget_gib = f.run.budget_gib;
  setup.prompt_tokens = f.prompt;
  setup.output_tokens = f.output;
  setup.seed = run.seed;
  std::unique_ptr<Backend> backend;
  if (run.timing == Timing::kMeasured) {
    RWTTT_ASSIGN_OR_RETURN(backend, MakeRunBackend(f.run, setup.model));
    setup.backend = backend.get();
    setup.measured_timing = true;
  }
  RWTTT_ASSIGN_OR_RETURN(setup.extra_policies, ExtraPolicies(f));
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
  PrintReproduce(f, table);
  return kExitOk;
}

Result<int> RunBenchSweep(const SweepFlags& f) {
  SweepOptions o;
  RWTTT_ASSIGN_OR_RETURN(const RunConfig run, ResolveRunConfig(f.run));
  o.model = run.model;
  o.hardware = run.hardware;
  o.streams = f.streams;
  o.chunks = f.chunks;
  o.budget_gib = f.run.budget_gib;
  o.prompt_tokens = f.prompt;
  o.output_tokens = f.output;
  o.seed = run.seed;
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(f.out));  // before the runs: fail early
  RWTTT_ASSIGN_OR_RETURN(std::vector<SweepRow> rows, RunSweep(o));
  out->Write(SweepCsv(rows));
  RWTTT_TRY(out->Commit());
  return kExitOk;
}

struct FidelityFlags {
  RunFlags run{.model = "small", .backend = "omp"};
  std::string hardware;  // a calibrated profile; empty: calibrate first
  std::uint32_t repeats = 5;
  std::uint32_t runs = 3;
  std::string traces = "../shared/traces";
};

// The public traces of `dir`, each shaped to what a host backend runs in seconds: the first
// minute, a quarter of its requests, prompts and outputs clipped to 256 and 64 tokens. An absent
// trace is skipped, said on stderr.
Result<std::vector<FidelityWorkload>> PublicWorkloads(const std::string& dir) {
  std::vector<FidelityWorkload> out;
  for (const auto& [path, format] : PresentPublicTraces(dir, "fidelity")) {
    TraceLoadOptions o;
    o.shaping.window = TimeWindow{Nanos{0}, Nanos{60'000'000'000}};
    o.shaping.sample_fraction = 0.25;
    o.shaping.max_prompt = 256;
    o.shaping.max_output = 64;
    RWTTT_ASSIGN_OR_RETURN(LoadedTrace loaded, LoadTrace(path, format, o));
    out.push_back({fmt::format("{} 60s/4", TraceFormatName(format)), std::move(loaded.requests)});
  }
  return out;
}

Result<int> RunBenchFidelity(const FidelityFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(const RunConfig run, ResolveRunConfig(f.run));
  RWTTT_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, MakeRunBackend(f.run, run.model));
  FidelityOptions o;
  o.model = run.model;
  o.seed = run.seed;
  o.runs = f.runs;
  if (f.hardware.empty()) {
    RWTTT_ASSIGN_OR_RETURN(
        const Calibration calibration,
        Calibrate(*backend, DefaultCalibration(run.model, backend->name(), run.seed, f.repeats)));
    o.calibrated = calibration.profile;
    std::printf(
        "calibrated first (rwttt calibrate --backend %s --model %s --repeats %u): RMS "
        "error %.1f%%\n\n",
        std::string(backend->name()).c_str(), run.model.name.c_str(), f.repeats,
        100 * calibration.rms_relative_error);
  } else {
    RWTTT_ASSIGN_OR_RETURN(o.calibrated, LoadHardwareProfile(f.hardware));
  }
  o.workloads = GeneratedWorkloads(run.seed);
  RWTTT_ASSIGN_OR_RETURN(std::vector<FidelityWorkload> public_traces, PublicWorkloads(f.traces));
  for (FidelityWorkload& w : public_traces) o.workloads.push_back(std::move(w));
  RWTTT_ASSIGN_OR_RETURN(const FidelityReport report, RunFidelity(*backend, o));
  std::fputs(FidelityTable(report).c_str(), stdout);
  std::printf(
      "measured: the median of %u runs of each; left out: replicas (the backend runs one batch "
      "at a time, so its copies cannot run at once)\n",
      f.runs);
  return kExitOk;
}

// --prompt and --output: each stream's request.
void AddStreamLengths(CLI::App* app, std::uint32_t& prompt, std::uint32_t& output) {
  AddWhole(app, "--prompt", prompt, "Prompt tokens of each stream",
           {.min = 1, .max = kMaxRequestTokens})
      ->capture_default_str();
  AddWhole(app, "--output", output, "Output tokens of each stream",
           {.min = 1, .max = kMaxRequestTokens})
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
  AddRunFlags(paper, p.run,
              {.budget = "Memory budget in GiB (default: 33.53 for 8 streams of inplace-ttt-4b, "
                         "scaled to the model's weights + states otherwise, plus each stream's "
                         "KV cache)",
               .backend = "Where the kernels run with --timing measured",
               .threads = true,
               .timing = "Batch durations: the cost model, or the real kernels' wall time"});
  AddStreamLengths(paper, p.prompt, p.output);
  AddWhole(paper, "--streams", p.streams, "Concurrent streams (owners)",
           {.min = 1, .max = kMaxStreams})
      ->capture_default_str();
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
  AddRunFlags(sweep, s.run, {.budget = "Memory budget in GiB (default: the hardware's)"});
  AddStreamLengths(sweep, s.prompt, s.output);
  AddWhole(sweep, "--streams", s.streams, "Stream counts, comma-separated",
           {.min = 1, .max = kMaxStreams})
      ->delimiter(',')
      ->capture_default_str();
  AddWhole(sweep, "--chunks", s.chunks, "Chunk sizes C, comma-separated",
           {.min = 1, .max = kMaxRequestTokens})
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("-o,--out", s.out, "CSV output file ('-' for stdout)")->capture_default_str();

  auto fidelity_flags = std::make_shared<FidelityFlags>();
  CLI::App* fidelity = bench->add_subcommand(
      "fidelity", "The cost model against the real kernels: error per metric, and its MAPE");
  FidelityFlags& fl = *fidelity_flags;
  AddRunFlags(fidelity, fl.run,
              {.hardware = false,
               .budget = nullptr,
               .backend = "The backend whose kernels are measured",
               .threads = true});
  fidelity->add_option("--hardware", fl.hardware,
                       "A calibrated profile (rwttt calibrate); default: calibrate first");
  AddWhole(fidelity, "--repeats", fl.repeats, "Calibrating first: timed runs of each shape",
           {.min = 1, .max = 1000})
      ->capture_default_str();
  AddWhole(fidelity, "--runs", fl.runs, "Measured replays of each workload and policy (medians)",
           {.min = 1, .max = 100})
      ->capture_default_str();
  fidelity->add_option("--traces", fl.traces, "Folder of the public traces (skipped when absent)")
      ->capture_default_str();

  auto cow_flags = std::make_shared<CowFlags>();
  AddBenchCow(bench, *cow_flags);

  return {bench, [paper, paper_flags, sweep, sweep_flags, fidelity, fidelity_flags, cow_flags] {
            if (paper->parsed()) return RunBenchPaper(*paper_flags);
            if (sweep->parsed()) return RunBenchSweep(*sweep_flags);
            if (fidelity->parsed()) return RunBenchFidelity(*fidelity_flags);
            return RunBenchCow(*cow_flags);
          }};
}

}  // namespace rwttt::cli
