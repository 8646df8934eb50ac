// The discrete-event simulator (DESIGN §5): a virtual clock in integer nanoseconds, arrivals from
// a trace, each owner's program, a policy forming batches whenever a lane of the device is free,
// and completions after the cost model's time. Deterministic: the same trace, seed, policy and
// profiles give the same batches, history and metrics, whatever the backend or thread count.
//
//   SimConfig config;  config.model = m;  config.hardware = hw;  config.seed = Seed{7};
//   config.budget_bytes = hw.memory_bytes();
//   RWTTT_ASSIGN_OR_RETURN(RunResult r, Simulate(trace, *policy, config));
//   std::puts(FormatMetrics(r.metrics).c_str());
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/request.h"
#include "core/result.h"
#include "sim/batch_record.h"
#include "sim/executor.h"
#include "sim/faults/fault_injector.h"
#include "sim/metrics.h"
#include "sim/policy.h"

namespace rwttt {

// How far a run has got, for a progress line.
struct Progress {
  Nanos now{0};
  std::uint64_t finished = 0;
  std::uint64_t requests = 0;
  std::uint64_t steps = 0;
};

struct SimConfig {
  ModelProfile model;
  HardwareProfile hardware;
  std::uint64_t budget_bytes = 0;
  Seed seed{0};
  PolicyOptions policy_options;       // --policy-opt pairs, handed to Policy::Configure
  Backend* backend = nullptr;         // runs the math when set (history digests, --check)
  HistorySink* history = nullptr;     // receives every step in start order when set
  BatchObserver* observer = nullptr;  // receives every batch (the timeline) when set
  bool measured_timing = false;       // batch time = wall time of the math (needs a backend)
  FaultPlan faults;                   // --inject: none by default
  // Called every `progress_every` steps when set.
  std::function<void(const Progress&)> progress;
  std::uint64_t progress_every = 1 << 20;
};

struct RunResult {
  Metrics metrics;
  DeviceLayout layout;
  std::uint64_t events = 0;  // arrivals and batch completions processed
  std::uint32_t slots = 0;   // state slots the run used at most
  std::uint64_t faults_injected = 0;
};

// Runs `trace` (sorted by arrival, distinct ids) through `policy`. Errors: an impossible memory
// budget (from the policy's Configure), a policy that breaks the rules of a batch (an owner twice,
// an owner with no ready step) or stalls with ready steps and an idle device, a backend failure.
Result<RunResult> Simulate(std::span<const Request> trace, Policy& policy, const SimConfig& config);

}  // namespace rwttt
