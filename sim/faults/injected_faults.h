// The FaultHooks of each `--inject` kind (sim/fault_hooks.h, sim/faults/fault_injector.h). Each
// kind is a real execution error, done through the seam and the two decorators (FaultyBackend,
// FaultyHistory), not through branches in the simulator or the executor.
//
//   std::unique_ptr<FaultHooks> hooks = MakeFaultHooks(config.faults, config.seed, trace, model);
#pragma once

#include <memory>
#include <span>

#include "core/model_profile.h"
#include "core/request.h"
#include "core/strong_types.h"
#include "sim/fault_hooks.h"
#include "sim/faults/fault_injector.h"

namespace rwttt {

// The hooks that inject `plan` into a run of `trace` (the base FaultHooks, which change nothing,
// for FaultKind::kNone). Faults strike where Philox draws keyed by `seed` say (FaultInjector).
// `trace` and `model` outlive the hooks.
std::unique_ptr<FaultHooks> MakeFaultHooks(const FaultPlan& plan, Seed seed,
                                           std::span<const Request> trace,
                                           const ModelProfile& model);

}  // namespace rwttt
