#include "cli/run_flags.h"

#include <cstdio>

#include "cli/numeric_flags.h"
#include "gpu/backend_registry.h"

namespace rwttt::cli {

std::string_view TimingName(Timing timing) {
  return timing == Timing::kMeasured ? "measured" : "model";
}

void AddRunFlags(CLI::App* app, RunFlags& f, const RunFlagSet& which) {
  app->add_option("--model", f.model, "Model profile: a preset or a JSON file")
      ->capture_default_str();
  if (which.hardware) {
    app->add_option("--hardware", f.hardware, "Hardware profile: a preset or a JSON file")
        ->capture_default_str();
  }
  if (which.budget != nullptr) {
    auto* budget = AddReal(app, "--budget", f.budget_gib, which.budget, kBudgetGibRange);
    if (which.budget_bytes) {
      AddWhole(app, "--budget-bytes", f.budget_bytes, "Memory budget in bytes, exactly",
               kBudgetBytesRange)
          ->excludes(budget);
    }
  }
  AddWhole(app, "--seed", f.seed, which.seed, kSeedRange)->capture_default_str();
  if (which.backend != nullptr) {
    app->add_option("--backend", f.backend, which.backend)
        ->check(CLI::IsMember(gpu::BackendNames()))
        ->capture_default_str();
  }
  if (which.threads) {
    AddWhole(app, "--threads", f.threads, "omp backend threads",
             {.min = 0, .max = MaxThreads(), .zero = "one per core"});
  }
  if (which.timing != nullptr) {
    app->add_option("--timing", f.timing, which.timing)
        ->check(CLI::IsMember(
            {std::string(TimingName(Timing::kModel)), std::string(TimingName(Timing::kMeasured))}))
        ->capture_default_str();
  }
}

Result<RunConfig> ResolveRunConfig(const RunFlags& f) {
  RunConfig run;
  RWTTT_ASSIGN_OR_RETURN(run.model, LoadModelProfile(f.model));
  RWTTT_ASSIGN_OR_RETURN(run.hardware, LoadHardwareProfile(f.hardware));
  run.seed = Seed{f.seed};
  // AddRunFlags admits only the two spellings.
  run.timing = f.timing == TimingName(Timing::kMeasured) ? Timing::kMeasured : Timing::kModel;
  return run;
}

Result<std::uint64_t> RunBudget(const RunFlags& f, const HardwareProfile& hardware) {
  return ResolveBudget(f.budget_gib, f.budget_bytes, hardware);
}

Result<std::unique_ptr<Backend>> MakeRunBackend(const RunFlags& f, const ModelProfile& model) {
  RWTTT_ASSIGN_OR_RETURN(gpu::BackendChoice choice,
                         gpu::MakeBackend(f.backend, {.threads = f.threads, .model = &model}));
  std::fprintf(stderr, "rwttt: %s\n", choice.note.c_str());
  return std::move(choice.backend);
}

}  // namespace rwttt::cli
