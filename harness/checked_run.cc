#include "harness/checked_run.h"

#include <optional>
#include <utility>

#include "core/check.h"
#include "harness/run_sinks.h"
#include "sim/policy_registry.h"

namespace rwttt {

Result<std::optional<std::uint64_t>> HistoryBaseSlot(const PolicySpec& policy,
                                                     const SimConfig& config) {
  RWTTT_ASSIGN_OR_RETURN(auto p, MakePolicy(policy.name, policy.options));
  RWTTT_ASSIGN_OR_RETURN(const DeviceLayout layout,
                         p->Configure(PolicyContext{config.model, config.hardware,
                                                    config.budget_bytes, policy.options}));
  if (layout.slot_mode != SlotMode::kCopyOnWrite) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>(kBaseSlot);
}

Result<CheckedRun> RunAndCheck(const std::vector<Request>& trace, const PolicySpec& policy,
                               SimConfig config, const std::string& trace_name,
                               const std::string& model_spec, std::uint64_t max_per_type) {
  RWTTT_CHECK(config.backend != nullptr) << "a checked run needs the math";
  RWTTT_ASSIGN_OR_RETURN(auto p, MakePolicy(policy.name, policy.options));
  HistoryHeader header;
  header.policy = policy.name;
  header.backend = std::string(config.backend->name());
  header.seed = config.seed.value();
  header.trace = trace_name;
  header.model = model_spec;
  header.hardware = config.hardware.name;
  header.chunk = config.model.chunk;
  RWTTT_ASSIGN_OR_RETURN(header.base_slot, HistoryBaseSlot(policy, config));
  RunSinks sinks;
  sinks.Check(header, InMemoryCheck(trace, trace_name, config.model, max_per_type));
  config.history = sinks.sink();
  config.policy_options = policy.options;
  RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *p, config));
  RWTTT_ASSIGN_OR_RETURN(std::optional<CheckReport> report, sinks.Finish());
  return CheckedRun{std::move(run), std::move(*report)};
}

}  // namespace rwttt
