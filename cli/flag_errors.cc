#include "cli/flag_errors.h"

#include <string>

#include "sim/faults/fault_injector.h"
#include "sim/policy.h"

namespace rwttt::cli {

Error NameFlag(Error error, std::span<const FieldFlag> flags) {
  if (!error.where.file.empty() || error.where.line != 0) return error;
  for (const FieldFlag& f : flags) {
    if (error.where.field != f.field) continue;
    error.message = std::string(f.flag) + " " + error.message;
    error.where.field.clear();
    break;
  }
  return error;
}

std::span<const FieldFlag> LibraryFieldFlags() {
  static constexpr FieldFlag kFlags[] = {
      {"streams", "--streams"},    // harness: the paper experiment and sweeps
      {"chunks", "--chunks"},      // harness: sweeps
      {"budget_gib", "--budget"},  // harness: the paper experiment and sweeps
      {"prompt_tokens and output_tokens", "--prompt and --output"},
      {"shard", "--shard"},                   // harness: fuzz shards
      {kPolicyOptionsField, "--policy-opt"},  // sim: a policy's option values
      {kFaultPlanField, "--inject"},          // sim: the fault plan
  };
  return kFlags;
}

}  // namespace rwttt::cli
