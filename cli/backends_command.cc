// `rwttt backends`: which kernel backends this build has and whether each can run here, and
// `--check NAME` to try one as `--backend NAME` would (exit 2 with the reason when it cannot).
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "core/model_profile.h"
#include "gpu/backend_registry.h"

namespace rwttt::cli {
namespace {

struct BackendsFlags {
  std::string check;
  int threads = 0;
  std::string model;
  std::uint32_t slots = 1;
};

Result<int> RunBackends(const BackendsFlags& f) {
  if (!f.check.empty()) {
    // With --model, the backend is chosen for that model, as replay chooses it (auto and omp
    // decide by its size).
    std::optional<ModelProfile> model;
    if (!f.model.empty()) {
      RWTTT_ASSIGN_OR_RETURN(ModelProfile loaded, LoadModelProfile(f.model));
      model = std::move(loaded);
    }
    RWTTT_ASSIGN_OR_RETURN(
        gpu::BackendChoice choice,
        gpu::MakeBackend(f.check, {.threads = f.threads, .model = model ? &*model : nullptr}));
    std::fprintf(stderr, "rwttt: %s\n", choice.note.c_str());
    if (model) {
      RWTTT_TRY(choice.backend->Reset(*model, f.slots, Seed{0}));
      std::puts(fmt::format("{}: ok, {} slots of model {} allocated", choice.backend->name(),
                            f.slots, model->name)
                    .c_str());
      return kExitOk;
    }
    std::puts(fmt::format("{}: ok", choice.backend->name()).c_str());
    return kExitOk;
  }
  std::puts(fmt::format("{:<8} {:<10} {}", "backend", "available", "detail").c_str());
  for (const gpu::BackendInfo& b : gpu::ListBackends()) {
    std::puts(fmt::format("{:<8} {:<10} {}", b.name, b.available ? "yes" : "no", b.detail).c_str());
  }
  RWTTT_ASSIGN_OR_RETURN(gpu::BackendChoice choice, gpu::MakeBackend("auto"));
  std::puts(fmt::format("{:<8} {:<10} {}", "auto", "yes", choice.note).c_str());
  return kExitOk;
}

}  // namespace

Command AddBackendsCommand(CLI::App& app) {
  auto flags = std::make_shared<BackendsFlags>();
  CLI::App* cmd = app.add_subcommand("backends", "List the kernel backends (cpu, omp, cuda)");
  auto* check = cmd->add_option("--check", flags->check,
                                "Make this backend (cpu, omp, cuda, auto) as --backend would; exit "
                                "2 if it cannot run here");
  AddWhole(cmd, "--threads", flags->threads, "omp: OpenMP threads",
           {.min = 0, .max = MaxThreads(), .zero = "OMP_NUM_THREADS or one per core"})
      ->capture_default_str();
  auto* model = cmd->add_option("--model", flags->model,
                                "With --check: also allocate --slots states of this model (preset "
                                "or file)");
  model->needs(check);  // without --check nothing would use it: say so rather than ignore it
  AddWhole(cmd, "--slots", flags->slots, "With --model: number of state slots",
           {.min = 1, .max = 1u << 20})
      ->capture_default_str()
      ->needs(model);
  return {cmd, [flags] { return RunBackends(*flags); }};
}

}  // namespace rwttt::cli
