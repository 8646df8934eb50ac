#include "cli/flag_errors.h"

#include <string>

#include "sim/faults/fault_injector.h"
#include "sim/policy.h"

namespace rwttt::cli {

Error NameFlag(Error error, std::span<const FieldFlag> flags) {
  for (const FieldFlag& f : flags) {
    // Fields a message names inline, quoted: "`rate_per_s` needs two requests" -> "--rate needs".
    const std::string quoted = "`" + std::string(f.field) + "`";
    for (std::size_t at = error.message.find(quoted); at != std::string::npos;
         at = error.message.find(quoted, at + f.flag.size())) {
      error.message.replace(at, quoted.size(), f.flag);
    }
  }
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
      // traces: GeneratorOptions, ShapingOptions, TraceLoadOptions (named inline, quoted)
      {"count", "--count"},
      {"duration_s", "--duration"},
      {"rate_per_s", "--rate"},
      {"cv", "--cv"},
      {"sample_fraction", "--sample"},
      {"time_scale", "--time-scale"},
      {"window", "--window"},
      {"skip_bad_rows", "--skip-bad-rows"},
      // harness: CalibrationOptions
      {"repeats", "--repeats"},
      {"memory_gib", "--memory"},
      {"format", "--format"},
  };
  return kFlags;
}

}  // namespace rwttt::cli
