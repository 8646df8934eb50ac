#include "harness/paper_experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/check.h"
#include "core/step_cost.h"
#include "core/units.h"
#include "harness/decode_meter.h"
#include "sim/policy_registry.h"

namespace rwttt {
namespace {

// Weights plus `streams` owners' states: what the paper's budget was sized for.
double FootprintBytes(const ModelProfile& m, std::uint32_t streams) {
  return static_cast<double>(m.shared_weight_bytes()) +
         static_cast<double>(streams) * static_cast<double>(m.state_bytes());
}

// A bad setup field: `field` names it, `message` says what it must be.
Error SetupError(const char* field, const char* message) {
  return Error{ErrorCode::kUsage, message, SourceLoc{"", 0, field}};
}

}  // namespace

std::vector<PolicySpec> PaperPolicies() {
  PolicySpec sequential{"sequential", {}};
  sequential.options.Set("slice", "1");
  return {{"rwttt", {}}, std::move(sequential), {"replicas", {}}};
}

PaperFigure PaperFigureFor(std::string_view policy) {
  constexpr double kRw = kPaperRwtttTokensPerS;
  if (policy == "rwttt") return {kRw, kPaperRwtttVsSequential, kPaperRwtttVsReplicas};
  if (policy == "sequential") {
    return {kRw / kPaperRwtttVsSequential, 1.0, kPaperRwtttVsReplicas / kPaperRwtttVsSequential};
  }
  if (policy == "replicas") {
    return {kRw / kPaperRwtttVsReplicas, kPaperRwtttVsSequential / kPaperRwtttVsReplicas, 1.0};
  }
  return {};
}

bool PaperSetupRan(const PaperSetup& setup) {
  const Result<ModelProfile> paper = LoadModelProfile("inplace-ttt-4b");
  return setup.streams == kPaperStreams && paper.ok() &&
         ModelProfileToJson(*paper) == ModelProfileToJson(setup.model);
}

double PaperBudgetGib(const ModelProfile& model, std::uint32_t streams) {
  Result<ModelProfile> paper = LoadModelProfile("inplace-ttt-4b");
  RWTTT_CHECK(paper.ok()) << "the inplace-ttt-4b preset must parse";
  const double reference = FootprintBytes(*paper, kPaperStreams);
  // At least two states: sequential keeps a swap buffer beside its one owner's state, so a budget
  // sized for one stream alone could not run the paper's own baseline.
  const double footprint = FootprintBytes(model, std::max<std::uint32_t>(streams, 2));
  if (footprint == reference) return kPaperBudgetGib;  // exactly the paper's figure
  return kPaperBudgetGib * footprint / reference;
}

std::string BudgetName(double given_gib, double budget_gib) {
  return given_gib > 0 ? fmt::format("`budget_gib` {} GiB", budget_gib)
                       : fmt::format("{} GiB", budget_gib);
}

double SetupBudgetGib(const PaperSetup& setup) {
  if (setup.budget_gib > 0) return setup.budget_gib;
  const double kv = static_cast<double>(setup.model.kv_bytes(std::uint64_t{setup.prompt_tokens} +
                                                             setup.output_tokens)) *
                    setup.streams / kBytesPerGib;
  return PaperBudgetGib(setup.model, setup.streams) + kv;
}

std::vector<Request> PaperWorkload(std::uint32_t streams, std::uint32_t prompt_tokens,
                                   std::uint32_t output_tokens) {
  std::vector<Request> trace;
  trace.reserve(streams);
  for (std::uint32_t i = 0; i < streams; ++i) {
    trace.push_back(Request{.id = OwnerId{i},
                            .arrival = Nanos{0},
                            .prompt_tokens = prompt_tokens,
                            .output_tokens = output_tokens,
                            .seed = std::nullopt});
  }
  return trace;
}

Result<PolicyRun> RunPolicy(std::span<const Request> trace, const PolicySpec& choice,
                            const PaperSetup& setup, std::uint64_t budget_bytes) {
  SimConfig config;
  config.model = setup.model;
  config.hardware = setup.hardware;
  config.budget_bytes = budget_bytes;
  config.seed = setup.seed;
  config.backend = setup.backend;
  config.measured_timing = setup.measured_timing;
  config.policy_options = choice.options;
  RWTTT_ASSIGN_OR_RETURN(auto policy, MakePolicy(choice.name, config.policy_options));
  DecodeMeter meter(trace);
  config.observer = &meter;
  PolicyRun out;
  out.policy = choice;
  RWTTT_ASSIGN_OR_RETURN(out.run, Simulate(trace, *policy, config));
  out.decode_tokens_per_s = meter.tokens_per_s();
  out.decode_tokens = meter.decode_tokens();
  out.decode_ns = meter.decode_ns();
  return out;
}

Roofline PaperRoofline(const ModelProfile& model, const HardwareProfile& hardware,
                       std::uint32_t streams) {
  Roofline r;
  r.bytes_per_step = FootprintBytes(model, streams);
  r.step_ns = r.bytes_per_step / hardware.bandwidth_bytes_per_ns();
  r.tokens_per_s = r.step_ns > 0 ? streams / (r.step_ns * 1e-9) : 0.0;
  return r;
}

const PolicyRun& PaperTable::row(std::string_view policy) const {
  for (const PolicyRun& r : rows) {
    if (r.policy.name == policy) return r;
  }
  RWTTT_CHECK(false) << "no row for policy " << policy;
  return rows.front();
}

Result<PaperTable> RunPaperExperiment(const PaperSetup& setup) {
  if (setup.streams == 0) return SetupError("streams", "must be at least 1");
  if (setup.streams > 4096) return SetupError("streams", "must be at most 4096");
  if (setup.prompt_tokens == 0 || setup.output_tokens == 0) {
    return SetupError("prompt_tokens and output_tokens", "must be at least 1 token");
  }
  if (setup.budget_gib < 0 || !std::isfinite(setup.budget_gib)) {
    return SetupError("budget_gib", "must be a positive number of GiB");
  }
  PaperTable table;
  table.setup = setup;
  table.setup.backend = nullptr;
  if (setup.backend != nullptr) table.backend = std::string(setup.backend->name());
  table.budget_gib = SetupBudgetGib(setup);
  table.budget_bytes = GibToBytes(table.budget_gib);
  RWTTT_TRY(CheckOneOwnerFits(setup.model, table.budget_bytes,
                              BudgetName(setup.budget_gib, table.budget_gib)));
  const std::vector<Request> trace =
      PaperWorkload(setup.streams, setup.prompt_tokens, setup.output_tokens);
  std::vector<PolicySpec> policies = PaperPolicies();
  policies.insert(policies.end(), setup.extra_policies.begin(), setup.extra_policies.end());
  for (const PolicySpec& choice : policies) {
    RWTTT_ASSIGN_OR_RETURN(PolicyRun run, RunPolicy(trace, choice, setup, table.budget_bytes));
    table.rows.push_back(std::move(run));
  }
  table.roofline = PaperRoofline(setup.model, setup.hardware, setup.streams);
  return table;
}

}  // namespace rwttt
