#include "sim/checked_run.h"

#include "checker/history_checker.h"
#include "core/check.h"
#include "sim/history_sinks.h"
#include "sim/policy_registry.h"

namespace rwttt {

Result<CheckedRun> RunAndCheck(const std::vector<Request>& trace, const std::string& policy,
                               const PolicyOptions& options, SimConfig config,
                               const std::string& trace_name, const std::string& model_spec,
                               std::uint64_t max_per_type) {
  RWTTT_CHECK(config.backend != nullptr) << "a checked run needs the math";
  RWTTT_ASSIGN_OR_RETURN(auto p, MakePolicy(policy, options));
  HistoryHeader header;
  header.policy = policy;
  header.backend = std::string(config.backend->name());
  header.seed = config.seed.value();
  header.trace = trace_name;
  header.model = model_spec;
  header.hardware = config.hardware.name;
  header.chunk = config.model.chunk;
  CheckOptions check;
  check.max_per_type = max_per_type;
  check.inputs.trace = trace;
  check.inputs.trace_note = trace_name;
  check.inputs.model = config.model;
  HistoryChecker checker(header, std::move(check));
  HistoryCheckerSink sink(checker);
  config.history = &sink;
  config.policy_options = options;
  RWTTT_ASSIGN_OR_RETURN(RunResult run, Simulate(trace, *p, config));
  return CheckedRun{std::move(run), checker.Finish()};
}

}  // namespace rwttt
