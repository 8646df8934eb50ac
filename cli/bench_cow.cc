#include "cli/bench_cow.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "cli/public_traces.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/units.h"
#include "harness/cow_experiment.h"
#include "harness/paper_experiment.h"
#include "traces/trace_loader.h"

namespace rwttt::cli {
namespace {

// The paper's workload (8 streams, prompt 128, output 1024) at its budget on `hardware`, and the
// first `window_s` seconds of each public trace present in `dir` on h100-sxm with its whole
// memory, each at `model`'s shapes with C = `chunk`. An absent trace is said on stderr.
Result<std::vector<CowWorkload>> CowWorkloads(const CowFlags& f, const ModelProfile& model) {
  std::vector<CowWorkload> out;
  for (const char* name : {"h100-sxm", "paper-h100"}) {
    PaperSetup setup;
    setup.model = model;
    RWTTT_ASSIGN_OR_RETURN(setup.hardware, LoadHardwareProfile(name));
    const auto budget = static_cast<std::uint64_t>(SetupBudgetGib(setup) * kBytesPerGib);
    out.push_back({"paper (8 streams)", setup.hardware, model,
                   PaperWorkload(kPaperStreams, setup.prompt_tokens, setup.output_tokens), budget});
  }
  RWTTT_ASSIGN_OR_RETURN(const HardwareProfile h100, LoadHardwareProfile("h100-sxm"));
  for (const auto& [path, format] : PresentPublicTraces(f.traces, "bench cow")) {
    TraceLoadOptions o;
    o.shaping.window = TimeWindow{Nanos{0}, Nanos{static_cast<std::int64_t>(f.window_s * 1e9)}};
    RWTTT_ASSIGN_OR_RETURN(LoadedTrace loaded, LoadTrace(path, format, o));
    out.push_back({fmt::format("{} {} s", TraceFormatName(format), f.window_s), h100, model,
                   std::move(loaded.requests), h100.memory_bytes()});
  }
  return out;
}

}  // namespace

CLI::App* AddBenchCow(CLI::App* bench, CowFlags& f) {
  CLI::App* cow = bench->add_subcommand(
      "cow",
      "Copy-on-write version 0 and the host tier against rwttt: the paper's workload and the "
      "public traces, every run checked");
  cow->add_option("--model", f.model, "Model profile: a preset or a JSON file")
      ->capture_default_str();
  AddWhole(cow, "--chunks", f.chunks, "Chunk sizes C, comma-separated",
           {.min = 1, .max = 1'000'000'000})
      ->delimiter(',')
      ->capture_default_str();
  cow->add_option("--traces", f.traces, "Folder of the public traces (skipped when absent)")
      ->capture_default_str();
  AddReal(cow, "--window", f.window_s, "Seconds of each public trace, from its start",
          {.min = 0, .min_open = true, .max = 1e6})
      ->capture_default_str();
  AddWhole(cow, "--offload-after", f.offload_after,
           "The host-tier policy's offload_after (steps in a slot before it may be offloaded)",
           {.min = 1, .max = 1'000'000'000})
      ->capture_default_str();
  return cow;
}

Result<int> RunBenchCow(const CowFlags& f) {
  RWTTT_ASSIGN_OR_RETURN(ModelProfile model, LoadModelProfile(f.model));
  std::vector<CowRow> rows;
  for (const std::uint32_t chunk : f.chunks) {
    model.chunk = chunk;
    RWTTT_ASSIGN_OR_RETURN(const std::vector<CowWorkload> workloads, CowWorkloads(f, model));
    for (const CowWorkload& w : workloads) {
      RWTTT_ASSIGN_OR_RETURN(CowRow row, RunCowWorkload(w, CowPolicies(f.offload_after)));
      rows.push_back(std::move(row));
    }
  }
  std::fputs(RenderCowTable(rows).c_str(), stdout);
  return kExitOk;
}

}  // namespace rwttt::cli
