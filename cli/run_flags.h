// The flags of every command that runs the simulator, registered once here with one validation
// each: --model, --hardware, --budget (and --budget-bytes), --seed, --backend, --threads and
// --timing. A command chooses which it takes (RunFlagSet) and their defaults (by setting RunFlags
// before registering); ResolveRunConfig turns the parsed text into checked values, as
// trace_input_options.h does for the trace flags.
//
//   auto flags = std::make_shared<RunFlags>();  flags->model = "tiny";
//   AddRunFlags(sub, *flags, {.budget_bytes = true});
//   RWTTT_ASSIGN_OR_RETURN(RunConfig run, ResolveRunConfig(*flags));
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/strong_types.h"

namespace rwttt::cli {

// How batch durations are found (--timing): the cost model, or the kernels' wall time.
enum class Timing { kModel, kMeasured };

// "model" or "measured": the --timing spelling.
std::string_view TimingName(Timing timing);

// The values the flags are parsed into: text as given. Must outlive the parse (hold it in a
// shared_ptr). The initial values are the defaults --help shows.
struct RunFlags {
  std::string model = "inplace-ttt-4b";  // a preset name or a JSON file
  std::string hardware = "h100-sxm";     // the same
  double budget_gib = 0;                 // 0: not given
  std::uint64_t budget_bytes = 0;        // 0: not given
  std::uint64_t seed = 0;
  std::string backend = "auto";  // one of gpu::BackendNames()
  int threads = 0;               // omp threads; 0: one per core
  std::string timing = "model";  // "model" or "measured"
};

// Which flags a command takes, and the help of those whose meaning is the command's own. --model
// is always registered.
struct RunFlagSet {
  bool hardware = true;
  // --budget GiB, with this help (it says what the default is); nullptr: not registered.
  const char* budget = "Memory budget in GiB (default: the hardware's memory)";
  bool budget_bytes = false;  // --budget-bytes, exclusive with --budget
  const char* seed = "Seed of every random choice and input";
  // --backend, with this help (it says when the math runs); nullptr: not registered.
  const char* backend = nullptr;
  bool threads = false;  // --threads, for the omp backend
  // --timing, with this help; nullptr: not registered.
  const char* timing = nullptr;
};

// Registers the flags of `which` on `app`, bound to `flags`; numeric ranges as numeric_flags.h
// (--budget kBudgetGibRange, --budget-bytes kBudgetBytesRange, --seed kSeedRange), --backend one
// of gpu::BackendNames(), --timing model or measured.
void AddRunFlags(CLI::App* app, RunFlags& flags, const RunFlagSet& which);

// The run flags, loaded and checked.
struct RunConfig {
  ModelProfile model;
  HardwareProfile hardware;
  Seed seed{0};
  Timing timing = Timing::kModel;
};

// Loads --model, then --hardware (errors name the preset or file), and converts --seed and
// --timing.
Result<RunConfig> ResolveRunConfig(const RunFlags& flags);

// The memory budget in bytes: --budget-bytes, else --budget, else all of `hardware`'s memory
// (ResolveBudget: a budget above the hardware's memory is a Usage error naming the flag).
Result<std::uint64_t> RunBudget(const RunFlags& flags, const HardwareProfile& hardware);

// Makes the --backend (with --threads) that will run `model`'s math, and prints its note
// ("rwttt: backend: ...") on stderr. Errors: the backend cannot run here.
Result<std::unique_ptr<Backend>> MakeRunBackend(const RunFlags& flags, const ModelProfile& model);

}  // namespace rwttt::cli
