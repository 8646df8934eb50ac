// The RW-TTT paper's experiment (arXiv 2605.28053) in the simulator: N streams of a TTT model
// arrive together with a short prompt; sequential, replicas and rwttt each serve them under one
// memory budget; decode-only throughput is compared with the paper's figures and with the
// memory-bandwidth roofline. Every run is an ordinary Simulate() of an ordinary trace, so
// `rwttt replay` of PaperWorkload() reproduces any row (docs/paper-reproduction.md).
//
//   PaperSetup s;  s.model = m;  s.hardware = hw;  // 8 streams, the paper's budget
//   RWTTT_ASSIGN_OR_RETURN(PaperTable t, RunPaperExperiment(s));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "core/strong_types.h"
#include "core/units.h"
#include "harness/policy_spec.h"
#include "sim/simulator.h"

namespace rwttt {

// The paper's headline (DESIGN §1): one H100-class GPU, eight In-Place-TTT streams of a 4B model.
inline constexpr double kPaperRwtttTokensPerS = 274.61;
inline constexpr double kPaperRwtttVsSequential = 9.31;
inline constexpr double kPaperRwtttVsReplicas = 3.44;
inline constexpr double kPaperBudgetGib = 33.53;
inline constexpr std::uint32_t kPaperStreams = 8;

// The paper's three systems, in table order: rwttt; sequential, switching owner (and swapping
// fast weights) after every step so that all streams progress (slice=1); replicas, as many copies
// as the budget holds.
std::vector<PolicySpec> PaperPolicies();

// The paper's figure for `policy` (tok/s, ratio to sequential, ratio to replicas); 0 for others.
struct PaperFigure {
  double tokens_per_s = 0;
  double vs_sequential = 0;
  double vs_replicas = 0;
};
PaperFigure PaperFigureFor(std::string_view policy);

struct PaperSetup;
// Whether `setup` is the paper's: kPaperStreams streams of the inplace-ttt-4b preset, unchanged.
// Only then are its rows compared with the paper's figures (other hardware, lengths or budgets
// are still the paper's workload, and the table says which ran).
bool PaperSetupRan(const PaperSetup& setup);

struct PaperSetup {
  ModelProfile model;
  HardwareProfile hardware;
  std::uint32_t streams = kPaperStreams;
  std::uint32_t prompt_tokens = 128;   // short: the paper's figure excludes prefill
  std::uint32_t output_tokens = 1024;  // two chunks of the 4B preset (C = 512): WRITEs included
  double budget_gib = 0;               // 0: SetupBudgetGib's default
  Seed seed{0};
  Backend* backend = nullptr;  // runs the kernels when measured_timing
  bool measured_timing = false;
  // More rows after the paper's three: a user's schedulers (`--policy` with `--policy-plugin`),
  // under the same workload and budget. They have no paper figure.
  std::vector<PolicySpec> extra_policies;
};

// The budget the paper's headroom gives `streams` owners of `model`: 33.53 GiB for eight of
// inplace-ttt-4b (weights 5.82 GiB + 8 x 3.34 GiB = 32.52 GiB), and the same ratio of budget to
// (shared weights + streams x state) for any other model or stream count.
double PaperBudgetGib(const ModelProfile& model, std::uint32_t streams);

// The budget `setup` runs under, in GiB: its budget_gib, or, when that is 0, PaperBudgetGib()
// plus each stream's KV cache for prompt + output (the paper's 33.53 GiB is its weights and fast
// weights with about 1 GiB to spare, less than eight streams' 1.27 GiB of KV: the KV comes on top).
double SetupBudgetGib(const PaperSetup& setup);

// How an error says a budget of `budget_gib` GiB: "`budget_gib` 4 GiB" when the caller gave it
// (`given_gib` > 0; the CLI says "--budget 4 GiB"), "33.53 GiB" when it is a default.
std::string BudgetName(double given_gib, double budget_gib);

// `streams` requests, ids 0.., all arriving at 0 ns with the given lengths.
std::vector<Request> PaperWorkload(std::uint32_t streams, std::uint32_t prompt_tokens,
                                   std::uint32_t output_tokens);

// One policy's run: the simulator's metrics and the decode-only throughput (decode_meter.h).
struct PolicyRun {
  PolicySpec policy;
  RunResult run;
  double decode_tokens_per_s = 0;
  std::uint64_t decode_tokens = 0;
  std::int64_t decode_ns = 0;
};

// Runs `trace` through `policy` under the setup's model, hardware, budget, seed and timing.
// Errors: those of MakePolicy and Simulate (an impossible budget names the policy and sizes).
Result<PolicyRun> RunPolicy(std::span<const Request> trace, const PolicySpec& policy,
                            const PaperSetup& setup, std::uint64_t budget_bytes);

// What memory bandwidth alone allows when `streams` owners decode together: each step reads the
// shared weights once and each owner's state once, and yields one token per owner.
struct Roofline {
  double bytes_per_step = 0;
  double step_ns = 0;
  double tokens_per_s = 0;
};
Roofline PaperRoofline(const ModelProfile& model, const HardwareProfile& hardware,
                       std::uint32_t streams);

struct PaperTable {
  PaperSetup setup;              // backend cleared
  std::string backend = "none";  // the backend that ran the kernels, if any
  double budget_gib = 0;         // the budget actually used
  std::uint64_t budget_bytes = 0;
  std::vector<PolicyRun> rows;  // in PaperPolicies() order
  Roofline roofline;

  // The row of `policy`. REQUIRES: it ran.
  const PolicyRun& row(std::string_view policy) const;
};

// Validates the setup (streams in [1, 4096], lengths >= 1, a budget that holds the weights and one
// owner's state) and runs the three policies on PaperWorkload(). Errors are Usage/Input values;
// one about a bad setup field names it in Error::where.field ("streams", "budget_gib",
// "prompt_tokens and output_tokens"), its message starting after the name.
Result<PaperTable> RunPaperExperiment(const PaperSetup& setup);

}  // namespace rwttt
